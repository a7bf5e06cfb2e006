"""Session media over REST: metadata, filters, archive, delete, upload/download with uploadedBytes."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from skydesk.sandbox import rest_media
from tests.sandbox.conftest import RestServer, make_session, sessions_url


@pytest.fixture
def session(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> tuple[httpx.Client, str, str]:
    tech, app = as_user("tech"), rest_server.app_id()
    return tech, app, make_session(tech, app, name="Media")["sessionId"]


def create(client: httpx.Client, app: str, sid: str, **body: Any) -> dict[str, Any]:
    r = client.post(sessions_url(app, sid, "media"), json={"filename": "f.bin", **body})
    assert r.status_code == 201, r.text
    return dict(r.json())


def filenames(client: httpx.Client, app: str, sid: str, **params: Any) -> list[str]:
    r = client.get(sessions_url(app, sid, "media"), params=params)
    assert r.status_code == 200, r.text
    return [m["filename"] for m in r.json()["data"]]


def test_metadata_lifecycle(session: tuple[httpx.Client, str, str], rest_server: RestServer) -> None:
    tech, app, sid = session
    m = create(
        tech, app, sid, filename="pump.png", title="Pump", contentType="image/png", totalBytes=10,
        labels=["photo", "before"], properties={"assetId": "PMP-1"},
    )  # fmt: skip
    assert m["uploadedBytes"] == 0 and m["archived"] is False and m["sessionId"] == sid
    assert m["createdBy"] == rest_server.user_id("tech")
    url = sessions_url(app, sid, "media", m["mediaId"])
    assert tech.get(url).json() == m
    patched = tech.patch(url, json={"title": "Pump (left)", "labels": ["after"]}).json()
    assert patched["title"] == "Pump (left)" and patched["labels"] == ["after"]
    assert tech.patch(url, json={"archived": True}).json()["archived"] is True
    assert tech.delete(url).status_code == 204
    assert tech.get(url).status_code == 404
    assert tech.delete(url).status_code == 404


def test_filters(session: tuple[httpx.Client, str, str]) -> None:
    tech, app, sid = session
    create(tech, app, sid, filename="a.png", contentType="image/png", labels=["photo", "defect"])
    create(
        tech, app, sid, filename="b.jpg", contentType="image/jpeg", labels=["photo"], properties={"step": "2"}
    )
    create(tech, app, sid, filename="c.pdf", contentType="application/pdf", labels=["report"])
    old = create(tech, app, sid, filename="d.png", contentType="image/png", labels=["photo"])
    tech.patch(sessions_url(app, sid, "media", old["mediaId"]), json={"archived": True})

    assert filenames(tech, app, sid) == ["a.png", "b.jpg", "c.pdf"]  # archived excluded by default
    assert filenames(tech, app, sid, archived="only") == ["d.png"]
    assert filenames(tech, app, sid, archived="include") == ["a.png", "b.jpg", "c.pdf", "d.png"]
    assert filenames(tech, app, sid, contentType="image/png,application/pdf") == ["a.png", "c.pdf"]
    assert filenames(tech, app, sid, contentType="image/*") == ["a.png", "b.jpg"]
    assert filenames(tech, app, sid, labels="defect,report") == ["a.png", "c.pdf"]
    assert filenames(tech, app, sid, labels="photo", excludeLabels="defect") == ["b.jpg"]
    assert filenames(tech, app, sid, **{"prop.step": "2"}) == ["b.jpg"]
    assert filenames(tech, app, sid, sort="-filename") == ["c.pdf", "b.jpg", "a.png"]
    page = tech.get(sessions_url(app, sid, "media"), params={"limit": 2}).json()
    assert page["page"]["total"] == 3 and page["page"]["count"] == 2
    rest = tech.get(
        sessions_url(app, sid, "media"), params={"limit": 2, "nextCursor": page["page"]["nextCursor"]}
    )
    assert [m["filename"] for m in rest.json()["data"]] == ["c.pdf"]
    assert tech.get(sessions_url(app, sid, "media"), params={"archived": "maybe"}).status_code == 400


def test_creator_modifier_and_inclusive_date_filters(
    session: tuple[httpx.Client, str, str], rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app, sid = session
    first = create(tech, app, sid, filename="mine.png")
    # dispatch (session:update:any, media:write) adds one to tech's session, and edits tech's first one.
    dispatch = as_user("dispatch")
    time.sleep(0.002)  # times have millisecond precision: keep the two creations apart
    theirs = dispatch.post(sessions_url(app, sid, "media"), json={"filename": "theirs.png"}).json()
    edited = dispatch.patch(sessions_url(app, sid, "media", first["mediaId"]), json={"title": "checked"})
    assert edited.status_code == 200
    tech_id, dispatch_id = rest_server.user_id("tech"), rest_server.user_id("dispatch")
    assert filenames(tech, app, sid, createdBy=tech_id) == ["mine.png"]
    assert filenames(tech, app, sid, createdBy=dispatch_id) == ["theirs.png"]
    assert filenames(tech, app, sid, modifiedBy=dispatch_id) == ["mine.png", "theirs.png"]
    at = theirs["createdAt"]
    assert "theirs.png" in filenames(tech, app, sid, createdFrom=at, createdTo=at)  # both bounds inclusive
    assert filenames(tech, app, sid, createdTo=first["createdAt"]) == ["mine.png"]
    assert filenames(tech, app, sid, modifiedFrom=edited.json()["modifiedAt"])[0] == "mine.png"
    assert filenames(tech, app, sid, createdFrom="2999-01-01T00:00:00Z") == []


def test_whole_upload_and_download(session: tuple[httpx.Client, str, str]) -> None:
    tech, app, sid = session
    payload = bytes(range(256)) * 40
    m = create(tech, app, sid, contentType="application/octet-stream", totalBytes=len(payload))
    url = sessions_url(app, sid, "media", m["mediaId"], "content")
    assert tech.get(url).status_code == 409  # nothing uploaded yet
    r = tech.put(url, content=payload, headers={"content-type": "application/octet-stream"})
    assert r.status_code == 200 and r.json()["uploadedBytes"] == len(payload)
    down = tech.get(url)
    assert down.status_code == 200 and down.content == payload
    assert down.headers["content-type"] == "application/octet-stream"
    assert down.headers["etag"] == f'"{r.json()["etag"]}"'


def test_chunked_upload_tracks_uploaded_bytes(session: tuple[httpx.Client, str, str]) -> None:
    tech, app, sid = session
    payload = b"0123456789" * 10
    m = create(tech, app, sid, totalBytes=100)
    url = sessions_url(app, sid, "media", m["mediaId"], "content")
    seen = []
    for start in range(0, 100, 30):
        chunk = payload[start : start + 30]
        r = tech.put(
            url, content=chunk, headers={"content-range": f"bytes {start}-{start + len(chunk) - 1}/100"}
        )
        assert r.status_code == 200, r.text
        seen.append(r.json()["uploadedBytes"])
        if start == 30:
            # A partial upload cannot be downloaded yet.
            assert tech.get(url).status_code == 409
    assert seen == [30, 60, 90, 100]
    assert tech.get(url).content == payload
    # A chunk that skips ahead is refused.
    gap = tech.put(url, content=b"x", headers={"content-range": "bytes 50-50/100"})
    assert gap.status_code == 409 and "100" in gap.json()["error"]
    assert tech.put(url, content=b"x", headers={"content-range": "bytes 0-5/100"}).status_code == 400


def test_last_chunk_may_be_resent_and_2_gib_fits(session: tuple[httpx.Client, str, str]) -> None:
    tech, app, sid = session
    # totalBytes up to 2 GiB is accepted (sent in chunks); one more byte is not.
    assert create(tech, app, sid, totalBytes=2 * 1024**3)["totalBytes"] == 2 * 1024**3
    too_big = tech.post(
        sessions_url(app, sid, "media"), json={"filename": "x", "totalBytes": 2 * 1024**3 + 1}
    )
    assert too_big.status_code == 400 and too_big.json()["details"][0]["field"] == "totalBytes"
    m = create(tech, app, sid, totalBytes=10)
    url = sessions_url(app, sid, "media", m["mediaId"], "content")
    assert tech.put(url, content=b"abcd", headers={"content-range": "bytes 0-3/10"}).status_code == 200
    assert tech.put(url, content=b"efg", headers={"content-range": "bytes 4-6/10"}).status_code == 200
    # The answer to the last chunk was lost, say: sending it again is not a conflict and changes nothing.
    again = tech.put(url, content=b"efg", headers={"content-range": "bytes 4-6/10"})
    assert again.status_code == 200 and again.json()["uploadedBytes"] == 7
    # An earlier chunk is not the last one: refused.
    assert tech.put(url, content=b"cd", headers={"content-range": "bytes 2-3/10"}).status_code == 409
    assert tech.put(url, content=b"hij", headers={"content-range": "bytes 7-9/10"}).status_code == 200
    down = tech.get(url)
    assert down.content == b"abcdefghij" and down.headers["content-length"] == "10"


def test_upload_over_total_bytes_is_400(session: tuple[httpx.Client, str, str]) -> None:
    tech, app, sid = session
    m = create(tech, app, sid, totalBytes=3)
    r = tech.put(sessions_url(app, sid, "media", m["mediaId"], "content"), content=b"four")
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "content"


def test_upload_over_the_size_cap_is_413(
    session: tuple[httpx.Client, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tech, app, sid = session
    m = create(tech, app, sid, totalBytes=100)
    # The real cap on one body is 50 MiB; lower it so the test does not push 50 MiB through TLS.
    monkeypatch.setattr(rest_media, "MEDIA_BODY_MAX", 64)
    r = tech.put(sessions_url(app, sid, "media", m["mediaId"], "content"), content=b"x" * 65)
    assert r.status_code == 413
    assert tech.get(sessions_url(app, sid, "media", m["mediaId"])).json()["uploadedBytes"] == 0


def test_seeded_media_are_real_pngs(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    dispatch = as_user("dispatch")
    found = 0
    for app in (a.application_id for a in rest_server.service.applications()):
        for s in dispatch.get(sessions_url(app), params={"limit": 200}).json()["data"]:
            media = dispatch.get(
                sessions_url(app, s["sessionId"], "media"), params={"archived": "include"}
            ).json()
            for m in media["data"]:
                if set(m["properties"]) != {"assetId", "step"}:
                    continue  # made by another test, not by the seed
                content = dispatch.get(
                    sessions_url(app, s["sessionId"], "media", m["mediaId"], "content")
                ).content
                assert content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) == m["totalBytes"]
                width, height = struct.unpack(">II", content[16:24])
                assert (width, height) == (64, 48)
                idat_len = struct.unpack(">I", content[33:37])[0]
                raw = zlib.decompress(content[41 : 41 + idat_len])
                assert len(raw) == height * (1 + width * 3)
                assert "photo" in m["labels"]
                found += 1
    assert found >= 10
