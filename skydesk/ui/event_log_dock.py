"""The "Event log" dock: every live event of this sign-in, filterable, with payload and changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.event_log import EventFilter, LoggedEvent, changes
from skydesk.models.event_log_model import COL_TIME, COL_TYPE, EntryRole, EventLogController
from skydesk.ui.common import add_clear_button, bound_line, form_label, name_widget
from skydesk.ui.data_dialogs import read_only_text
from skydesk.ui.status import LIVE_STATES

OFFLINE_STATES = ("offline", "reconnecting", "auth_failed")
ALL = ""


NO_EVENTS = "No events yet. Session events appear here as they arrive."
NO_MATCH = "No events match the filters."
HELD = "Paused: new events are held until you press Pause again."


class EventLogDock(QDockWidget):
    """Shows an EventLogController; ``reconnect`` is called by "Reconnect now" (the window wires it)."""

    limit_changed = Signal(int)  # the user chose another bound (the window keeps it in the settings)

    def __init__(self, controller: EventLogController, parent: QWidget | None = None) -> None:
        super().__init__("Event log", parent)
        self.controller = controller
        self.reconnect: Callable[[], None] = lambda: None
        self.export_dialog: QFileDialog | None = None
        self.type_combo = QComboBox()
        self.session_combo = QComboBox()
        self.text_edit = bound_line(QLineEdit())
        self.pause_button = QPushButton("Pause")
        self.clear_button = QPushButton("Clear")
        self.export_button = QPushButton("Export…")
        self.table = QTableView()
        self.payload = read_only_text("Event payload")
        self.diff = read_only_text("Changes against the previous state")
        self.payload.setPlaceholderText("Select an event to see its payload.")
        self.diff.setPlaceholderText("Select an event to see what it changed in its session.")
        self.counts_label = QLabel()
        self.empty_label = QLabel(NO_EVENTS)  # over the empty table: why nothing is listed
        self.rate_label = QLabel("0 events/s")
        self.connection_label = QLabel()
        self.reconnect_button = QPushButton("Reconnect now")
        self.limit_spin = QSpinBox()
        self._text_timer = QTimer(self)
        self._choices_timer = QTimer(self)
        self._type_choices: list[tuple[str, str]] = []  # what the filter lists offer after "All …"
        self._session_choices: list[tuple[str, str]] = []
        self._setup_ui()
        self._connect()
        self.set_connection("stopped", "")
        self._update_counts()

    def _setup_ui(self) -> None:
        self.setObjectName("eventLogDock")
        name_widget(self, "Event log")
        self.type_combo.addItem("All types", ALL)
        self.session_combo.addItem("All sessions", ALL)
        name_widget(self.type_combo, "Event type filter")
        name_widget(self.session_combo, "Session filter")
        self.text_edit.setPlaceholderText("Filter by text in the payload")
        name_widget(self.text_edit, "Text filter")
        add_clear_button(self.text_edit)
        self.pause_button.setCheckable(True)
        for button in (self.pause_button, self.clear_button, self.reconnect_button):
            name_widget(button, button.text())
        name_widget(self.export_button, "Export…")
        self.export_button.setToolTip("Save the events shown as JSON Lines")
        filters = QHBoxLayout()
        filters.addWidget(self.type_combo)
        filters.addWidget(self.session_combo)
        filters.addWidget(self.text_edit, 1)
        filters.addWidget(self.pause_button)
        filters.addWidget(self.clear_button)
        filters.addWidget(self.export_button)

        self.table.setModel(self.controller.model)
        over = QVBoxLayout(self.table.viewport())
        over.addWidget(self.empty_label, 0, Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)  # the placeholder's grey
        self.empty_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        name_widget(self.table, "Events")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # Fixed row heights and no size-to-contents: a storm of rows must not measure every cell.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.resizeSection(COL_TIME, self.fontMetrics().horizontalAdvance("00:00:00.000  "))
        header.resizeSection(COL_TYPE, self.fontMetrics().horizontalAdvance("session_properties_updated  "))
        details = QSplitter(Qt.Orientation.Horizontal)
        details.addWidget(self.payload)
        details.addWidget(self.diff)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        for label, name in (
            (self.counts_label, "Event log size"),
            (self.rate_label, "Events per second"),
            (self.connection_label, "Event connection"),
        ):
            label.setAccessibleName(name)
        self.counts_label.setWordWrap(True)
        self.limit_spin.setRange(100, 1_000_000)
        self.limit_spin.setSingleStep(1000)
        self.limit_spin.setValue(self.controller.log.limit)
        self.limit_spin.setToolTip("How many events the log keeps; older ones drop")
        footer = QHBoxLayout()
        footer.addWidget(self.counts_label, 1)
        footer.addWidget(form_label("&Keep:", self.limit_spin))
        footer.addWidget(self.limit_spin)
        footer.addWidget(self.rate_label)
        footer.addWidget(self.connection_label)
        footer.addWidget(self.reconnect_button)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addLayout(footer)
        self.setWidget(body)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(200)
        self._choices_timer.setInterval(1000)

    def _connect(self) -> None:
        ctl = self.controller
        ctl.counts_changed.connect(self._update_counts)
        ctl.rate_changed.connect(self._on_controller_rate_changed)
        ctl.paused_changed.connect(self._on_controller_paused_changed)
        self.type_combo.currentIndexChanged.connect(self.apply_filter)
        self.session_combo.currentIndexChanged.connect(self.apply_filter)
        self.text_edit.textChanged.connect(self._text_timer.start)
        self._text_timer.timeout.connect(self.apply_filter)
        self._choices_timer.timeout.connect(self.refresh_choices)
        self._choices_timer.start()
        self.pause_button.toggled.connect(ctl.set_paused)
        self.clear_button.clicked.connect(ctl.clear)
        self.export_button.clicked.connect(self._on_export_clicked)
        ctl.exported.connect(self._on_controller_exported)
        ctl.export_failed.connect(self._on_controller_export_failed)
        self.reconnect_button.clicked.connect(lambda: self.reconnect())
        self.limit_spin.editingFinished.connect(self._on_limit_edited)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        ctl.model.modelReset.connect(self._show_selected)
        for signal in (
            ctl.model.modelReset,
            ctl.model.rowsInserted,
            ctl.model.rowsRemoved,
            ctl.counts_changed,
        ):
            signal.connect(self._update_empty)
        self._update_empty()

    # ------------------------------------------------------------------ filters
    def apply_filter(self, *_args: object) -> None:
        """Filter the log by the chosen type, session and text now."""
        self._text_timer.stop()
        kind = self.type_combo.currentData() or ALL
        session = self.session_combo.currentData() or ALL
        self.controller.set_filter(
            EventFilter(
                types=frozenset({kind}) if kind else frozenset(),
                session_id=session or None,
                text=self.text_edit.text().strip(),
            )
        )

    def refresh_choices(self) -> None:
        """Offer the types and sessions seen so far in the filter lists (the choice is kept)."""
        log, model = self.controller.log, self.controller.model
        _refill(self.type_combo, [(t, t) for t in log.types()], self._type_choices)
        sessions = log.session_ids()
        named = sorted(((model.session_name(s), s) for s in sessions), key=lambda p: p[0].casefold())
        _refill(self.session_combo, named, self._session_choices)

    # ------------------------------------------------------------------ selection
    def selected(self) -> LoggedEvent | None:
        """The selected event."""
        index = self.table.currentIndex()
        entry = index.data(EntryRole) if index.isValid() else None
        return entry if isinstance(entry, LoggedEvent) else None

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            self.payload.setPlainText("")
            self.diff.setPlainText("")
            return
        self.payload.setPlainText(json.dumps(entry.raw, indent=2, ensure_ascii=False))
        found = changes(entry)
        if found:
            self.diff.setPlainText("\n".join(f"{c.path}: {c.old} → {c.new}" for c in found))
        elif entry.before is None:
            self.diff.setPlainText("This event changed nothing the log knows about the session.")
        else:
            self.diff.setPlainText("No change against the previous known state.")

    # ------------------------------------------------------------------ actions
    def _on_export_clicked(self) -> None:
        dialog = QFileDialog(self, "Export events", "events.jsonl", "JSON Lines (*.jsonl);;All files (*)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(self.export_to)
        self.export_dialog = dialog
        dialog.open()

    def export_to(self, path: str | Path) -> None:
        """Start writing the events shown to ``path`` as JSON Lines; the footer says how it went."""
        if self.controller.start_export(path):
            self.export_button.setEnabled(False)
            self.counts_label.setText(f"Exporting to {Path(path).name}…")

    def _on_controller_exported(self, path: str, count: int) -> None:
        self.export_button.setEnabled(True)
        noun = "event" if count == 1 else "events"
        self.counts_label.setText(f"Exported {count:,} {noun} to {Path(path).name}.")

    def _on_controller_export_failed(self, path: str, reason: str) -> None:
        self.export_button.setEnabled(True)
        self.counts_label.setText(f"Could not export to {path}: {reason}")

    def set_connection(self, state: str, reason: str) -> None:
        """Show the live-event connection (a StreamState name) and why; offer "Reconnect now" while down."""
        words = LIVE_STATES.get(state, ("", f"Live events: {state}"))[1]
        if reason.casefold().startswith(state.casefold() + " "):
            # "connected" + "Connected to host (session resumed)": say the state once.
            text = f"{words} {reason[len(state) + 1 :]}"
        else:
            text = f"{words} ({reason})" if reason else words
        self.connection_label.setText(text)
        self.connection_label.setToolTip(reason)
        self.reconnect_button.setVisible(state in OFFLINE_STATES)

    def _on_limit_edited(self) -> None:
        self.controller.set_limit(self.limit_spin.value())
        self.limit_changed.emit(self.limit_spin.value())

    def _update_counts(self) -> None:
        self.counts_label.setText(self.controller.status_text())

    def _update_empty(self, *_args: object) -> None:
        empty = self.controller.model.rowCount() == 0
        if empty:
            ctl = self.controller
            self.empty_label.setText(HELD if ctl.held else NO_MATCH if len(ctl.log) else NO_EVENTS)
        self.empty_label.setVisible(empty)

    def _on_controller_rate_changed(self, rate: float) -> None:
        self.rate_label.setText(f"{rate:,.0f} events/s")

    def _on_controller_paused_changed(self, paused: bool) -> None:
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.blockSignals(False)
        self.pause_button.setText("Resume" if paused else "Pause")
        name_widget(self.pause_button, self.pause_button.text())


def _refill(combo: QComboBox, items: list[tuple[str, str]], shown: list[tuple[str, str]]) -> None:
    """Make a filter combo offer ``items`` after its first "All …" item, keeping the current choice.

    ``shown`` is what it offers now (updated here). Only the items that differ are changed: a storm renames
    a thousand sessions every second, and taking every item out and adding it again cost 5-10 ms of the GUI
    thread each time (B5).
    """
    if items == shown:
        return
    current = combo.currentData()
    combo.blockSignals(True)
    common = min(len(items), len(shown))
    for i in range(common):
        (text, data), (old_text, old_data) = items[i], shown[i]
        if text != old_text:
            combo.setItemText(i + 1, text)
        if data != old_data:
            combo.setItemData(i + 1, data)
    while combo.count() > len(items) + 1:
        combo.removeItem(combo.count() - 1)
    for text, data in items[common:]:
        combo.addItem(text, data)
    shown[:] = items
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)
