"""The running and recent uploads and downloads of the Media tab: a bar, the rate and Cancel for each."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from skydesk.models.media_transfers import DONE, RUNNING, Transfer
from skydesk.ui.common import name_widget


class TransferRow(QWidget):
    """One transfer: what, how far, how fast; Cancel while it runs, Open when a download is done."""

    open_requested = Signal(object)  # Transfer (a finished download)

    def __init__(self, transfer: Transfer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transfer = transfer
        self.label = QLabel()
        self.bar = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.open_button = QPushButton("Open with the system viewer")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        self.bar.setRange(0, 1000)
        name_widget(self.bar, f"Progress of {transfer.filename}")
        name_widget(self.cancel_button, f"Cancel {transfer.kind} of {transfer.filename}")
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.open_button)
        self.cancel_button.clicked.connect(transfer.cancel)
        self.open_button.clicked.connect(lambda: self.open_requested.emit(self.transfer))
        transfer.progressed.connect(self._on_transfer_progressed)
        transfer.state_changed.connect(self._on_transfer_state_changed)
        self._on_transfer_state_changed(transfer.state)

    def _on_transfer_progressed(self, _done: int, _total: int) -> None:
        self.bar.setValue(int(self.transfer.fraction * 1000))
        self.label.setText(self.transfer.summary())

    def _on_transfer_state_changed(self, state: str) -> None:
        self.cancel_button.setVisible(state == RUNNING)
        self.open_button.setVisible(state == DONE and self.transfer.kind == "download")
        self._on_transfer_progressed(self.transfer.done, self.transfer.total)


class TransferList(QWidget):
    """Rows for the transfers of this tab, newest at the bottom; finished ones stay until replaced."""

    open_requested = Signal(object)

    LIMIT = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.rows: list[TransferRow] = []

    def add(self, transfer: Transfer) -> TransferRow:
        """Show a new transfer (the oldest finished row makes room)."""
        row = TransferRow(transfer)
        row.open_requested.connect(self.open_requested)
        self.rows.append(row)
        self._layout.addWidget(row)
        while len(self.rows) > self.LIMIT:
            old = next((r for r in self.rows if r.transfer.state != RUNNING), None)
            if old is None:
                break
            self.rows.remove(old)
            old.deleteLater()
        return row
