"""PySide6 6.12.0 loses references to None and True; skydesk.models makes them immortal (see the module)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

import skydesk.models  # noqa: F401 - applies the fix, as every app start does


class _Emitter(QObject):
    changed = Signal(int)


def test_many_setter_calls_and_emits_do_not_abort(qapp: object) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.changed.connect(received.append)
    label = QLabel()
    # Unfixed, None starts near 5,000 references and True near 600: these loops would abort the process.
    for n in range(50_000):
        emitter.changed.emit(n)
        label.setText(str(n))
    assert len(received) == 50_000
    assert label.text() == "49999"
    assert sys.getrefcount(None) > 10_000 and sys.getrefcount(True) > 10_000


def test_the_fix_is_applied_once() -> None:
    from skydesk.models._pyside_refcounts import install

    before = sys.getrefcount(None)
    assert install() is False
    assert abs(sys.getrefcount(None) - before) < 100
