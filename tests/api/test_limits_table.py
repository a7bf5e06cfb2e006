"""One rule set: the SDK's checks before sending and the sandbox's checks refuse exactly the same inputs,
across every limit of CONTRACT §4 (issue 13). Table-driven, against the real sandbox.

For every row the same value goes (a) through the SDK method, which either refuses it before sending
(ValidationError without a status) or sends it, and (b) raw, as JSON, to the sandbox. The verdicts
must agree, and the SDK must never send something the sandbox then refuses.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from skydesk.api import SkylightClient, ValidationError
from skydesk.api import limits as lim

APPS = "/v1/application/applications"
SdkCall = Callable[[SkylightClient, str, str, Any], Awaitable[object]]


@dataclass(frozen=True)
class Limit:
    """One limit: how the SDK is asked, and the raw request carrying the same value."""

    name: str
    sdk: SdkCall
    method: str
    path: str  # "" = the sessions list, "s" = the session, "s/<x>" = below the session
    body: Callable[[Any], dict[str, Any] | None]
    params: Callable[[Any], dict[str, str]] | None = None


def _deep(levels: int) -> dict[str, Any]:
    """Session data whose innermost value sits ``levels`` below the data object."""
    node: Any = 1
    for _ in range(levels):
        node = {"k": node}
    return dict(node)


def _props(n: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(n)}


LIMITS: list[tuple[Limit, list[Any]]] = [
    (
        Limit("session name", lambda c, a, s, v: c.create_session(a, name=v, version=1), "POST", "",
              lambda v: {"name": v, "version": 1, "participants": []}),
        ["", "n" * lim.NAME_MAX, "n" * (lim.NAME_MAX + 1), 5, None],
    ),
    (
        Limit("session description",
              lambda c, a, s, v: c.create_session(a, description=v, version=1), "POST", "",
              lambda v: {"description": v, "version": 1, "participants": []}),
        ["d" * lim.DESCRIPTION_MAX, "d" * (lim.DESCRIPTION_MAX + 1), ["x"]],
    ),
    (
        Limit("version", lambda c, a, s, v: c.create_session(a, version=v), "POST", "",
              lambda v: {"version": v, "participants": []}),
        [0, 1, 4, lim.VERSION_MAX, lim.VERSION_MAX + 1, -1, True, "3"],
    ),
    (
        Limit("properties", lambda c, a, s, v: c.create_session(a, properties=v, version=1), "POST", "",
              lambda v: {"properties": v, "version": 1, "participants": []}),
        [
            _props(lim.PROPERTIES_MAX), _props(lim.PROPERTIES_MAX + 1), {"": "v"},
            {"k" * lim.PROPERTY_KEY_MAX: "v"}, {"k" * (lim.PROPERTY_KEY_MAX + 1): "v"},
            {"k": "v" * lim.PROPERTY_VALUE_MAX}, {"k": "v" * (lim.PROPERTY_VALUE_MAX + 1)},
            {"k": None}, {"k": {"nested": 1}}, {"k": ["a"]}, ["a"], "text",
        ],
    ),
    (
        Limit("participant in a create",
              lambda c, a, s, v: c.create_session(a, participants=[v], version=1), "POST", "",
              lambda v: {"participants": [v], "version": 1}),
        [
            {"id": "u" * lim.PARTICIPANT_ID_MAX, "type": "user"}, {"id": "u" * (lim.PARTICIPANT_ID_MAX + 1)},
            {"id": "", "type": "user"}, {"id": "   ", "type": "user"}, {"id": "g", "type": "group"},
            {"id": "r", "type": "robot"}, {"id": "x", "isGuest": "yes"}, {"type": "user"},
        ],
    ),
    (
        Limit("status", lambda c, a, s, v: c.patch_session(a, s, {"status": v}), "PATCH", "s",
              lambda v: {"status": v}),
        ["open", "paused", "OPEN", None, 1],
    ),
    (
        Limit("session data", lambda c, a, s, v: c.patch_session_data(a, s, v, version=1), "PATCH", "s/data",
              lambda v: {"data": v, "version": 1}),
        [
            {"a" * lim.DATA_KEY_MAX: 1}, {"a" * (lim.DATA_KEY_MAX + 1): 1}, {"bad key": 1}, {"": 1},
            {"\u00e9": 1}, {"\u0661": 1}, {"ok": [{"x y": 1}]}, {"a-b_C9": None},
            _deep(lim.DATA_DEPTH_MAX), _deep(lim.DATA_DEPTH_MAX + 1), [1], "text",
        ],
    ),
    (
        Limit("data version", lambda c, a, s, v: c.patch_session_data(a, s, {"x": 1}, version=v), "PATCH",
              "s/data", lambda v: {"data": {"x": 1}, "version": v}),
        [1, 0, lim.VERSION_MAX, lim.VERSION_MAX + 1, False],
    ),
    (
        Limit("custom event type", lambda c, a, s, v: c.create_session_event(a, s, v, {}), "POST", "s/events",
              lambda v: {"eventType": v, "data": {}}),
        [
            "photo.taken", "a:b-c_d", "e" * lim.EVENT_TYPE_MAX, "e" * (lim.EVENT_TYPE_MAX + 1), "",
            "has space", "caf\u00e9", "\u0661\u0662", "slash/type", 7,
        ],
    ),
    (
        Limit("custom event data", lambda c, a, s, v: c.create_session_event(a, s, "note", v), "POST",
              "s/events", lambda v: {"eventType": "note", "data": v}),
        [
            {"ok": 1}, {"x y": 1}, {"k" * 65: 1}, _deep(lim.DATA_DEPTH_MAX), _deep(lim.DATA_DEPTH_MAX + 1),
            None, [1],
        ],
    ),
    (
        Limit("added participant",
              lambda c, a, s, v: c.add_participant(a, s, v["id"], v["type"]), "POST", "s/participants",
              lambda v: v),
        [
            {"id": "g-1", "type": "group"}, {"id": "u-1", "type": "robot"}, {"id": "", "type": "user"},
            {"id": " ", "type": "user"}, {"id": "u" * (lim.PARTICIPANT_ID_MAX + 1), "type": "user"},
        ],
    ),
    (
        Limit("media metadata", lambda c, a, s, v: c.create_session_media(a, s, **_media_args(v)), "POST",
              "s/media", lambda v: _media_json(v)),
        [
            {}, {"filename": ""}, {"filename": "f" * lim.MEDIA_FILENAME_MAX},
            {"filename": "f" * (lim.MEDIA_FILENAME_MAX + 1)}, {"title": "t" * lim.MEDIA_TITLE_MAX},
            {"title": "t" * (lim.MEDIA_TITLE_MAX + 1)},
            {"description": "d" * (lim.MEDIA_DESCRIPTION_MAX + 1)},
            {"labels": ["a"] * lim.MEDIA_LABELS_MAX}, {"labels": ["a"] * (lim.MEDIA_LABELS_MAX + 1)},
            {"labels": ["l" * lim.MEDIA_LABEL_MAX]}, {"labels": ["l" * (lim.MEDIA_LABEL_MAX + 1)]},
            {"labels": ["a,b"]}, {"labels": [""]}, {"content_type": "image/jpeg"},
            {"content_type": "text/plain; charset=utf-8"}, {"content_type": "000000"},
            {"content_type": "image/"}, {"content_type": "a/b/c"}, {"content_type": "x/" + "y" * 300},
            {"total_bytes": lim.MEDIA_BYTES_MAX}, {"total_bytes": lim.MEDIA_BYTES_MAX + 1},
            {"total_bytes": -1}, {"properties": _props(lim.PROPERTIES_MAX + 1)},
        ],
    ),
    (
        Limit("page size", lambda c, a, s, v: c.list_sessions(a, limit=v), "GET", "", lambda v: None,
              lambda v: {"limit": str(v)}),
        [lim.LIMIT_MIN, lim.LIMIT_MAX, lim.LIMIT_MIN - 1, lim.LIMIT_MAX + 1],
    ),
    (
        Limit("session sort", lambda c, a, s, v: c.list_sessions(a, sort=v), "GET", "", lambda v: None,
              lambda v: {"sort": v}),
        ["name", "-modifiedAt", "_id", "-_id", "--name", "size", "Name", "id"],
    ),
    (
        Limit("media sort", lambda c, a, s, v: c.list_session_media(a, s, sort=v), "GET", "s/media",
              lambda v: None, lambda v: {"sort": v}),
        ["filename", "name", "-createdAt", "_id", "-_id", "-", "title"],
    ),
    (
        Limit("comma-list filter", lambda c, a, s, v: c.list_sessions(a, participants=v), "GET", "",
              lambda v: None, lambda v: {"participants": ",".join(v)}),
        [[f"u{i}" for i in range(lim.LIST_VALUES_MAX)], [f"u{i}" for i in range(lim.LIST_VALUES_MAX + 1)]],
    ),
]  # fmt: skip


def _media_args(v: dict[str, Any]) -> dict[str, Any]:
    return {"filename": "a.png", "content_type": "image/png", "total_bytes": 0, **v}


def _media_json(v: dict[str, Any]) -> dict[str, Any]:
    names = {"content_type": "contentType", "total_bytes": "totalBytes"}
    return {names.get(k, k): value for k, value in _media_args(v).items()}


async def _sdk_verdict(call: Awaitable[object]) -> str:
    try:
        await call
    except ValidationError as exc:
        return "refused" if exc.status is None else f"sent, then refused by the server: {exc}"
    return "accepted"


async def test_sdk_and_sandbox_refuse_exactly_the_same_inputs(
    tech: SkylightClient, sandbox: Any, app_id: str
) -> None:
    sid = (await tech.create_session(app_id, name="limits table")).session_id
    base = f"{APPS}/{app_id}/sessions"
    token = await tech.access_token()
    verify = ssl.create_default_context(cafile=sandbox.info.ca_file)
    disagreements: list[str] = []
    rows = 0
    async with httpx.AsyncClient(
        base_url=sandbox.info.api_url, verify=verify, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as raw:
        for limit, values in LIMITS:
            path = base if not limit.path else f"{base}/{sid}{limit.path[1:]}"
            for value in values:
                rows += 1
                sdk = await _sdk_verdict(limit.sdk(tech, app_id, sid, value))
                r = await raw.request(
                    limit.method,
                    path,
                    json=limit.body(value),
                    params=limit.params(value) if limit.params else None,
                )
                assert r.status_code in (200, 201, 204, 400), (limit.name, r.status_code, r.text)
                server = "refused" if r.status_code == 400 else "accepted"
                if sdk != server:
                    disagreements.append(f"{limit.name} {str(value)[:60]!r}: SDK {sdk}, sandbox {server}")
    assert rows > 100
    assert disagreements == []
