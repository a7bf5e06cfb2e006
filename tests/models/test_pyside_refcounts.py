"""PySide6 6.12.0 lost references to None and True (now excluded in pyproject); skydesk.models guards it."""

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
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    # Unfixed, None starts near 5,000 references and True near 600: these loops would abort the process.
    for n in range(50_000):
        emitter.changed.emit(n)
        label.setText(str(n))
    assert len(received) == 50_000
    assert label.text() == "49999"
    # Either this PySide6 loses no references, or the guard raised the counts out of reach.
    assert sys.getrefcount(None) >= none_before - 100 or sys.getrefcount(None) > 1 << 39
    assert sys.getrefcount(True) >= true_before - 100 or sys.getrefcount(True) > 1 << 39


def test_the_fix_is_applied_once() -> None:
    from skydesk.models._pyside_refcounts import install

    before = sys.getrefcount(None)
    assert install() is False
    assert abs(sys.getrefcount(None) - before) < 100
