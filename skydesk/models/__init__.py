"""skydesk.models."""

# First of all: PySide6 6.12.0 loses references to None and True on every void call and emit.
from skydesk.models import _pyside_refcounts as _pyside_refcounts

# isort: split
# Then: PySide6 need not read the source of every standard-library module the start imports.
from skydesk.models import _pyside_imports as _pyside_imports
