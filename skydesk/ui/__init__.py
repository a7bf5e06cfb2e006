"""skydesk.ui."""

# Widgets emit signals too; make sure the PySide6 emit fix is in place whichever package loads first.
from skydesk.models import _signal_refcount as _signal_refcount
