"""The session list's filter bar: name search, status, and (behind "More filters") the rest."""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from skydesk.api.limits import NAME_MAX, PROPERTY_KEY_MAX, PROPERTY_VALUE_MAX
from skydesk.models.filters import SessionFilters, parse_property_filter
from skydesk.ui.common import above, add_clear_button, bound_line, form_label, name_widget, set_error_text
from skydesk.ui.people_picker import PersonLineEdit

SEARCH_DEBOUNCE_MS = 300
STATUS_CHOICES = (("All statuses", None), ("Open", "open"), ("Closed", "closed"))


def parse_property_filters(text: str) -> dict[str, list[str]]:
    """Parse ``"site = A, B; priority = high"`` (clauses split by ';'); raises ValueError in plain words."""
    result: dict[str, list[str]] = {}
    for clause in text.split(";"):
        if not clause.strip():
            continue
        key, values = parse_property_filter(clause)
        result.setdefault(key, []).extend(v for v in values if v not in result.get(key, []))
    return result


def format_property_filters(properties: dict[str, list[str]]) -> str:
    """The inverse of :func:`parse_property_filters`, for restoring saved filters."""
    return "; ".join(f"{key} = {', '.join(values)}" for key, values in properties.items())


def _qdate(value: datetime) -> QDate:
    local = value.astimezone()
    return QDate(local.year, local.month, local.day)


