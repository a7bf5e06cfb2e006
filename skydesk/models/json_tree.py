"""Session data (any JSON value) as a read-only key / value / type tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

COL_KEY, COL_VALUE, COL_TYPE = range(3)
HEADERS = ("Key", "Value", "Type")
PathRole = Qt.ItemDataRole.UserRole + 1  # the dotted path of the node, e.g. "steps.0.label"


def json_type(value: Any) -> str:
    """The JSON type name of a Python value decoded from JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def json_summary(value: Any) -> str:
    """One-line text for the Value column."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"{{{len(value)} key{'s' if len(value) != 1 else ''}}}"
    if isinstance(value, list | tuple):
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    return str(value)


@dataclass(eq=False)
class _Node:
    key: str
    value: Any
    parent: int  # node id of the parent, -1 for top-level rows
    row: int
    path: str
    children: list[int] = field(default_factory=list)


class JsonTreeModel(QAbstractItemModel):
    """Tree over a JSON document; nodes live in a flat list and indexes carry the node id."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._nodes: list[_Node] = []
        self._top: list[int] = []
        self._document: Any = {}

    def set_document(self, document: Any) -> None:
        """Show a new JSON value (the tree is rebuilt: a reset)."""
        self.beginResetModel()
        self._document = document
        self._nodes = []
        self._top = self._build(document, -1, "")
        self.endResetModel()

    @property
    def document(self) -> Any:
        """The JSON value shown."""
        return self._document

    def _build(self, value: Any, parent: int, prefix: str) -> list[int]:
        if isinstance(value, dict):
            items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list | tuple):
            items = [(str(i), v) for i, v in enumerate(value)]
        else:
            return []
        ids: list[int] = []
        for row, (key, child) in enumerate(items):
            node_id = len(self._nodes)
            path = f"{prefix}.{key}" if prefix else key
            self._nodes.append(_Node(key, child, parent, row, path))
            self._nodes[node_id].children = self._build(child, node_id, path)
            ids.append(node_id)
        return ids

    def _node(self, index: Index) -> _Node | None:
        if not index.isValid():
            return None
        node_id = index.internalId()
        return self._nodes[node_id] if 0 <= node_id < len(self._nodes) else None

    def _children(self, parent: Index) -> list[int]:
        node = self._node(parent)
        return self._top if node is None else node.children

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Index of a child row of `parent`."""
        children = self._children(parent)
        if not (0 <= row < len(children) and 0 <= column < len(HEADERS)):
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """Parent index (column 0), or invalid for top-level rows."""
        node = self._node(child)
        if node is None or node.parent < 0:
            return QModelIndex()
        parent_node = self._nodes[node.parent]
        return self.createIndex(parent_node.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Children of an object/array node (only column 0 has children)."""
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Key, Value, Type."""
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Read-only, selectable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Key / value summary / type text; the full value as tooltip; never raises."""
        node = self._node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == COL_KEY:
                return node.key
            if index.column() == COL_VALUE:
                return json_summary(node.value)
            return json_type(node.value)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_VALUE:
            return json_summary(node.value)
        if role == PathRole:
            return node.path
        return None
