"""The in-process Sandbox: lifecycle, threads, restarts, outages and the info it reports."""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from skydesk.sandbox import Sandbox, SandboxConfig, SandboxInfo
from tests.sandbox.mqtt_probe import MqttProbe

APPS = "/v1/application/applications"


@contextmanager
def _client(info: SandboxInfo, username: str | None = None) -> Iterator[httpx.Client]:
    """An httpx client trusting the sandbox CA, signed in as ``username`` if given."""
    # Plain-HTTP sandboxes (tls=False) have no CA; httpx ignores `verify` for http:// URLs.
    verify: Any = ssl.create_default_context(cafile=info.ca_file) if info.ca_file else True
    with httpx.Client(base_url=info.api_url, verify=verify, timeout=30) as client:
        if username is not None:
            _login(client, info, username)
        yield client


def _login(client: httpx.Client, info: SandboxInfo, username: str) -> None:
    user = info.user(username)
    r = client.post(
        f"/v1/authentication/login/realms/{info.realm}",
        json={"username": user.username, "password": user.password, "realm": info.realm},
    )
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"


def _mqtt(info: SandboxInfo, username: str, token: str, suffix: str = "30000001") -> MqttProbe:
    user = info.user(username)
    return MqttProbe(
        info.mqtt_host,
        info.mqtt_port,
        client_id=f"{info.realm}-{user.id}-{suffix}",
        username=f"{info.realm}/{user.id}",
        password=token,
        ca_file=info.ca_file,
    )


def _app(info: SandboxInfo, name: str = "Field Inspection") -> str:
    return next(a.application_id for a in info.applications if a.name == name)


def _threads() -> set[threading.Thread]:
    return set(threading.enumerate())


def test_start_stop_leaves_no_threads(tmp_path: Path) -> None:
    before = _threads()
    sb = Sandbox(SandboxConfig(state_dir=tmp_path, api_port=0, mqtt_port=0, seed=3, activity=60))
    sb.start()
    assert _threads() - before, "the sandbox should run on its own threads"
    sb.stop()
    sb.stop()  # idempotent
    assert _threads() - before == set()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sb.info


def test_info_matches_the_info_file_shape(sandbox: Any) -> None:
    info = sandbox.info
    doc = info.to_json()
    assert set(doc) == {"apiUrl", "mqttHost", "mqttPort", "caFile", "realm", "users", "applications"}
    assert doc["apiUrl"] == info.api_url and info.api_url.startswith("https://127.0.0.1:")
    assert not info.api_url.endswith("/")
    assert doc["mqttPort"] == info.mqtt_port != 0
    assert doc["caFile"] == info.ca_file and Path(info.ca_file).is_file()
    assert [u["username"] for u in doc["users"]] == ["tech", "dispatch", "sam", "viewer"]
    assert set(doc["users"][0]) == {"username", "password", "id", "displayName", "roles"}
    assert {a["name"] for a in doc["applications"]} == {"Field Inspection", "Pump Maintenance", "Site Survey"}
    assert set(doc["applications"][0]) == {"applicationId", "name"}
    json.dumps(doc)  # serialisable as-is


def test_restart_keeps_sessions_data_media_timelines_and_trust(tmp_path: Path) -> None:
    config = SandboxConfig(state_dir=tmp_path, api_port=0, mqtt_port=0, seed=3)
    with Sandbox(config) as first:
        info = first.info
        ca_pem = Path(info.ca_file or "").read_bytes()
        with _client(info, "tech") as tech:
            app = _app(info)
            total = tech.get(f"{APPS}/{app}/sessions").json()["page"]["total"]
            r = tech.post(
                f"{APPS}/{app}/sessions",
                json={
                    "name": "Survives restarts",
                    "properties": {"k": "v"},
                    "version": 3,
                    "participants": [],
                },
            )
            sid = r.json()["sessionId"]
            base = f"{APPS}/{app}/sessions/{sid}"
            assert tech.patch(f"{base}/data", json={"data": {"meter": 42}, "version": 1}).status_code == 200
            media = tech.post(
                f"{base}/media", json={"filename": "a.bin", "contentType": "image/png", "totalBytes": 4}
            ).json()
            assert tech.put(f"{base}/media/{media['mediaId']}/content", content=b"\x89PNG").status_code == 200
            timeline = tech.get(f"{base}/events").json()["data"]
            token = tech.headers["Authorization"]
            refresh = tech.post(
                f"/v1/authentication/login/realms/{info.realm}",
                json={"username": "tech", "password": info.user("tech").password, "realm": info.realm},
            ).json()["refresh_token"]

    with Sandbox(SandboxConfig(state_dir=tmp_path, api_port=0, mqtt_port=0, seed=3)) as second:
        info2 = second.info
        assert Path(info2.ca_file or "").read_bytes() == ca_pem  # clients keep trusting the same CA
        with _client(info2) as tech:
            tech.headers["Authorization"] = token  # the signing key persisted too
            assert tech.get(f"{APPS}/{app}/sessions").json()["page"]["total"] == total + 1  # no reseed
            assert tech.get(f"{base}").json()["name"] == "Survives restarts"
            assert tech.get(f"{base}").json()["properties"] == {"k": "v"}
            assert tech.get(f"{base}/data").json() == {"meter": 42}
            assert tech.get(f"{base}/media/{media['mediaId']}/content").content == b"\x89PNG"
            assert tech.get(f"{base}/events").json()["data"] == timeline
            # The users persisted with the signing key: a refresh token from before still works.
            assert (
                tech.post("/v1/authentication/token/refresh", json={"refreshToken": refresh}).status_code
                == 200
            )
        assert [u.username for u in info2.users] == ["tech", "dispatch", "sam", "viewer"]


