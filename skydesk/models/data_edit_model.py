"""Session data as an editable key / value / type tree: add, edit, rename, delete and retype at any depth."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from skydesk.models.json_doc import Path, format_path, json_summary, json_type, key_error
from skydesk.models.table_base import FixedColumns

Index = QModelIndex | QPersistentModelIndex
COL_KEY, COL_VALUE, COL_TYPE = range(3)
HEADERS = ("Key", "Value", "Type")
TYPES = ("string", "number", "boolean", "null", "object", "array")
PathRole = Qt.ItemDataRole.UserRole + 1  # the node's Path tuple
KeyErrorRole = Qt.ItemDataRole.UserRole + 2  # why the key is refused, or None
# The node's JSON value. Views call value_at() instead: through a QVariant, an integer beyond 64 bits (valid
# JSON, kept exactly by Python) raises OverflowError.
FullValueRole = Qt.ItemDataRole.UserRole + 3
CHANGED_COLOR = QColor(255, 214, 102, 110)  # a field someone else changed: soft amber, legible in both themes
LONG_TEXT = 80  # strings longer than this (or with line breaks) open in the multi-line editor
_ids = itertools.count(1)


def is_long_text(value: Any) -> bool:
    """Whether a value is edited in the multi-line editor instead of in its row."""
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value)


@dataclass(eq=False)
class _Node:
    key: str | int  # member name, or index in the parent array
    kind: str  # one of TYPES
    value: Any = None  # the scalar value (None for containers)
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None
    uid: int = field(default_factory=lambda: next(_ids))


def convert(value: Any, kind: str) -> Any:
    """``value`` turned into a JSON value of type ``kind``, keeping what makes sense."""
    if kind == json_type(value):
        return value
    if kind == "string":
        return "" if value is None else json_summary(value) if isinstance(value, dict | list) else str(value)
    if kind == "number":
        number = parse_number(str(value)) if isinstance(value, str) else None
        return number if number is not None else 1 if value is True else 0
    if kind == "boolean":
        return value.strip().lower() == "true" if isinstance(value, str) else bool(value)
    if kind == "object":
        return {}
    if kind == "array":
        return list(value.values()) if isinstance(value, dict) else []
    return None


def parse_number(text: str) -> int | float | None:
    """A JSON number from text ("8.98", "-3", "1e3"), or None."""
    try:
        value = json.loads(text.strip())
    except ValueError:
        return None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class DataEditModel(FixedColumns, QAbstractItemModel):
    """An editable JSON object; ``document()`` rebuilds the value, ``problems()`` lists refused keys."""

    HEADERS = HEADERS
    TREE = True

    edited = Signal()  # any change by the user (not set_document)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("", "object")
        self._by_uid: dict[int, _Node] = {}
        self.changed_paths: set[Path] = set()  # fields highlighted as changed by someone else

    # ------------------------------------------------------------------ whole document
    def set_document(self, document: dict[str, Any]) -> None:
        """Show ``document`` (a reset; the edit history is the caller's)."""
        self.beginResetModel()
        self._by_uid.clear()
        self._root = self._build("", document, None)
        self.endResetModel()

    def document(self) -> dict[str, Any]:
        """The edited document as JSON."""
        value = self._value(self._root)
        return value if isinstance(value, dict) else {}

    def set_changed_paths(self, paths: set[Path]) -> None:
        """Highlight the fields in ``paths`` as changed by someone else (the previous marks go)."""
        before, self.changed_paths = self.changed_paths, set(paths)
        for path in before | self.changed_paths:
            index = self.index_of(path)
            if index.isValid():
                self.dataChanged.emit(index, index.siblingAtColumn(COL_TYPE))

    def _build(self, key: str | int, value: Any, parent: _Node | None) -> _Node:
        node = _Node(key, json_type(value), None, [], parent)
        if isinstance(value, dict):
            node.children = [self._build(k, v, node) for k, v in value.items()]
        elif isinstance(value, list):
            node.children = [self._build(i, v, node) for i, v in enumerate(value)]
        else:
            node.value = value
        self._by_uid[node.uid] = node
        return node

    def _value(self, node: _Node) -> Any:
        if node.kind == "object":
            return {str(c.key): self._value(c) for c in node.children}
        if node.kind == "array":
            return [self._value(c) for c in node.children]
        return node.value

    # ------------------------------------------------------------------ questions
    def path(self, index: Index) -> Path:
        """The path of the node at ``index`` (``()`` for the root)."""
        node = self._node(index)
        parts: list[str | int] = []
        while node is not None and node.parent is not None:
            parts.append(node.key)
            node = node.parent
        return tuple(reversed(parts))

    def index_of(self, path: Path) -> QModelIndex:
        """The index (column 0) of the node at ``path``, or invalid."""
        index = QModelIndex()
        for part in path:
            node = self._node(index) or self._root
            row = next((i for i, c in enumerate(node.children) if c.key == part), -1)
            if row < 0:
                return QModelIndex()
            index = self.index(row, 0, index)
        return index

    def value_at(self, index: Index) -> Any:
        """The JSON value of the node at ``index`` (the whole document for the root)."""
        node = self._node(index)
        return self._value(node or self._root)

    def key_problem(self, index: Index) -> str | None:
        """Why the key at ``index`` would be refused: the SDK's data-key rule, or a duplicate name."""
        node = self._node(index)
        return self._key_problem(node) if node is not None else None

    def problems(self) -> list[tuple[Path, str]]:
        """Every refused key in the document, in document order."""
        found: list[tuple[Path, str]] = []
        stack = [self._root]
        while stack:
            node = stack.pop()
            message = self._key_problem(node)
            if message is not None:
                found.append((self.path(self._index_for(node)), message))
            stack.extend(reversed(node.children))
        return found

    def _key_problem(self, node: _Node) -> str | None:
        parent = node.parent
        if parent is None or parent.kind != "object" or not isinstance(node.key, str):
            return None
        message = key_error(node.key)
        if message is None and sum(1 for c in parent.children if c.key == node.key) > 1:
            message = f"The key {node.key!r} is there twice at this level"
        return message

    # ------------------------------------------------------------------ edits
    def add(
        self, parent: Index, key: str | None = None, value: Any = "", row: int | None = None
    ) -> QModelIndex:
        """Add a member (objects: named ``key`` or a free "newKey…") or an item (arrays) under ``parent``."""
        node = self._node(parent) or self._root
        if node.kind not in ("object", "array"):
            return QModelIndex()
        at = len(node.children) if row is None else max(0, min(row, len(node.children)))
        name: str | int = at if node.kind == "array" else key or self._free_key(node)
        parent_index = self._index_for(node)
        self.beginInsertRows(parent_index, at, at)
        child = self._build(name, value, node)
        node.children.insert(at, child)
        self._renumber(node)
        self.endInsertRows()
        self.edited.emit()
        return self.index(at, 0, parent_index)

    def remove(self, index: Index) -> bool:
        """Delete the member or item at ``index``."""
        node = self._node(index)
        if node is None or node.parent is None:
            return False
        parent = node.parent
        row = parent.children.index(node)
        self.beginRemoveRows(self._index_for(parent), row, row)
        del parent.children[row]
        self._forget(node)
        self._renumber(parent)
        self.endRemoveRows()
        self.edited.emit()
        return True

    def rename(self, index: Index, key: str) -> bool:
        """Rename an object member (checked as you type: a refused key is kept, highlighted)."""
        node = self._node(index)
        if node is None or node.parent is None or node.parent.kind != "object" or node.key == key:
            return False
        node.key = key
        siblings = self._index_for(node.parent)
        count = len(node.parent.children)
        self.dataChanged.emit(self.index(0, 0, siblings), self.index(count - 1, COL_TYPE, siblings))
        self.edited.emit()
        return True

    def set_value(self, index: Index, value: Any) -> bool:
        """Replace the value at ``index`` (its type follows the value; containers get new children)."""
        node = self._node(index)
        if node is None or node.parent is None:
            return False
        parent_index = self._index_for(node.parent)
        row = node.parent.children.index(node)
        if node.children:
            self.beginRemoveRows(self._index_for(node), 0, len(node.children) - 1)
            for child in node.children:
                self._forget(child)
            node.children = []
            self.endRemoveRows()
        fresh = self._build(node.key, value, node.parent)
        node.kind, node.value = fresh.kind, fresh.value
        self._by_uid.pop(fresh.uid, None)
        if fresh.children:
            self.beginInsertRows(self._index_for(node), 0, len(fresh.children) - 1)
            node.children = fresh.children
            for child in node.children:
                child.parent = node
            self.endInsertRows()
        self.dataChanged.emit(self.index(row, 0, parent_index), self.index(row, COL_TYPE, parent_index))
        self.edited.emit()
        return True

    def set_type(self, index: Index, kind: str) -> bool:
        """Change the value's type, converting what can be kept (text "8.9" becomes the number 8.9)."""
        node = self._node(index)
        if node is None or kind not in TYPES or kind == node.kind:
            return False
        return self.set_value(index, convert(self._value(node), kind))

    def _free_key(self, node: _Node) -> str:
        taken = {c.key for c in node.children}
        names = ("newKey" if i == 0 else f"newKey{i}" for i in itertools.count())
        return next(name for name in names if name not in taken)

    def _renumber(self, node: _Node) -> None:
        if node.kind == "array":
            for i, child in enumerate(node.children):
                child.key = i

    def _forget(self, node: _Node) -> None:
        self._by_uid.pop(node.uid, None)
        for child in node.children:
            self._forget(child)

    # ------------------------------------------------------------------ Qt model
    def _node(self, index: Index) -> _Node | None:
        return self._by_uid.get(index.internalId()) if index.isValid() else None

    def _index_for(self, node: _Node) -> QModelIndex:
        if node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.children.index(node), 0, node.uid)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Child ``row`` of ``parent``."""
        node = self._node(parent) if parent.isValid() else self._root
        if node is None or not (0 <= row < len(node.children) and 0 <= column < len(HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row].uid)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """The parent's index (column 0)."""
        node = self._node(child)
        return self._index_for(node.parent) if node is not None and node.parent is not None else QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Members / items of a container (column 0 only)."""
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent) if parent.isValid() else self._root
        return len(node.children) if node is not None else 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Keys of object members, scalar values and every type are editable in place."""
        node = self._node(index)
        if node is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = index.column()
        editable = (
            (column == COL_KEY and node.parent is not None and node.parent.kind == "object")
            or (
                column == COL_VALUE
                and node.kind in ("string", "number", "boolean")
                and not is_long_text(node.value)
            )
            or column == COL_TYPE
        )
        return flags | Qt.ItemFlag.ItemIsEditable if editable else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Texts, the refused-key marks and the changed-field highlight."""
        node = self._node(index)
        if node is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == COL_KEY:
                return str(node.key) if role == Qt.ItemDataRole.EditRole else self._key_text(node)
            if column == COL_VALUE:
                return self._value_text(node, role)
            return node.kind
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = self._key_problem(node)
            if column == COL_KEY and problem:
                return problem
            return self._value_text(node, role) if column == COL_VALUE else None
        if role == KeyErrorRole:
            return self._key_problem(node)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_KEY and self._key_problem(node):
            return QBrush(QColor("#d32f2f"))
        if role == Qt.ItemDataRole.FontRole and column == COL_KEY and self._key_problem(node):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and self.path(index) in self.changed_paths:
            return QBrush(CHANGED_COLOR)
        if role == PathRole:
            return self.path(index)
        if role == FullValueRole:
            return self._value(node)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COL_KEY:
            return format_path(self.path(index))
        return None

    def _key_text(self, node: _Node) -> str:
        return f"[{node.key}]" if isinstance(node.key, int) else node.key

    def _value_text(self, node: _Node, role: int) -> str:
        if node.kind == "string":
            return (
                str(node.value)
                if role != Qt.ItemDataRole.DisplayRole
                else str(node.value).replace("\n", " ⏎ ")
            )
        if node.kind == "number":
            return json.dumps(node.value)
        return json_summary(self._value(node))

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """In-place edits: rename a key, set a scalar (numbers parsed), pick a type."""
        node = self._node(index)
        if node is None or role != Qt.ItemDataRole.EditRole:
            return False
        column = index.column()
        if column == COL_KEY:
            return self.rename(index, str(value))
        if column == COL_TYPE:
            return self.set_type(index, str(value))
        if node.kind == "number":
            number = (
                value
                if isinstance(value, int | float) and not isinstance(value, bool)
                else parse_number(str(value))
            )
            return number is not None and self.set_value(index, number)
        if node.kind == "boolean":
            flag = value if isinstance(value, bool) else str(value).strip().lower() == "true"
            return self.set_value(index, flag)
        return self.set_value(index, str(value))
