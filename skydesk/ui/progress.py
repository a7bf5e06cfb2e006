"""A full-page progress message: starting the demo sandbox, restoring a sign-in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


class ProgressPage(QWidget):
    """A centred message with a busy bar: starting the demo sandbox, signing in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName("Progress")
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Progress")
        self.bar.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 24)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def set_message(self, text: str) -> None:
        """Say what is happening."""
        self.label.setText(text)
