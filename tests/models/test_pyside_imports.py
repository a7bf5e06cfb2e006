"""skydesk.models records PySide's answers for the standard library and our modules: its import hook skips
their files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import skydesk.models  # records them, as every app start does
from skydesk.models._pyside_imports import (
    IGNORED,
    NO_FEATURES,
    _feature_table,
    is_stdlib,
    own_modules,
    spare_own_scans,
    spare_stdlib_scans,
)


def test_the_standard_library_is_recorded_with_the_mark_pyside_would_give_it() -> None:
    import PySide6.support.feature as feature  # type: ignore[import-not-found]

    table = _feature_table()
    assert table is feature.pyside_feature_dict
    # Other tests in this process may have imported standard-library submodules since skydesk.models
    # recorded them (logging.config, under xdist); record again, as the import of skydesk.models did.
    spare_stdlib_scans()
    stdlib = [name for name in sys.modules if is_stdlib(name)]
    assert {"typing", "argparse", "json", "logging"} <= set(stdlib)
    for name in stdlib:
        assert table[name] in (IGNORED, 0), name
    # What PySide itself finds when it reads them: none of them uses PySide.
    for name in ("typing", "argparse", "json", "logging", "dataclasses", "inspect"):
        assert feature._mod_uses_pyside(sys.modules[name]) is False, name
    assert spare_stdlib_scans() == 0  # once is enough: nothing new to record


def test_our_modules_are_recorded_as_pyside_records_those_using_it() -> None:
    import PySide6.support.feature as feature  # type: ignore[import-not-found]

    names = own_modules()
    assert {"skydesk", "skydesk.app", "skydesk.ui", "skydesk.ui.main_window", "skydesk.api"} <= names
    assert "skydesk.sandbox.server" in names or any(n.startswith("skydesk.sandbox.") for n in names)
    table = _feature_table()
    assert table is not None
    spare_own_scans()
    for name in names:
        assert table[name] in (NO_FEATURES, IGNORED), name
    # PySide's own answer for one that uses PySide is the same mark.
    import skydesk.ui.first_paint

    assert feature._mod_uses_pyside(skydesk.ui.first_paint) is True
    assert table["skydesk.ui.first_paint"] == NO_FEATURES


def test_no_module_of_ours_asks_for_a_pyside_feature() -> None:
    # What recording our modules as "no features" relies on (see _pyside_imports).
    root = Path(skydesk.models.__file__).parent.parent
    asking = [str(p) for p in root.rglob("*.py") if "__feature__" in p.read_text(encoding="utf-8")]
    assert asking == [str(root / "models" / "_pyside_imports.py")]  # only its docstring names it


def test_pyside_reads_neither_and_features_still_switch() -> None:
    # In a fresh interpreter: neither the stdlib nor our modules are read again, and a module that asks for
    # a feature (here __main__) still gets it.
    code = textwrap.dedent(
        """
        import inspect, sys
        import PySide6.QtCore
        import skydesk.models
        read = []
        real = inspect.getsource
        def getsource(obj):
            read.append(getattr(obj, "__name__", "?"))
            return real(obj)
        inspect.getsource = getsource
        import argparse, dataclasses, json, shutil, textwrap, typing
        from skydesk.ui.first_paint import FirstPaint
        import skydesk.ui.main_window
        table = sys.modules["PySide6.support.feature"].pyside_feature_dict
        # (A submodule first imported now, such as json.decoder, is still read: its name was not known.)
        assert not [name for name in read if name in sys.stdlib_module_names], read
        assert not [name for name in read if name.startswith("skydesk")], read
        assert table["skydesk.ui.first_paint"] == 0, read
        from __feature__ import snake_case
        from PySide6.QtCore import QObject
        assert QObject().object_name() == ""
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
