"""The media list of one session: the query (filters, sort) and the table model with cursor paging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPixmap

from skydesk.models.table_base import FixedColumns

if TYPE_CHECKING:
    from skydesk.api import Media

Index = QModelIndex | QPersistentModelIndex

COL_FILENAME, COL_TITLE, COL_LABELS, COL_TYPE, COL_SIZE, COL_UPLOAD, COL_CREATED_BY, COL_CREATED = range(8)
HEADERS = ("Filename", "Title", "Labels", "Type", "Size", "Upload", "Created by", "Created")
ARCHIVED_CHOICES = ("exclude", "include", "only")

MediaRole = Qt.ItemDataRole.UserRole + 1
MediaIdRole = Qt.ItemDataRole.UserRole + 2
IncompleteRole = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class MediaQuery:
    """What the media list shows: the reference's filters and one sort (``-`` prefix: descending)."""

    labels: tuple[str, ...] = ()
    exclude_labels: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ()
    archived: str = "exclude"
    sort: str | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``SkylightClient.list_session_media``."""
        out: dict[str, Any] = {"archived": self.archived}
        if self.labels:
            out["labels"] = list(self.labels)
        if self.exclude_labels:
            out["exclude_labels"] = list(self.exclude_labels)
        if self.content_types:
            out["content_type"] = list(self.content_types)
        if self.sort:
            out["sort"] = self.sort
        return out

    def admits(self, media: Media) -> bool:
        """Whether ``media`` still belongs in a list made with this query (after an edit)."""
        if media.archived != (self.archived == "only") and self.archived != "include":
            return False
        if self.labels and not set(self.labels) & set(media.labels):
            return False
        if set(self.exclude_labels) & set(media.labels):
            return False
        if self.content_types:
            kind = media.content_type.split(";", 1)[0].strip().lower()
            return any(
                kind == t.lower() or (t.endswith("/*") and kind.startswith(t[:-1].lower()))
                for t in self.content_types
            )
        return True


def human_size(n: int) -> str:
    """Bytes in the largest unit that keeps a number below 1024 (``1.5 MB``)."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"


def upload_state(media: Media) -> str:
    """``complete``, or what arrived of how much, marked incomplete."""
    if media.is_complete:
        return "complete"
    percent = media.uploaded_bytes * 100 // media.total_bytes if media.total_bytes else 0
    return f"incomplete: {human_size(media.uploaded_bytes)} of {human_size(media.total_bytes)} ({percent} %)"


class MediaListModel(FixedColumns, QAbstractTableModel):
    """Loaded media as rows; more pages on demand (canFetchMore/fetchMore), thumbnails on the filename."""

    HEADERS = HEADERS

    totalChanged = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[Media] = []
        self._rows: dict[str, int] = {}
        self._total = 0
        self._has_more = False
        self._fetching = False
        self.fetch_callback: Callable[[], None] | None = None
        self.user_label: Callable[[str], str] = lambda user_id: user_id
        #: media -> its thumbnail if ready; may ask for it to be made (never blocks, never does I/O)
        self.thumbnail: Callable[[Media], QPixmap | None] = lambda media: None

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Loaded items."""
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, the thumbnail, or the media itself; never raises."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        media = self._items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(media, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_UPLOAD and not media.is_complete:
                return "The upload did not finish: resume it with the file, or delete the item."
            return media.description or None if column in (COL_FILENAME, COL_TITLE) else None
        if role == Qt.ItemDataRole.DecorationRole and column == COL_FILENAME:
            return self.thumbnail(media)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == MediaRole:
            return media
        if role == MediaIdRole:
            return media.media_id
        if role == IncompleteRole:
            return not media.is_complete
        return None

    def _text(self, media: Media, column: int) -> str:
        if column == COL_FILENAME:
            return media.filename + ("  (archived)" if media.archived else "")
        if column == COL_TITLE:
            return media.title
        if column == COL_LABELS:
            return ", ".join(media.labels)
        if column == COL_TYPE:
            return media.content_type
        if column == COL_SIZE:
            return human_size(media.total_bytes)
        if column == COL_UPLOAD:
            return upload_state(media)
        if column == COL_CREATED_BY:
            return self.user_label(media.created_by) if media.created_by else ""
        if column == COL_CREATED:
            return media.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return ""

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        """True while the server has another page and none is being fetched."""
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """Ask the controller for the next page; ``append_page`` or ``fetch_failed`` clear the guard."""
        if self.canFetchMore(parent) and self.fetch_callback is not None:
            self._fetching = True
            self.fetch_callback()

    # ------------------------------------------------------------------ changes from the controller
    @property
    def items(self) -> list[Media]:
        """The loaded items, in order."""
        return list(self._items)

    @property
    def total(self) -> int:
        """How many items match the query on the server."""
        return self._total

    def media(self, media_id: str) -> Media | None:
        """The loaded item with this id."""
        row = self._rows.get(media_id)
        return None if row is None else self._items[row]

    def set_page(self, items: list[Media], total: int, has_more: bool) -> None:
        """Replace everything with a first page."""
        self.beginResetModel()
        self._items = list(items)
        self._reindex()
        self._has_more, self._fetching = has_more, False
        self.endResetModel()
        self._set_total(total)

    def append_page(self, items: list[Media], total: int, has_more: bool) -> None:
        """Add the next page (items already shown, e.g. just uploaded, are skipped)."""
        fresh = [m for m in items if m.media_id not in self._rows]
        if fresh:
            first = len(self._items)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._items.extend(fresh)
            self._reindex()
            self.endInsertRows()
        self._has_more, self._fetching = has_more, False
        self._set_total(total)

    def fetch_failed(self) -> None:
        """A page did not arrive: allow the view to ask again."""
        self._fetching = False

    def upsert(self, media: Media, *, at_end: bool = True) -> None:
        """Show the new state of an item, adding it if it is not listed yet."""
        row = self._rows.get(media.media_id)
        if row is not None:
            self._items[row] = media
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
            return
        row = len(self._items) if at_end else 0
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, media)
        self._reindex()
        self.endInsertRows()
        self._set_total(self._total + 1)

    def remove(self, media_id: str) -> None:
        """Drop an item (deleted, or no longer matching the filters)."""
        row = self._rows.get(media_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self._reindex()
        self.endRemoveRows()
        self._set_total(max(0, self._total - 1))

    def refresh_decoration(self, media_id: str) -> None:
        """Repaint one item's thumbnail (it just became ready)."""
        row = self._rows.get(media_id)
        if row is not None:
            index = self.index(row, COL_FILENAME)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def refresh_all(self) -> None:
        """Repaint every row (user names became known)."""
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(HEADERS) - 1))

    def clear(self) -> None:
        """No session: no rows."""
        self.set_page([], 0, False)

    def _reindex(self) -> None:
        self._rows = {m.media_id: i for i, m in enumerate(self._items)}

    def _set_total(self, total: int) -> None:
        if total != self._total:
            self._total = total
            self.totalChanged.emit(total)
