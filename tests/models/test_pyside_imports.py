"""skydesk.models marks the standard library as "not using PySide": PySide's import hook skips its files."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import skydesk.models  # noqa: F401 - records them, as every app start does
from skydesk.models._pyside_imports import IGNORED, _feature_table, is_stdlib, spare_stdlib_scans


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


def test_pyside_still_reads_our_modules_and_features_still_switch() -> None:
    # In a fresh interpreter: the stdlib is not read again, a module of ours that uses PySide is, and a
    # module that asks for a feature gets it.
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
        table = sys.modules["PySide6.support.feature"].pyside_feature_dict
        # (A submodule first imported now, such as json.decoder, is still read: its name was not known.)
        assert not [name for name in read if name in sys.stdlib_module_names], read
        assert "skydesk.ui.first_paint" in read and table["skydesk.ui.first_paint"] == 0, read
        from __feature__ import snake_case
        from PySide6.QtCore import QObject
        assert QObject().object_name() == ""
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
