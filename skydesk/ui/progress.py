"""A full-page progress message: starting the demo sandbox, restoring a sign-in."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


class ProgressPage(QWidget):
    """A centred message with a busy bar: starting the demo sandbox, signing in.

    The message and the bar are made the first time there is something to say: every window has this page,
    but a start that shows the sign-in page never shows it, and its alignments would cost that start Qt's
    namespace of enums (20-45 ms of PySide building them, benchmark B1).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label: QLabel | None = None

    @property
    def label(self) -> QLabel:
        """The message (made on first use, with the bar)."""
        if self._label is None:
            self._label = self._build()
        return self._label

    def _build(self) -> QLabel:
        from PySide6.QtCore import Qt

        label = QLabel()
        bar = QProgressBar()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setAccessibleName("Progress")
        bar.setRange(0, 0)
        bar.setTextVisible(False)
        bar.setAccessibleName("Progress")
        bar.setAutoFillBackground(True)  # its frames repaint the bar alone, not the page (see SignInPage)
        bar.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 24)
        layout.addWidget(label)
        layout.addWidget(bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return label

    def set_message(self, text: str) -> None:
        """Say what is happening."""
        self.label.setText(text)
