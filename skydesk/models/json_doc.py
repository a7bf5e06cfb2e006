"""Pure logic over session-data documents: paths, key checks, minimal merge patches, three-way merge, find.

No Qt here: the editor model, the timeline and the event log all build on these functions, and the tests
exercise them directly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from skydesk.api.merge import merge_patch
from skydesk.api.validation import validate_data_keys

Path = tuple[str | int, ...]
MISSING: Any = object()  # "no such key", distinct from a JSON null


# ---------------------------------------------------------------------------------------------- values


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


# ---------------------------------------------------------------------------------------------- paths


def format_path(path: Path) -> str:
    """``("inspection", "steps", 2, "title")`` -> ``inspection.steps[2].title`` (odd keys quoted)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part and all(c.isalnum() or c in "_-" for c in part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out


def get_at(document: Any, path: Path) -> Any:
    """The value at ``path``, or MISSING."""
    value = document
    for part in path:
        if isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value):
            value = value[part]
        elif isinstance(part, str) and isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return MISSING
    return value


def same(a: Any, b: Any) -> bool:
    """JSON equality: unlike Python's ``==``, ``true`` is not ``1`` and ``1`` is not ``"1"``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------------------------------- keys


def key_error(key: str) -> str | None:
    """Why ``key`` breaks the SDK's data-key rule (1-64 of ``A-Z a-z 0-9 _ -``), or None."""
    errors = validate_data_keys({key: None}, field="")
    return errors[0].message if errors else None


def key_problems(document: Any) -> list[tuple[Path, str]]:
    """Every key of ``document`` (at every depth) that the API would refuse, in document order."""
    return [(path, msg) for path, value in walk(document) if (msg := _key_msg(path)) is not None]


def _key_msg(path: Path) -> str | None:
    last = path[-1] if path else None
    return key_error(last) if isinstance(last, str) else None


def walk(document: Any, prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) below ``document`` in document order (the root itself excluded)."""
    stack: list[tuple[Path, Any]] = [(prefix, document)]
    while stack:
        path, value = stack.pop()
        if path != prefix:
            yield path, value
        if isinstance(value, dict):
            stack.extend(reversed([((*path, k), v) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([((*path, i), v) for i, v in enumerate(value)]))


# ---------------------------------------------------------------------------------------------- patches


def merge_diff(before: Any, after: Any) -> Any:
    """The smallest RFC 7386 merge patch turning ``before`` into ``after``.

    Deleted keys become ``null``; changed arrays and scalars go whole; unchanged keys are left out.
    ``merge_patch(before, merge_diff(before, after))`` equals ``after`` except where ``after`` holds a
    ``null`` inside an object, which a merge patch cannot express (see :func:`null_members`).
    """
    if not isinstance(before, dict) or not isinstance(after, dict):
        return after
    patch: dict[str, Any] = {}
    for key, value in after.items():
        old = before.get(key, MISSING)
        if old is MISSING:
            patch[key] = value
        elif isinstance(old, dict) and isinstance(value, dict):
            sub = merge_diff(old, value)
            if sub:
                patch[key] = sub
        elif not same(old, value):
            patch[key] = value
    patch.update((key, None) for key in before if key not in after)
    return patch


def null_members(document: Any) -> list[Path]:
    """Object members whose value is ``null``: a merge patch deletes them instead of storing null."""
    found: list[Path] = []
    for path, value in walk(document):
        parent = get_at(document, path[:-1])
        if value is None and isinstance(parent, dict):
            found.append(path)
    return found


def patch_leaves(patch: Any, prefix: Path = ()) -> dict[Path, Any]:
    """A merge patch as {path: value} for the places it sets or deletes (nested objects opened)."""
    if not isinstance(patch, dict) or not patch:
        return {prefix: patch}
    leaves: dict[Path, Any] = {}
    for key, value in patch.items():
        leaves.update(patch_leaves(value, (*prefix, key)))
    return leaves


def describe_patch(patch: Any, before: Any, limit: int = 3) -> str:
    """One line for a data patch: ``set readings.pressure_bar 8.1 → 8.98; removed notes``."""
    parts: list[str] = []
    leaves = patch_leaves(patch) if isinstance(patch, dict) and patch else {}
    for path, value in list(leaves.items())[:limit]:
        old = get_at(before, path)
        where = format_path(path)
        if value is None:
            parts.append(f"removed {where}")
        elif old is MISSING:
            parts.append(f"set {where} {short_json(value)}")
        else:
            parts.append(f"set {where} {short_json(old)} → {short_json(value)}")
    if len(leaves) > limit:
        parts.append(f"and {len(leaves) - limit} more")
    return "; ".join(parts) if parts else "no change"


def short_json(value: Any, width: int = 40) -> str:
    """Compact JSON of ``value``, cut to ``width`` characters."""
    text = value if isinstance(value, str) and len(value) <= width else None
    text = text if text is not None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------- merging


@dataclass(frozen=True)
class Clash:
    """A place both the user and someone else changed, to different values."""

    path: Path
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class ThreeWay:
    """The outcome of merging someone else's change into an edit."""

    merged: Any  # theirs with my changes on top (mine wins on clashes: "Keep mine")
    reloaded: Any  # theirs with my changes that do not clash ("Reload theirs")
    clashes: list[Clash]


def three_way(base: Any, mine: Any, theirs: Any) -> ThreeWay:
    """Merge ``theirs`` (the server's new state) into ``mine`` (an edit that started from ``base``)."""
    my_patch, their_patch = merge_diff(base, mine), merge_diff(base, theirs)
    my_leaves = patch_leaves(my_patch) if my_patch else {}
    their_leaves = patch_leaves(their_patch) if their_patch else {}
    clashing: list[Path] = []
    for p in my_leaves:
        for q in their_leaves:
            overlap = p[: len(q)] == q or q[: len(p)] == p
            if overlap and not same(get_at(mine, p), get_at(theirs, p)):
                clashing.append(p)
                break
    clashes = [Clash(p, get_at(base, p), get_at(mine, p), get_at(theirs, p)) for p in clashing]
    kept = {p: v for p, v in my_leaves.items() if p not in clashing}
    reloaded = theirs
    for path, value in kept.items():
        reloaded = merge_patch(reloaded, _nest(path, value))
    return ThreeWay(merge_patch(theirs, my_patch) if my_leaves else theirs, reloaded, clashes)


def _nest(path: Path, value: Any) -> Any:
    for part in reversed(path):
        value = {part: value}
    return value


# ---------------------------------------------------------------------------------------------- raw text


@dataclass(frozen=True)
class SyntaxProblem:
    """Where raw JSON text stopped making sense (1-based line and column)."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}"


def parse_document(text: str) -> tuple[Any, SyntaxProblem | None]:
    """Parse raw JSON text as session data (an object); returns (value, None) or (None, problem)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, SyntaxProblem(exc.lineno, exc.colno, exc.msg)
    if not isinstance(value, dict):
        return None, SyntaxProblem(1, 1, "Session data must be a JSON object ({ … })")
    return value, None


def format_document(document: Any) -> str:
    """The document as indented JSON (the raw mode's text and the diff's sides)."""
    return json.dumps(document, indent=2, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------- find


def find(document: Any, text: str) -> list[Path]:
    """Paths whose key or (scalar) value contains ``text``, ignoring case, in document order."""
    needle = text.casefold()
    if not needle:
        return []
    hits: list[Path] = []
    for path, value in walk(document):
        key = str(path[-1])
        shown = "" if isinstance(value, dict | list) else short_json(value, 10_000)
        if needle in key.casefold() or needle in shown.casefold():
            hits.append(path)
    return hits
