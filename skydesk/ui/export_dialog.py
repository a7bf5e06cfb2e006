"""The Export dialog: format, byte-order mark, target file, then progress with Cancel while it runs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.export import ExportController
from skydesk.models.export_format import CSV, JSON, ExportSpec
from skydesk.ui.common import bound_line, fit_title, form_label, name_widget, set_error_text


class ExportDialog(QDialog):
    """Asks where and how to export the session list, runs it through the controller, shows progress."""

    export_requested = Signal(object, object)  # Path, ExportSpec: the window starts the export

    def __init__(
        self,
        controller: ExportController,
        what: str,
        columns: list[str],
        all_columns: list[str],
        folder: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self._columns = columns
        self._all_columns = all_columns
        self._folder = folder
        self.summary = QLabel(what)
        self.csv = QRadioButton("CSV (spreadsheets)")
        self.json = QRadioButton("JSON")
        self.bom = QCheckBox("UTF-8 with byte-order mark (for Excel)")
        self.hidden = QCheckBox("Include the hidden columns too")
        self.path = bound_line(QLineEdit())
        self.browse = QPushButton("Browse…")
        self.progress = QProgressBar()
        self.progress_label = QLabel()
        self.error = QLabel()
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.file_dialog: QFileDialog | None = None
        self._setup_ui()

    def _setup_ui(self) -> None:
        self.setWindowTitle("Export sessions")
        self.summary.setWordWrap(True)
        self.csv.setChecked(True)
        for widget in (self.csv, self.json, self.bom, self.hidden, self.browse, self.export_button):
            name_widget(widget, widget.text())
        name_widget(self.cancel_button, self.cancel_button.text())
        self.hidden.setText(f"Include the hidden columns too ({len(self._all_columns)} in all)")
        name_widget(self.hidden, "Include the hidden columns too")
        self.progress.setAccessibleName("Export progress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.hide()
        self.progress_label.hide()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Export error")
        self.error.hide()
        self.export_button.setDefault(True)

        formats = QHBoxLayout()
        formats.addWidget(self.csv)
        formats.addWidget(self.json)
        formats.addStretch(1)
        target = QHBoxLayout()
        target.addWidget(self.path, 1)
        target.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Format:", formats)
        form.addRow("", self.bom)
        form.addRow("Columns:", self.hidden)
        form.addRow(form_label("&File:", self.path), target)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.progress)
        column.addWidget(self.progress_label)
        column.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        fit_title(self)

        self._on_format_toggled()
        self.csv.toggled.connect(self._on_format_toggled)
        self.browse.clicked.connect(self._on_browse_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.controller.progress.connect(self._on_controller_progress)
        self.controller.finished.connect(self._on_controller_finished)
        self.controller.failed.connect(self._on_controller_failed)
        self.controller.cancelled.connect(self._on_controller_cancelled)

    # ------------------------------------------------------------------ values

    def spec(self) -> ExportSpec:
        """The format and columns chosen."""
        columns = self._all_columns if self.hidden.isChecked() else self._columns
        return ExportSpec(tuple(columns), CSV if self.csv.isChecked() else JSON, self.bom.isChecked())

    def target(self) -> Path | None:
        """The file to write, or None when none is typed."""
        text = self.path.text().strip()
        return Path(text).expanduser() if text else None

    # ------------------------------------------------------------------ slots

    def _on_format_toggled(self, *_args: object) -> None:
        fmt = CSV if self.csv.isChecked() else JSON
        self.bom.setEnabled(fmt == CSV)
        current = self.target()
        stem = current.stem if current is not None else "sessions"
        folder = current.parent if current is not None else self._folder
        self.path.setText(str(folder / f"{stem}.{fmt}"))

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, "Export to", self.path.text())
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)" if self.csv.isChecked() else "JSON files (*.json)")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.path.setText)
        self.file_dialog = dialog
        dialog.open()

    def _on_export_clicked(self) -> None:
        target = self.target()
        if target is None or not target.parent.is_dir():
            set_error_text(self.error, "Choose a file in a folder that exists.")
            return
        set_error_text(self.error, None)
        self._set_running(True)
        self.export_requested.emit(target, self.spec())

    def _on_cancel_clicked(self) -> None:
        if self.controller.running:
            self.controller.cancel()  # the dialog closes once the controller says it stopped
        else:
            self.reject()

    def _set_running(self, running: bool) -> None:
        for widget in (self.csv, self.json, self.hidden, self.path, self.browse, self.export_button):
            widget.setEnabled(not running)
        self.bom.setEnabled(not running and self.csv.isChecked())
        self.progress.setVisible(running)
        self.progress_label.setVisible(running)
        self.progress.setRange(0, 0)  # busy until the first page says how many there are

    def _on_controller_progress(self, written: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(written)
        self.progress_label.setText(f"{written:,} of {total:,} sessions written" if total else "Starting…")

    def _on_controller_finished(self, path: str, count: int) -> None:
        self._set_running(False)
        self.progress_label.setText(f"{count:,} sessions exported to {Path(path).name}")
        self.accept()

    def _on_controller_failed(self, message: str) -> None:
        self._set_running(False)
        set_error_text(self.error, message)

    def _on_controller_cancelled(self) -> None:
        self._set_running(False)
        self.reject()

    def reject(self) -> None:
        """Escape or Cancel: stop a running export first (nothing is left under the file's name)."""
        if self.controller.running:
            self.controller.cancel()
            return
        super().reject()
