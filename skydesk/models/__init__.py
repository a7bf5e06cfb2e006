"""skydesk.models."""

# Before any signal is emitted: PySide6 6.12.0's emit loses a reference to True on every call.
from skydesk.models import _signal_refcount as _signal_refcount
