"""PySide6 6.12.0's emit loses a reference to True per call; skydesk.models puts it back (see the module)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

import skydesk.models  # noqa: F401 - installs the fix, as every app start does


class _Emitter(QObject):
    changed = Signal(int)


def test_many_emits_keep_the_reference_count_of_true() -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True)
    # Without the fix the count drops by one per emit, and the process aborts once it reaches zero.
    for n in range(20_000):
        emitter.changed.emit(n)
    assert len(received) == 20_000
    assert sys.getrefcount(True) >= before - 50


def test_the_fix_is_installed_only_once() -> None:
    from skydesk.models._signal_refcount import install

    emit = SignalInstance.emit
    install()
    assert SignalInstance.emit is emit
