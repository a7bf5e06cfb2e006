"""skydesk.ui."""

# Widgets call PySide6 too; make sure its refcount fix is in place whichever package loads first.
from skydesk.models import _pyside_refcounts as _pyside_refcounts