def test_fresh_wipes_and_seeds_again(tmp_path: Path) -> None:
    with (
        Sandbox(SandboxConfig(state_dir=tmp_path, api_port=0, mqtt_port=0, seed=2)) as sb,
        _client(sb.info, "tech") as tech,
    ):
        app = _app(sb.info)
        sid = tech.post(
            f"{APPS}/{app}/sessions", json={"name": "Gone after fresh", "version": 3, "participants": []}
        ).json()["sessionId"]
    with (
        Sandbox(SandboxConfig(state_dir=tmp_path, api_port=0, mqtt_port=0, seed=2, fresh=True)) as sb,
        _client(sb.info, "tech") as tech,
    ):
        app = _app(sb.info)
        assert tech.get(f"{APPS}/{app}/sessions/{sid}").status_code == 404
        assert [u.username for u in sb.info.users] == ["tech", "dispatch", "sam", "viewer"]


def test_stop_and_start_broker_on_the_same_port(make_sandbox: Callable[..., Any]) -> None:
    sb = make_sandbox(seed=1)
    info = sb.info
    with _client(info, "tech") as tech:
        token = tech.headers["Authorization"].removeprefix("Bearer ")
    probe = _mqtt(info, "tech", token)
    assert not probe.connect().is_failure
    dropped = threading.Event()
    probe.client.on_disconnect = lambda *args: dropped.set()
    sb.stop_broker()
    assert dropped.wait(10), "the client should notice the broker going away"
    probe.close()
    sb.start_broker()
    assert sb.info.mqtt_port == info.mqtt_port
    again = _mqtt(info, "tech", token)
    try:
        assert not again.connect().is_failure
    finally:
        again.close()


def test_stop_and_start_api_on_the_same_port(make_sandbox: Callable[..., Any]) -> None:
    sb = make_sandbox(seed=1)
    info = sb.info
    with _client(info, "tech") as tech:
        assert tech.get(f"{APPS}").status_code == 200
        sb.stop_api()
        with pytest.raises(httpx.ConnectError):
            tech.get(f"{APPS}")
        sb.start_api()
        assert tech.get(f"{APPS}").status_code == 200
    assert sb.info.api_url == info.api_url


def test_plain_mode_without_tls(make_sandbox: Callable[..., Any]) -> None:
    sb = make_sandbox(seed=1, tls=False)
    info = sb.info
    assert info.ca_file is None and info.api_url.startswith("http://")
    with _client(info, "tech") as tech:
        token = tech.headers["Authorization"].removeprefix("Bearer ")
    probe = _mqtt(info, "tech", token)
    try:
        assert not probe.connect().is_failure
    finally:
        probe.close()


async def test_start_inside_a_running_event_loop(make_sandbox: Callable[..., Any]) -> None:
    # The GUI starts the sandbox from a qasync loop; it must not need or touch the caller's loop.
    loop = asyncio.get_running_loop()
    sb = make_sandbox(seed=1)
    assert asyncio.get_running_loop() is loop and loop.is_running()
    async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=sb.info.ca_file)) as client:
        assert (await client.get(f"{sb.info.api_url}/openapi.json")).status_code == 200
    sb.stop()


def test_start_times_cold_and_warm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    timings = []
    for _ in range(3):
        sb = Sandbox(SandboxConfig(state_dir=tmp_path, api_port=0, mqtt_port=0))
        t0 = time.perf_counter()
        sb.start()
        timings.append(time.perf_counter() - t0)
        sb.stop()
    with capsys.disabled():
        print(f"\nsandbox start: cold {timings[0]:.3f} s, warm {timings[1]:.3f} s / {timings[2]:.3f} s")
    # Generous: CI shares two cores among many jobs. The target (well under 1 s warm) is reported above.
    assert min(timings[1:]) < 5


def test_topic_levels_cannot_be_split_by_user_input() -> None:
    from skydesk.sandbox.server import _topic_level

    assert _topic_level("a/b+c#d") == "a_b_c_d"
    assert _topic_level("") == "_"
    assert _topic_level("session_created") == "session_created"


def test_default_state_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from skydesk.sandbox.paths import default_state_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_state_dir() == tmp_path / "data" / "skydesk" / "sandbox"
    assert Sandbox(SandboxConfig()).state_dir == default_state_dir()
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # invalid per the XDG spec: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "share" / "skydesk" / "sandbox"


def test_a_wildcard_host_is_reached_through_loopback() -> None:
    from skydesk.sandbox.server import _public_host

    assert _public_host("0.0.0.0") == "127.0.0.1"
    assert _public_host("::") == "::1"
    assert _public_host("[::1]") == "::1"
    assert _public_host("10.1.2.3") == "10.1.2.3"
