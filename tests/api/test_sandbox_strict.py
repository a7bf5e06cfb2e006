"""The SDK against the strict sandbox (issue 13): it fills the reference's required fields itself,
sends property values as strings in every method, sorts by _id, and refuses bad media types."""

from __future__ import annotations

from typing import Any

import pytest

from skydesk.api import Participant, SkylightClient, ValidationError


async def test_create_fills_version_and_participants_itself(
    tech: SkylightClient, sandbox: Any, app_id: str
) -> None:
    session = await tech.create_session(app_id, name="SDK defaults")
    assert session.version == 3  # Field Inspection: published 3 (draft 4)
    assert [p.id for p in session.participants] == [tech.user_id]
    survey = next(a.application_id for a in sandbox.info.applications if a.name == "Site Survey")
    draft = await tech.create_session(survey, name="Only a draft")
    assert draft.version == 1 and draft.is_draft  # no published version: the latest draft


async def test_data_patch_and_add_participant_fill_their_required_fields(
    tech: SkylightClient, app_id: str
) -> None:
    session = await tech.create_session(app_id, name="Required fields")
    event_id = await tech.patch_session_data(app_id, session.session_id, {"step": 1})
    timeline = await tech.list_session_events(app_id, session.session_id)
    data_event = next(e for e in timeline.items if e.event_id == event_id)
    assert data_event.version == session.version  # the session's version was sent
    await tech.add_participant(app_id, session.session_id, "guest-7", is_guest=True)
    people = await tech.get_participants(app_id, session.session_id)
    assert Participant("guest-7", "user", True) in people


async def test_property_values_are_sent_as_strings_by_every_method(tech: SkylightClient, app_id: str) -> None:
    given = {"orderId": 123456, "urgent": True, "ratio": 1.5, "site": "North"}
    written = {"orderId": "123456", "urgent": "true", "ratio": "1.5", "site": "North"}
    session = await tech.create_session(app_id, name="Strings", properties=given)
    assert session.properties == written
    sid = session.session_id
    assert (await tech.patch_session(app_id, sid, {"properties": {"n": 7}})).properties == {"n": "7"}
    assert (await tech.update_session_properties(app_id, sid, {"off": False})).properties == {"off": "false"}  # type: ignore[dict-item]
    media = await tech.create_session_media(
        app_id, sid, filename="a.txt", content_type="text/plain", total_bytes=0, properties={"page": 2}
    )
    assert media.properties == {"page": "2"}
    # The sandbox's filter matches the string form.
    again = await tech.create_session(app_id, name="Strings 2", properties={"orderId": 654321})
    found = await tech.list_sessions(app_id, properties={"orderId": "654321"})
    assert again.session_id in {s.session_id for s in found.items}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), None, ["a"], {"x": 1}])
async def test_property_values_that_have_no_string_form_are_refused(
    tech: SkylightClient, app_id: str, value: object
) -> None:
    with pytest.raises(ValidationError) as err:
        await tech.create_session(app_id, properties={"k": value})
    assert err.value.status is None and [d.field for d in err.value.details] == ["properties.k"]


@pytest.mark.parametrize("sort", ["_id", "-_id"])
async def test_sort_by_id_is_creation_order(tech: SkylightClient, app_id: str, sort: str) -> None:
    made = [(await tech.create_session(app_id, name=f"id-order {c}")).session_id for c in "zyx"]
    listed = [s.session_id async for s in tech.iter_sessions(app_id, name="id-order", sort=sort)]
    mine = [sid for sid in listed if sid in made]
    assert mine == (made if sort == "_id" else made[::-1])
    media = [
        (
            await tech.create_session_media(
                app_id, made[0], filename=n, content_type="image/png", total_bytes=0
            )
        )
        for n in "ba"
    ]
    page = await tech.list_session_media(app_id, made[0], sort=sort)
    ids = [m.media_id for m in media]
    assert [m.media_id for m in page.items] == (ids if sort == "_id" else ids[::-1])


@pytest.mark.parametrize("content_type", ["000000", "image", "image/", "a/b/c", "imäge/png", "text/plain;"])
async def test_bad_media_types_are_refused_before_sending(
    tech: SkylightClient, app_id: str, content_type: str
) -> None:
    session = await tech.create_session(app_id, name="media types")
    with pytest.raises(ValidationError) as err:
        await tech.create_session_media(
            app_id, session.session_id, filename="a", content_type=content_type, total_bytes=0
        )
    assert err.value.status is None and [d.field for d in err.value.details] == ["content_type"]
