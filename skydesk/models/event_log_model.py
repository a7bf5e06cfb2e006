"""The event log as a Qt table (newest first, filtered) and its controller: pause, rate, export, bound."""

from __future__ import annotations

import bisect
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from skydesk.models.event_log import (
    DEFAULT_LIMIT,
    EventFilter,
    EventLog,
    FilterScan,
    LoggedEvent,
    write_log_file,
)
from skydesk.models.table_base import FixedColumns

if TYPE_CHECKING:
    from skydesk.api import SessionEvent

Index = QModelIndex | QPersistentModelIndex
COL_TIME, COL_TYPE, COL_APP, COL_SESSION, COL_WHO = range(5)
HEADERS = ("Time", "Type", "Application", "Session", "Who")
EntryRole = Qt.ItemDataRole.UserRole + 1  # the LoggedEvent of a row
RATE_WINDOW_S = 1.0
# Entries matched per pass of the GUI thread when the filter changes: ~5 ms even when each needs its search
# text made (a first text filter over 10,000 events took 266 ms in one pass, B11).
SCAN_SLICE = 250


def _same_label(value: str) -> str:
    return value


class EventLogModel(FixedColumns, QAbstractTableModel):
    """Rows are the log's entries that pass ``filter``, newest at the top."""

    HEADERS = HEADERS

    def __init__(self, log: EventLog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log = log
        self._filter = EventFilter()
        self._rows: list[LoggedEvent] = []  # oldest first; row r shows _rows[-1 - r]
        # A new filter is matched a slice per GUI pass; the rows change once, when it is done.
        self._scan: FilterScan | None = None
        self.scan_slice = SCAN_SLICE
        self._scan_timer = QTimer(self)
        self._scan_timer.setSingleShot(True)
        self._scan_timer.setInterval(0)
        self._scan_timer.timeout.connect(self._scan_step)
        self.app_label: Callable[[str], str] = _same_label
        self.user_label: Callable[[str], str] = _same_label
        self.session_label: Callable[[str], str | None] = lambda _sid: None

    @property
    def filter(self) -> EventFilter:
        """What is shown."""
        return self._filter

    @property
    def filtering(self) -> bool:
        """True while a new filter is being matched (the rows still show the previous one's)."""
        return self._scan is not None

    def set_filter(self, flt: EventFilter) -> None:
        """Show only the entries passing ``flt`` (one reset, once matched)."""
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows from the log (after a resume, a clear, a new filter).

        The first slice is matched now (a small log is done at once); the rest in later passes of the
        event loop, so painting and input go on meanwhile.
        """
        self._scan = FilterScan(self.log, self._filter)
        self._scan_step()

    def finish_filtering(self) -> None:
        """Match what is left of a new filter now (before the rows are exported)."""
        if self._scan is not None:
            self._show_scan(self._scan)

    def _scan_step(self) -> None:
        scan = self._scan
        if scan is None:
            return
        if scan.step(self.scan_slice):
            self._show_scan(scan)
        else:
            self._scan_timer.start()

    def _show_scan(self, scan: FilterScan) -> None:
        self._scan = None
        self._scan_timer.stop()
        self.beginResetModel()
        self._rows = scan.result()
        self.endResetModel()

    def apply(self, added: Sequence[LoggedEvent], dropped: Sequence[LoggedEvent]) -> None:
        """Show what the log just gained and lost: one insert at the top, one removal at the bottom."""
        if self._scan is not None:
            self._scan.update(added, dropped)  # matched with the rest; shown when the scan ends
            added = ()
        if dropped and self._rows:
            last = dropped[-1].seq
            gone = bisect.bisect_right(self._rows, last, key=lambda e: e.seq)
            if gone:
                n = len(self._rows)
                self.beginRemoveRows(QModelIndex(), n - gone, n - 1)
                del self._rows[:gone]
                self.endRemoveRows()
        flt = self._filter
        shown = [e for e in added if flt.matches(e)] if flt.active else list(added)
        if shown:
            self.beginInsertRows(QModelIndex(), 0, len(shown) - 1)
            self._rows.extend(shown)
            self.endInsertRows()

    def entry(self, row: int) -> LoggedEvent | None:
        """The entry shown in ``row``."""
        return self._rows[-1 - row] if 0 <= row < len(self._rows) else None

    def shown(self) -> list[LoggedEvent]:
        """The entries shown, oldest first (what Export writes; a filter being matched is finished first)."""
        self.finish_filtering()
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Shown entries (a table: no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; EntryRole gives the LoggedEvent."""
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        if role == EntryRole:
            return entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell_text(entry, index.column())
        return None

    def cell_text(self, entry: LoggedEvent, column: int) -> str:
        """What a column shows for ``entry``."""
        if column == COL_TIME:
            return entry.received_at.astimezone().strftime("%H:%M:%S.%f")[:-3]
        if column == COL_TYPE:
            return entry.kind
        if column == COL_APP:
            return self.app_label(entry.application_id)
        if column == COL_SESSION:
            return self.session_name(entry.session_id)
        return self.user_label(entry.user_id) if entry.user_id else ""

    def session_name(self, session_id: str) -> str:
        """A session by name: the app's label, else the last name an event carried, else the id."""
        named = self.session_label(session_id)
        if named:
            return named
        return self.log.session_name(session_id) or session_id


class EventLogController(QObject):
    """Feeds the log from event batches; pause/resume, clear, events per second, export, the bound."""

    rate_changed = Signal(float)  # events per second over the last second
    counts_changed = Signal()  # kept / dropped / held counts changed
    paused_changed = Signal(bool)
    exported = Signal(str, int)  # the file, how many events it holds
    export_failed = Signal(str, str)  # the file, why it was not written
    _export_done = Signal(str, int, str)  # from the export thread: file, count (-1: failed), reason

    def __init__(self, limit: int = DEFAULT_LIMIT, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log = EventLog(limit)
        self.model = EventLogModel(self.log, self)
        self.paused = False
        self.held = 0  # events logged while paused, not yet shown
        self._arrivals: deque[tuple[float, int]] = deque()
        self.rate = 0.0
        self._rate_timer = QTimer(self)
        self._rate_timer.setInterval(500)
        self._rate_timer.timeout.connect(self._on_rate_timer_timeout)
        self._rate_timer.start()
        self.exporting = False
        self._export_done.connect(self._on_export_done, Qt.ConnectionType.QueuedConnection)

    def add_events(self, events: Sequence[SessionEvent]) -> None:
        """Log a batch (from EventBridge.events_batch); the view updates unless paused."""
        if not events:
            return
        added, dropped = self.log.add(events)
        self._arrivals.append((time.monotonic(), len(events)))
        if self.paused:
            self.held += len(events)
        else:
            self.model.apply(added, dropped)
        self.counts_changed.emit()

    def set_paused(self, paused: bool) -> None:
        """Freeze the view (events are still logged) or catch up with what arrived meanwhile."""
        if paused == self.paused:
            return
        self.paused = paused
        if not paused:
            self.held = 0
            self.model.refresh()
        self.paused_changed.emit(paused)
        self.counts_changed.emit()

    def clear(self) -> None:
        """Empty the log."""
        self.log.clear()
        self.held = 0
        self.model.refresh()
        self.counts_changed.emit()

    def set_limit(self, limit: int) -> None:
        """Keep at most ``limit`` events from now on (drops the oldest at once if needed)."""
        dropped = self.log.set_limit(limit)
        if dropped and not self.paused:
            self.model.apply([], dropped)
        self.counts_changed.emit()

    def set_filter(self, flt: EventFilter) -> None:
        """Show only what passes ``flt``."""
        self.model.set_filter(flt)

    def note_data(self, session_id: str, data: dict[str, Any]) -> None:
        """The detail pane loaded a session's data: diffs of later events start from it."""
        self.log.note_data(session_id, data)

    def export(self, path: Path | str, *, shown_only: bool = True) -> int:
        """Write the shown (or all kept) events as JSON Lines, blocking; returns how many were written.

        The dock uses ``start_export``; this is for scripts and tests without a GUI to keep responsive.
        """
        return write_log_file(Path(path), self._export_entries(shown_only))

    def start_export(self, path: Path | str, *, shown_only: bool = True) -> bool:
        """Write the events on a worker thread; ``exported`` or ``export_failed`` follows on this thread.

        The entries are taken now, so events arriving meanwhile are not in the file. False (nothing
        started) while an export is still being written.
        """
        if self.exporting:
            return False
        entries = self._export_entries(shown_only)
        self.exporting = True
        # 10,000 entries take 100-150 ms to re-encode and write: on the GUI thread that froze the window.
        # Not a daemon: quitting meanwhile lets the file be finished rather than cut off.
        worker = threading.Thread(
            target=self._export_worker, args=(str(path), entries), name="skydesk-event-export"
        )
        worker.start()
        return True

    def _export_entries(self, shown_only: bool) -> list[LoggedEvent]:
        return list(self.model.shown()) if shown_only else self.log.entries()

    def _export_worker(self, path: str, entries: list[LoggedEvent]) -> None:
        try:
            count, reason = write_log_file(Path(path), entries), ""
        except OSError as exc:
            count, reason = -1, exc.strerror or str(exc)
        with contextlib.suppress(RuntimeError):  # the controller was deleted meanwhile (quit)
            self._export_done.emit(path, count, reason)

    def _on_export_done(self, path: str, count: int, reason: str) -> None:
        self.exporting = False
        if count < 0:
            self.export_failed.emit(path, reason)
        else:
            self.exported.emit(path, count)

    def status_text(self) -> str:
        """Kept / limit, and the note about dropped events (what the dock's footer says)."""
        log = self.log
        text = f"{_events(len(log))} kept (limit {log.limit:,})"
        if log.dropped:
            text += f"; {_events(log.dropped, 'older ')} dropped to stay within the limit"
        if self.paused:
            text += f"; paused, {_events(self.held, 'new ')} not shown yet"
        return text

    def _on_rate_timer_timeout(self) -> None:
        now = time.monotonic()
        while self._arrivals and now - self._arrivals[0][0] > RATE_WINDOW_S:
            self._arrivals.popleft()
        rate = sum(n for _, n in self._arrivals) / RATE_WINDOW_S
        if rate != self.rate:
            self.rate = rate
            self.rate_changed.emit(rate)


def _events(count: int, kind: str = "") -> str:
    """``1 new event``, ``2,000 new events``: the count with its noun (the dock's footer)."""
    return f"{count:,} {kind}{'event' if count == 1 else 'events'}"
