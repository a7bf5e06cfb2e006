"""/openapi.json describes every endpoint, marks adopted parts, and no endpoint answers 500 to odd input."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import RestServer, make_session

EXPECTED = {
    "/v1/authentication/login/realms/{realm}": {"post"},
    "/v1/authentication/token/refresh": {"post"},
    "/v1/authentication/users": {"get"},
    "/v1/authentication/users/{userId}": {"get"},
    "/v1/authentication/groups": {"get"},
    "/v1/authentication/groups/{groupId}": {"get"},
    "/v1/application/applications": {"get"},
    "/v1/application/applications/{applicationId}": {"get"},
    "/v1/application/applications/{applicationId}/roles": {"get"},
    "/v1/application/applications/{applicationId}/sessions": {"get", "post"},
    "/v1/application/applications/{applicationId}/sessions/{sessionId}": {"get", "patch"},
    "/v1/application/applications/{applicationId}/sessions/{sessionId}/participants": {"get", "post"},
    "/v1/application/applications/{applicationId}/sessions/{sessionId}/participants/{participantId}": {
        "delete"
    },
    "/v1/application/applications/{applicationId}/sessions/{sessionId}/data": {"get", "patch"},
    "/v1/application/applications/{applicationId}/sessions/{sessionId}/events": {"get", "post"},
    "/v1/application/applications/{applicationId}/sessions/{sessionId}/media": {"get", "post"},
    "/v1/application/applications/{applicationId}/sessions/{sessionId}/media/{mediaId}": {
        "get",
        "patch",
        "delete",
    },
    "/v1/application/applications/{applicationId}/sessions/{sessionId}/media/{mediaId}/content": {
        "get",
        "put",
    },
}


@pytest.fixture(scope="module")
def spec(rest_server: RestServer) -> dict[str, Any]:
    with rest_server.client() as c:
        r = c.get("/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def test_every_endpoint_is_described(spec: dict[str, Any]) -> None:
    assert {p: set(m) for p, m in spec["paths"].items()} == EXPECTED
    schemas = spec["components"]["schemas"]
    for name in (
        "SessionCreate",
        "SessionPatch",
        "DataPatch",
        "MediaCreate",
        "MediaPatch",
        "Session",
        "ErrorBody",
    ):
        assert name in schemas
    assert schemas["SessionCreate"]["properties"]["name"]["maxLength"] == 255
    assert schemas["SessionCreate"]["properties"]["description"]["maxLength"] == 1000
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
    create = spec["paths"]["/v1/application/applications/{applicationId}/sessions"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SessionCreate")
    assert "201" in create["responses"]
    assert "422" not in str(spec)  # validation errors are 400 here

    # Schemas say what the server checks (found by a schemathesis run, see the sandbox docs).
    data = schemas["SessionData"]
    assert data["propertyNames"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"
    assert schemas["DataPatch"]["properties"]["data"]["$ref"].endswith("/SessionData")
    patch = schemas["SessionPatch"]["properties"]
    assert patch["name"] == {"maxLength": 255, "title": "Name", "type": "string"}  # may be absent, never null
    assert patch["version"]["minimum"] == 1 and "ge" not in patch["version"]
    apps = spec["paths"]["/v1/application/applications"]["get"]["parameters"]
    sort = next(p for p in apps if p["name"] == "sort")
    assert "modifiedAt" not in str(sort["schema"]["anyOf"][0]["pattern"])


def test_adopted_parts_are_marked(spec: dict[str, Any]) -> None:
    assert "CONTRACT.md" in spec["info"]["description"]
    paths = spec["paths"]
    assert paths["/v1/application/applications"]["get"]["x-skydesk-adopted"] is True
    events = paths["/v1/application/applications/{applicationId}/sessions/{sessionId}/events"]
    assert events["get"]["x-skydesk-adopted"] is True and events["post"]["x-skydesk-adopted"] is True
    # Reference operations are not marked, but their adopted parameters are.
    listing = paths["/v1/application/applications/{applicationId}/sessions"]["get"]
    assert "x-skydesk-adopted" not in listing
    marked = {p["name"] for p in listing["parameters"] if p.get("x-skydesk-adopted")}
    assert marked == {"participants", "name", "createdFrom", "createdTo", "modifiedFrom", "modifiedTo"}
    created_from = next(p for p in listing["parameters"] if p["name"] == "createdFrom")
    assert {"type": "string", "format": "date-time"} in created_from["schema"]["anyOf"]
    sort = next(p for p in listing["parameters"] if p["name"] == "sort")
    assert (
        "case-insensitive" in sort["schema"]["description"] and "(adopted)" in sort["schema"]["description"]
    )


ODD_STRINGS = ["", " ", "%00", "..%2F..", "x" * 3000, "😀", "'; DROP TABLE sessions;--", "-1", "null"]
ODD_BODIES: list[Any] = [
    None,
    [],
    "text",
    0,
    {"name": {"$gt": ""}},
    {"data": {"a": {"b": [None, {"c": []}]}}},
]


def test_no_endpoint_answers_500_to_odd_input(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], spec: dict[str, Any]
) -> None:
    """A cheap stand-in for a schemathesis run: odd ids, query values and bodies on every operation."""
    dispatch = as_user("dispatch")
    app = rest_server.app_id()
    sid = make_session(dispatch, app)["sessionId"]
    real = {"applicationId": app, "sessionId": sid, "realm": "demo", "participantId": "x", "mediaId": "m"}
    failures: list[tuple[Any, ...]] = []
    for path, methods in spec["paths"].items():
        for method, odd in itertools.product(methods, ODD_STRINGS):
            url = path
            for key, value in real.items():
                url = url.replace("{" + key + "}", value)
            # One parameter at a time gets the odd value, the others stay real.
            variants = [url.replace(v, odd or "%20") for v in real.values() if v in url] or [url]
            params = {"limit": odd, "sort": odd, "nextCursor": odd, "createdFrom": odd, "prop." + odd: odd}
            stamp = (
                odd.strip() if odd.strip() and odd.isascii() else "x"
            )  # httpx sends only legal header values
            for variant in variants[:2]:
                r = dispatch.request(method, variant, params=params, headers={"devicetimestamp": stamp})
                if r.status_code >= 500:
                    failures.append((method, variant[:80], r.status_code))
        for method, body in itertools.product(methods, ODD_BODIES):
            url = path
            for key, value in real.items():
                url = url.replace("{" + key + "}", value)
            r = dispatch.request(method, url, json=body)
            if r.status_code >= 500:
                failures.append((method, url[:80], body, r.status_code))
    assert failures == []
