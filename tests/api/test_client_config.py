"""Client setup: URL normalisation, device headers on every change, TLS defaults."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from skydesk.api import SkylightClient
from skydesk.api._http import default_device_id

from .fakes import APP, FakeApi, json_response, session_json, signed_in


@pytest.mark.parametrize(
    ("given", "url", "host"),
    [
        ("api.skylight.upskill.io", "https://api.skylight.upskill.io", "api.skylight.upskill.io"),
        (
            " https://api.skylight.eu.upskill.io/// ",
            "https://api.skylight.eu.upskill.io",
            "api.skylight.eu.upskill.io",
        ),
        ("http://127.0.0.1:8443/", "http://127.0.0.1:8443", "127.0.0.1:8443"),
    ],
)
async def test_api_url_is_normalised(given: str, url: str, host: str) -> None:
    async with SkylightClient(given) as client:
        assert client.api_url == url
        assert client.host == host


@pytest.mark.parametrize("bad", ["", "   ", "ftp://example.com", "https://"])
def test_unusable_api_url_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="API address"):
        SkylightClient(bad)


@pytest.mark.parametrize("bad", ["https://user:s3cret-pw@example.com/", "user:s3cret-pw@example.com"])
def test_api_url_with_credentials_is_refused_without_echoing_them(bad: str) -> None:
    # They would go out as Basic auth and show up in reprs, logs and the saved profile.
    with pytest.raises(ValueError, match="must not contain a user name or password") as err:
        SkylightClient(bad)
    assert "s3cret-pw" not in str(err.value) and "example.com" in str(err.value)


def test_tls_uses_the_system_store_by_default() -> None:
    client = SkylightClient("example.com")
    pool = client._http._transport._pool  # type: ignore[attr-defined]
    context = pool._ssl_context
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    # The system store, not certifi's bundle: the default context loaded the OS paths.
    assert context.cert_store_stats()["x509_ca"] == ssl.create_default_context().cert_store_stats()["x509_ca"]


@pytest.mark.parametrize("content", [None, "not a certificate"])
def test_an_unusable_ca_file_is_refused_up_front(tmp_path: Path, content: str | None) -> None:
    ca_file = tmp_path / "ca.pem"
    if content is not None:
        ca_file.write_text(content)
    with pytest.raises(ValueError, match=r"Cannot use the CA file .*ca\.pem"):
        SkylightClient("example.com", ca_file=str(ca_file))


def test_device_id_is_stable_per_machine() -> None:
    assert default_device_id() == default_device_id()
    assert SkylightClient("example.com", device_id="dev-7").device_id == "dev-7"


async def test_device_headers_on_every_change_and_not_on_reads() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE" or request.url.path.endswith("/participants"):
            return httpx.Response(204)
        if request.url.path.endswith("/events"):
            return json_response(201, {"eventId": "e-1"})
        return json_response(200, session_json())

    api = FakeApi(answer)
    async with await signed_in(api) as client:
        await client.get_session(APP, "s-1")
        await client.update_session_name(APP, "s-1", "renamed")
        await client.add_participant(APP, "s-1", "u-2")
        await client.remove_participant(APP, "s-1", "u-2")
        await client.create_session_event(APP, "s-1", "note", {"text": "hi"})
    sent = api.api_requests()
    assert [r.method for r in sent] == ["GET", "PATCH", "POST", "DELETE", "POST"]
    assert "deviceid" not in sent[0].headers and "devicetimestamp" not in sent[0].headers
    now = datetime.now(UTC)
    for request in sent[1:]:
        assert request.headers["deviceid"] == "device-1"
        stamp = request.headers["devicetimestamp"]
        assert stamp.endswith("Z")
        assert abs(datetime.fromisoformat(stamp) - now) < timedelta(minutes=1)
        assert request.headers["Authorization"].startswith("Bearer ")


async def test_ids_cannot_escape_their_path_segment() -> None:
    api = FakeApi(lambda r: json_response(200, session_json()))
    async with await signed_in(api) as client:
        await client.get_session(APP, "../../admin")
    assert api.api_requests()[0].url.raw_path.endswith(b"/sessions/..%2F..%2Fadmin")
