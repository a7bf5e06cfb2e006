"""Work around PySide6 6.12.0's ``SignalInstance.emit``, which returns ``True`` without a new reference.

Every ``signal.emit(...)`` made from Python then takes one reference away from ``True``. On Python 3.11
``True`` is not immortal, so after a few thousand emits its count reaches zero and the process aborts
("Fatal Python error: bool_dealloc"); an event storm got there in seconds. The wrapper gives the missing
reference back. It is installed only when one probe emit shows the fault, so a fixed PySide6 (or a
Python whose ``True`` is immortal) runs the original ``emit`` untouched.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    """Emits once to see whether ``emit`` loses a reference to its result."""

    fired = Signal()


def _emit_loses_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(10):
        probe.fired.emit()
    lost = sys.getrefcount(True) < before - 5  # ten lost references, not noise from other threads
    _incref_times(before - sys.getrefcount(True))
    return lost


def _incref_times(count: int) -> None:
    for _ in range(max(0, count)):
        _incref(True)


def install() -> bool:
    """Wrap ``SignalInstance.emit`` if it needs it; returns whether it did. Idempotent."""
    original = SignalInstance.emit
    if getattr(original, "_skydesk_refcount_fix", False) or not _emit_loses_reference():
        return False

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if result is True or result is False:
            _incref(result)  # the reference PySide6 did not take for us
        return result

    emit._skydesk_refcount_fix = True  # type: ignore[attr-defined]
    SignalInstance.emit = emit  # type: ignore[method-assign]
    return True


install()
