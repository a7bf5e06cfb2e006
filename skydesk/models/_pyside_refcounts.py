"""Work around PySide6 6.12.0 dropping references to ``None``, ``True`` and ``False``.

In that release every void method called from Python (``QLabel.setText``, ``setEnabled``, ...) takes one
reference away from ``None``, and every ``SignalInstance.emit`` one from ``True``. On Python 3.11 these
objects are not immortal: once a count reaches zero the process aborts ("Fatal Python error:
none_dealloc" / "bool_dealloc"); an event storm got there within seconds. Wrapping every method is not
possible, so, as Python 3.12 does for every interpreter, the three objects are made practically immortal:
their counts are raised by 2**40, more than a process can ever lose. This happens only when probe calls show
the fault, so a fixed PySide6 (or a Python whose singletons are immortal) is left untouched.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

_BOOST = 1 << 40
_PROBES = 10


class _Probe(QObject):
    """A signal to emit and a void setter to call."""

    fired = Signal()


def _losses() -> tuple[int, int]:
    """How many references to None and to True ten void calls and ten emits lose."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.setObjectName("probe")
    for _ in range(_PROBES):
        probe.fired.emit()
    return none_before - sys.getrefcount(None), true_before - sys.getrefcount(True)


def _raise_count(obj: object, by: int) -> None:
    # ob_refcnt is the first field of every object; the GIL is held, so nothing else changes it meanwhile.
    import ctypes  # here: only a PySide6 with the fault needs it, and start-up is faster without it

    count = ctypes.c_ssize_t.from_address(id(obj))
    count.value += by


def install() -> bool:
    """Make None, True and False practically immortal if this PySide6 needs it; returns whether it did."""
    if sys.getrefcount(None) > _BOOST // 2:
        return False  # done already (or the interpreter makes them immortal)
    lost_none, lost_true = _losses()
    if lost_none < _PROBES // 2 and lost_true < _PROBES // 2:
        return False
    for obj in (None, True, False):
        _raise_count(obj, _BOOST)
    return True


install()