class DateRange(QWidget):
    """An optional date range: a checkbox switches it on, two date edits give its first and last day."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(label)
        self.start = QDateEdit()
        self.end = QDateEdit()
        self._setup_ui(label)

    def _setup_ui(self, label: str) -> None:
        name_widget(self.enabled, label)
        today = QDate.currentDate()
        for edit, words, initial in ((self.start, "from", today.addDays(-30)), (self.end, "to", today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(initial)
            edit.setEnabled(False)
            edit.setAccessibleName(f"{label} {words}")
            edit.dateChanged.connect(self._on_date_changed)
        self.enabled.toggled.connect(self._on_enabled_toggled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.enabled)
        row.addWidget(self.start)
        dash = QLabel("–")
        dash.setAccessibleName("to")
        row.addWidget(dash)
        row.addWidget(self.end)
        row.addStretch(1)

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """Local-time bounds, inclusive: the first day's midnight to the last day's final instant."""
        if not self.enabled.isChecked():
            return None, None
        start, end = self.start.date(), self.end.date()
        first = datetime.combine(date(start.year(), start.month(), start.day()), time.min).astimezone()
        last = datetime.combine(date(end.year(), end.month(), end.day()), time.max).astimezone()
        return first, last

    def set_bounds(self, first: datetime | None, last: datetime | None) -> None:
        """Restore a saved range without emitting ``changed``."""
        self.blockSignals(True)
        try:
            self.enabled.setChecked(first is not None or last is not None)
            if first is not None:
                self.start.setDate(_qdate(first))
            if last is not None:
                self.end.setDate(_qdate(last))
        finally:
            self.blockSignals(False)

    def _on_enabled_toggled(self, on: bool) -> None:
        self.start.setEnabled(on)
        self.end.setEnabled(on)
        self.changed.emit()

    def _on_date_changed(self, _date: QDate) -> None:
        if self.end.date() < self.start.date():
            self.end.setDate(self.start.date())
        if self.enabled.isChecked():
            self.changed.emit()


class FilterBar(QWidget):
    """Collects the user's filters and emits them, debounced, as one :class:`SessionFilters`."""

    filters_changed = Signal(object)  # SessionFilters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = bound_line(QLineEdit(), above(NAME_MAX))  # it matches session names
        self.status = QComboBox()
        self.more = QToolButton()
        self.clear = QToolButton()
        # Ids for the filter, names on screen, and the people picker behind their action (issue 9).
        self.participant = PersonLineEdit()
        self.created_by = PersonLineEdit(kinds=("user",))
        self.property_filter = bound_line(QLineEdit(), above(PROPERTY_KEY_MAX + 1 + PROPERTY_VALUE_MAX))
        self.property_error = QLabel()
        self.created = DateRange("Created")
        self.modified = DateRange("Modified")
        self.advanced = QWidget()
        self._sort: str | None = None
        self._last_emitted: SessionFilters | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._setup_ui()

    def _setup_ui(self) -> None:
        self.search.setPlaceholderText("Search session names")
        add_clear_button(self.search)
        for words, value in STATUS_CHOICES:
            self.status.addItem(words, value)
        self.more.setText("More filters")
        self.clear.setText("Clear filters")
        self.clear.setToolTip("Show every session again (the sort stays)")
        name_widget(self.clear, "Clear filters")
        self.more.setCheckable(True)
        self.more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more.setArrowType(Qt.ArrowType.RightArrow)
        name_widget(self.more, "More filters")
        self.participant.setPlaceholderText("user or group id")
        self.created_by.setPlaceholderText("user id")
        self.property_filter.setPlaceholderText("site = North, South; priority = high")
        for edit in (self.participant, self.created_by, self.property_filter):
            add_clear_button(edit)
        self.property_error.setAccessibleName("Property filter error")
        self.property_error.setWordWrap(True)
        self.property_error.hide()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(form_label("&Search:", self.search))
        top.addWidget(self.search, 3)
        top.addWidget(form_label("S&tatus:", self.status))
        top.addWidget(self.status, 0)
        top.addWidget(self.more, 0)

        grid = QGridLayout(self.advanced)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(form_label("&Participant:", self.participant), 0, 0)
        grid.addWidget(self.participant, 0, 1)
        grid.addWidget(form_label("Created &by:", self.created_by), 0, 2)
        grid.addWidget(self.created_by, 0, 3)
        grid.addWidget(form_label("P&roperty:", self.property_filter), 1, 0)
        grid.addWidget(self.property_filter, 1, 1, 1, 3)
        grid.addWidget(self.property_error, 2, 1, 1, 3)
        grid.addWidget(self.created, 3, 0, 1, 2)
        grid.addWidget(self.modified, 3, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.advanced.hide()

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.advanced)

        self._debounce.timeout.connect(self._on_debounce_timeout)
        for edit in (self.search, self.participant, self.created_by, self.property_filter):
            edit.textChanged.connect(self._on_text_changed)
            edit.returnPressed.connect(self._on_debounce_timeout)
        self.status.currentIndexChanged.connect(self._on_status_changed)
        self.created.changed.connect(self._on_debounce_timeout)
        self.modified.changed.connect(self._on_debounce_timeout)
        self.more.toggled.connect(self._on_more_toggled)
        self.clear.clicked.connect(self._on_clear_clicked)
        self._show_counts()

    # ------------------------------------------------------------------ state

    def filters(self) -> SessionFilters:
        """The filters as shown; an invalid property filter is left out (its error is on screen)."""
        try:
            properties = parse_property_filters(self.property_filter.text())
        except ValueError:
            properties = {}
        created_from, created_to = self.created.bounds()
        modified_from, modified_to = self.modified.bounds()
        return SessionFilters(
            status=self.status.currentData(),
            name=self.search.text().strip(),
            participant=self.participant.text().strip(),
            properties=properties,
            created_from=created_from,
            created_to=created_to,
            modified_from=modified_from,
            modified_to=modified_to,
            created_by=self.created_by.text().strip(),
            sort=self._sort,
        )

    def set_filters(self, filters: SessionFilters) -> None:
        """Show saved filters without emitting (the caller loads with them)."""
        widgets = (self.search, self.status, self.participant, self.created_by, self.property_filter)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.search.setText(filters.name)
            index = max(0, self.status.findData(filters.status))
            self.status.setCurrentIndex(index)
            self.participant.setText(filters.participant)
            self.created_by.setText(filters.created_by)
            self.property_filter.setText(format_property_filters(filters.properties))
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.created.set_bounds(filters.created_from, filters.created_to)
        self.modified.set_bounds(filters.modified_from, filters.modified_to)
        self._sort = filters.sort
        self._last_emitted = filters
        advanced_used = bool(
            filters.participant
            or filters.created_by
            or filters.properties
            or filters.created_from
            or filters.modified_from
        )
        self.more.setChecked(advanced_used)
        self._validate_property()
        self._show_counts()

    @property
    def sort(self) -> str | None:
        """The server sort key currently applied (``name``, ``-createdAt``, ...)."""
        return self._sort

    def set_sort(self, sort: str | None) -> None:
        """Change the sort order and emit the filters at once (a header click is deliberate)."""
        self._sort = sort
        self._emit(force=True)

    # ------------------------------------------------------------------ slots

    def _on_text_changed(self, _text: str) -> None:
        self._validate_property()
        self._debounce.start()

    def _on_clear_clicked(self) -> None:
        self.set_filters(self.filters().cleared())
        self._emit(force=True)

    def _show_counts(self) -> None:
        """ "More filters (1)" and an enabled "Clear filters" while filters are in effect."""
        shown = self.filters()
        count = shown.advanced_count
        text = f"More filters ({count})" if count else "More filters"
        self.more.setText(text)
        name_widget(self.more, text)
        self.clear.setEnabled(shown.is_filtered)

    def _on_status_changed(self, _index: int) -> None:
        self._emit()

    def _on_debounce_timeout(self) -> None:
        self._emit()

    def _on_more_toggled(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.more.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def _validate_property(self) -> bool:
        try:
            parse_property_filters(self.property_filter.text())
        except ValueError as exc:
            set_error_text(self.property_error, str(exc))
            return False
        set_error_text(self.property_error, None)
        return True

    def _emit(self, force: bool = False) -> None:
        self._debounce.stop()
        self._show_counts()
        if not self._validate_property():
            return  # keep the last valid query; the inline message says what to fix
        filters = self.filters()
        if not force and filters == self._last_emitted:
            return
        self._last_emitted = filters
        self.filters_changed.emit(filters)

    def focus_search(self) -> None:
        """Put the cursor in the name search and select its text (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
