"""Spare PySide6's import hook from reading the source file of every standard-library module imported.

Once PySide6 is loaded, its ``__feature__`` support (``from __feature__ import snake_case``) runs after every
import statement, and the first time it sees a module it reads that module's whole source file
(``inspect.getsource``) to look for the word "PySide6": a module that has it may switch features, one
without it is recorded as -1, "ignore this module". A cold start of skydesk reaches about 50 modules that
way before its sign-in window shows, about 40 of them the standard library's (typing, argparse, logging,
inspect, dataclasses, ...), already imported or not: 6-8 ms of reading and splitting files (benchmark B1).
No standard-library module mentions PySide6, so PySide's answer for each is known in advance; this records
it first, and PySide then skips them: every top-level module, and every submodule imported so far (one
imported later, such as json.decoder, is still read). Our own and third-party modules are read as before.
Should a PySide6 release keep its table elsewhere, nothing is recorded and PySide reads what it always did.
"""

from __future__ import annotations

import sys

IGNORED = -1  # PySide's mark for "this module does not use PySide: never switch its features"


def _feature_table() -> dict[str, object] | None:
    feature = sys.modules.get("PySide6.support.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    return table if isinstance(table, dict) else None


def is_stdlib(name: str) -> bool:
    """Whether ``name`` is a module (or a submodule of a package) of the standard library."""
    return name.partition(".")[0] in sys.stdlib_module_names


def spare_stdlib_scans() -> int:
    """Record every standard-library module as not using PySide (where PySide has not yet); how many."""
    table = _feature_table()
    if table is None:
        return 0
    names = {*sys.stdlib_module_names, *(name for name in list(sys.modules) if is_stdlib(name))}
    before = len(table)
    for name in names:
        table.setdefault(name, IGNORED)
    return len(table) - before


spare_stdlib_scans()
