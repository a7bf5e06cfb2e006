"""Spare PySide6's import hook from reading the source file of every module the start imports.

Once PySide6 is loaded, its ``__feature__`` support (``from __feature__ import snake_case``) runs after every
import statement, and the first time it sees a module it reads that module's whole source file
(``inspect.getsource``) to look for the word "PySide6": a module that has it is recorded as 0, "may switch
features, none chosen yet"; one without it as -1, "ignore this module". A cold start of skydesk reaches about
50 modules that way before its sign-in window shows, about 30 of them the standard library's (typing,
argparse, logging, inspect, dataclasses, ...) and 20 our own: 10-15 ms of reading and splitting files
(benchmark B1). PySide's answers are known in advance, so this records them first and PySide then skips
those modules:
- the standard library never mentions PySide6: -1, for every top-level module and every submodule imported
  so far (one imported later, such as json.decoder, is still read);
- skydesk's own modules: 0, what PySide answers for those that use it. None of them asks for a feature
  (tests/models/test_pyside_imports.py checks), and 0 keeps PySide's default, no features, for whatever
  code of ours runs, as it is for a module that never mentions PySide6.
Third-party modules are read as before. Should a PySide6 release keep its table elsewhere, nothing is
recorded and PySide reads what it always did.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

IGNORED = -1  # PySide's mark for "this module does not use PySide: never switch its features"
NO_FEATURES = 0  # its mark for a module that uses PySide and has not asked for a feature


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


def own_modules() -> set[str]:
    """The names of skydesk's modules and packages, from the files of the installed package."""
    import skydesk

    root = Path(skydesk.__file__).parent
    names = {"skydesk"}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        package = ".".join(("skydesk", *Path(folder).relative_to(root).parts))
        names.add(package)
        modules = (file[:-3] for file in files if file.endswith(".py") and file != "__init__.py")
        names.update(f"{package}.{module}" for module in modules)
    return names


def spare_own_scans() -> int:
    """Record skydesk's modules as using PySide without features (where PySide has not yet); how many."""
    table = _feature_table()
    if table is None:
        return 0
    before = len(table)
    for name in own_modules():
        table.setdefault(name, NO_FEATURES)
    return len(table) - before


spare_stdlib_scans()
spare_own_scans()
