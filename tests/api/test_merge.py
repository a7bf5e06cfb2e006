"""merge_patch applies a session-data patch exactly as the sandbox does (RFC 7386)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from skydesk.api import merge_patch


@pytest.mark.parametrize(
    ("target", "patch", "expected"),
    [
        ({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 9}}, {"a": 1, "b": {"c": 9, "d": 3}}),
        ({"a": 1, "b": 2}, {"b": None}, {"a": 1}),
        ({"steps": [1, 2, 3]}, {"steps": [4]}, {"steps": [4]}),
        ({"a": "x"}, {"a": {"nested": True}}, {"a": {"nested": True}}),
        ({"a": {"b": 1}}, {"a": "flat"}, {"a": "flat"}),
        ({}, {"gone": None}, {}),
        (None, {"a": 1}, {"a": 1}),
    ],
)
def test_merge_patch_follows_rfc_7386(target: Any, patch: Any, expected: Any) -> None:
    before = copy.deepcopy(target)
    assert merge_patch(target, patch) == expected
    assert target == before  # the cached copy is never changed in place


async def test_merge_patch_matches_the_sandbox(sandbox: Any) -> None:
    from skydesk.api import SkylightClient

    info = sandbox.info
    async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
        await client.login(info.realm, "dispatch", "dispatch-demo-pw")
        app_id = info.applications[0].application_id
        session = await client.create_session(app_id, name="merge patch check")
        start = {"steps": [{"id": 1}], "meta": {"a": 1, "b": 2}, "keep": "x"}
        await client.patch_session_data(app_id, session.session_id, start)
        cached = await client.get_session_data(app_id, session.session_id)
        patch = {"steps": [{"id": 2}], "meta": {"a": None, "c": 3}}
        await client.patch_session_data(app_id, session.session_id, patch)
        assert merge_patch(cached, patch) == await client.get_session_data(app_id, session.session_id)
