"""Widgets of the detail pane: elided read-only values, and the "someone else changed this" notice."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from skydesk.models.edits import FieldConflict
from skydesk.ui.common import name_widget

SHOWN_VALUE_MAX = 80  # a long description is cut in the notice; the tooltip has all of it

FIELD_WORDS = {"name": "the name", "description": "the description", "properties": "the properties"}


class ValueLabel(QLabel):
    """A read-only value in the form: selectable, elided to one line, the full text in a tooltip."""

    def __init__(self, accessible: str) -> None:
        super().__init__()
        self._full = ""
        self.setAccessibleName(accessible)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 6))

    def set_value(self, text: str, tooltip: str | None = None) -> None:
        """Show ``text`` (elided to the label's width when needed); the tooltip is ``tooltip`` or the text."""
        self._full = text
        self.setToolTip(text if tooltip is None else tooltip)
        self._elide()

    def full_text(self) -> str:
        """The complete value, even when the label shows it elided."""
        return self._full

    def resizeEvent(self, event: Any) -> None:
        """Re-elide to the new width."""
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(10, self.width())
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))


def conflict_text(conflict: FieldConflict, who: str) -> str:
    """ "dispatch changed the name to “Pump 9, urgent”." in plain words."""
    theirs = conflict.theirs
    if isinstance(theirs, dict):
        shown = ", ".join(f"{k}={v}" for k, v in theirs.items()) or "nothing"
    else:
        shown = str(theirs) or "nothing"
    if len(shown) > SHOWN_VALUE_MAX:
        shown = shown[: SHOWN_VALUE_MAX - 1] + "…"
    what = FIELD_WORDS.get(conflict.field, conflict.field)
    return f"{who} changed {what} to “{shown}” while you were editing it."


class ConflictNotice(QFrame):
    """Next to a field: who changed it and to what, with "Use theirs" and "Keep mine"."""

    use_theirs = Signal()
    keep_mine = Signal()

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.theirs_button = QPushButton("Use theirs")
        self.mine_button = QPushButton("Keep mine")
        self.setAccessibleName(accessible)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName(accessible)
        for button in (self.theirs_button, self.mine_button):
            name_widget(button, button.text())
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.theirs_button)
        row.addWidget(self.mine_button)
        self.theirs_button.clicked.connect(self.use_theirs)
        self.mine_button.clicked.connect(self.keep_mine)
        self.hide()

    def show_conflict(self, conflict: FieldConflict | None, who: str = "") -> None:
        """Show ``conflict`` (None hides the notice)."""
        if conflict is None:
            self.label.clear()
            self.hide()
            return
        self.label.setText(conflict_text(conflict, who))
        self.label.setToolTip(str(conflict.theirs))
        self.show()
