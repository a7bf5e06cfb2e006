"""TLS is verified by default, everywhere, with no way to switch it off; `--ca-file` covers REST and MQTT.

The sandbox's certificates come from its own private CA, which no system store trusts: connecting without
its CA file must fail as "untrusted", and succeeding with it proves the CA file was what made it work.
"""

from __future__ import annotations

import ast
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest

from skydesk.api import SkylightClient, TransportError
from skydesk.events import EventStream, StreamState
from skydesk.events._connection import tls_context

ROOT = Path(__file__).resolve().parents[1]


def _system_store_stats() -> dict[str, int]:
    return ssl.create_default_context().cert_store_stats()


# ---------------------------------------------------------------------------- REST


async def test_rest_client_verifies_against_the_system_store_by_default(sandbox: Any) -> None:
    info = sandbox.info
    client = SkylightClient(info.api_url)
    context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    # The operating system's store (what ssl.create_default_context loads), not certifi's bundle.
    assert context.cert_store_stats() == _system_store_stats()
    async with client:
        with pytest.raises(TransportError) as err:
            await client.login(info.realm, "tech", "tech-demo-pw")
    assert err.value.untrusted_certificate
    assert client.host in str(err.value) and "untrusted" in str(err.value)
    assert not client.is_signed_in

    async with SkylightClient(info.api_url, ca_file=info.ca_file) as trusted:
        await trusted.login(info.realm, "tech", "tech-demo-pw")
        assert trusted.is_signed_in


def test_verification_cannot_be_switched_off() -> None:
    with pytest.raises(TypeError):
        SkylightClient("api.example.com", verify=False)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        EventStream(  # type: ignore[call-arg]
            host="mqtt.example.com",
            realm="demo",
            user_id="u1",
            token_provider=lambda _force_refresh: "t",
            client_suffix="12345678",
            verify=False,
        )


def test_plain_http_and_mqtt_work_only_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """For a local sandbox started with --no-tls (debugging only): allowed, but never silently."""
    caplog.set_level("WARNING")
    SkylightClient("http://127.0.0.1:8443")
    EventStream(
        host="127.0.0.1",
        port=1883,
        realm="demo",
        user_id="u1",
        token_provider=lambda _force_refresh: "t",
        client_suffix="12345678",
        tls=False,
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "127.0.0.1:8443 is plain HTTP: passwords and tokens travel unencrypted",
        "MQTT to 127.0.0.1:1883 without TLS: the access token travels unencrypted",
    ]


# ---------------------------------------------------------------------------- MQTT


def test_mqtt_context_is_tls_12_or_newer_and_verifies_by_default() -> None:
    ctx = tls_context(ca_file=None)
    assert ctx.minimum_version is ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode is ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.cert_store_stats() == _system_store_stats()


def _stream(
    sandbox: Any, access_token: str, user_id: str, ca_file: str | None, states: list[Any]
) -> EventStream:
    info = sandbox.info
    return EventStream(
        host=info.mqtt_host,
        port=info.mqtt_port,
        realm=info.realm,
        user_id=user_id,
        token_provider=lambda _force_refresh: access_token,
        client_suffix="20250101",
        ca_file=ca_file,
        on_state=lambda state, detail: states.append((state, detail)),
    )


async def test_event_stream_verifies_by_default_and_negotiates_tls_12_or_newer(sandbox: Any) -> None:
    import asyncio

    info = sandbox.info
    async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
        await client.login(info.realm, "tech", "tech-demo-pw")
        token, user_id = await client.access_token(), client.user_id
    assert user_id is not None

    untrusted_states: list[Any] = []
    untrusted = _stream(sandbox, token, user_id, None, untrusted_states)
    untrusted.start()
    try:
        for _ in range(200):
            if any("not trusted" in detail for _, detail in untrusted_states):
                break
            await asyncio.sleep(0.05)
    finally:
        await asyncio.to_thread(untrusted.stop)
    assert any("TLS certificate not trusted" in detail for _, detail in untrusted_states), untrusted_states
    assert StreamState.CONNECTED not in [state for state, _ in untrusted_states]

    states: list[Any] = []
    trusted = _stream(sandbox, token, user_id, info.ca_file, states)
    trusted.start()
    try:
        for _ in range(200):
            if StreamState.CONNECTED in [s for s, _ in states]:
                break
            await asyncio.sleep(0.05)
        assert StreamState.CONNECTED in [s for s, _ in states], states
        sock = trusted._client.socket()
        assert isinstance(sock, ssl.SSLSocket)
        assert sock.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        await asyncio.to_thread(trusted.stop)
    assert not [t for t in threading.enumerate() if t.name.startswith("skydesk-events")]


# ---------------------------------------------------------------------------- the app


def test_profile_without_a_ca_file_uses_the_system_store() -> None:
    from skydesk.core.settings import ConnectionProfile
    from skydesk.models.auth import _default_client_factory

    profile = ConnectionProfile(name="eu", api_url="api.skylight.eu.upskill.io", mqtt_host="mqtt.example")
    client = _default_client_factory(profile, "device-1")
    context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.cert_store_stats() == _system_store_stats()


@pytest.mark.parametrize("with_ca", [True, False], ids=["--ca-file", "no --ca-file"])
def test_ca_file_option_is_used_for_rest_and_mqtt(make_window_sync: Any, sandbox: Any, with_ca: bool) -> None:
    """`skydesk --api-url ... --mqtt-host ... --ca-file X`: signing in (REST) and live events (MQTT) work
    with the sandbox's private CA only because of X; without it the sign-in says the certificate is not
    trusted."""
    from skydesk.app import build_parser, profile_from_args

    info = sandbox.info
    argv = ["--api-url", info.api_url, "--mqtt-host", info.mqtt_host, "--mqtt-port", str(info.mqtt_port)]
    argv += ["--realm", info.realm, "--profile", "tls-check"]
    if with_ca:
        argv += ["--ca-file", info.ca_file]
    profile = profile_from_args(build_parser().parse_args(argv), None)
    assert profile is not None and profile.ca_file == (info.ca_file if with_ca else None)
    outcome = make_window_sync(profile)
    if with_ca:
        assert outcome == ("signed in", "connected")
    else:
        assert outcome[0].startswith("The certificate of ") and "not trusted" in outcome[0]


@pytest.fixture
def make_window_sync(tmp_path: Path) -> Any:
    """Open the main window on ``profile`` (as app.py does for command-line options), sign in as tech,
    and report (sign-in outcome, live-events state); the window is shut down afterwards."""
    from tests.support.qasync_run import run_on_qasync

    def run(profile: Any) -> tuple[str, str]:
        return run_on_qasync(lambda: _sign_in_and_watch(profile, tmp_path / "settings.json"))

    return run


async def _sign_in_and_watch(profile: Any, settings_path: Path) -> tuple[str, str]:
    import shiboken6
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from skydesk.core.settings import Settings
    from skydesk.models.services import AppServices
    from skydesk.ui.main_window import PAGE_WORKSPACE, MainWindow
    from tests.gui.helpers import close_window, no_keyring
    from tests.support.qt import wait_until

    services = AppServices(Settings.load(settings_path), no_keyring())
    window = MainWindow(services)
    window.show()
    try:
        window.start(profile)
        page = window.sign_in_page
        assert page.ca_file.text() == (profile.ca_file or ""), "the form shows the CA file it will use"
        page.username.setText("tech")
        page.password.setText("tech-demo-pw")
        QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
        await wait_until(
            lambda: window.pages.currentIndex() == PAGE_WORKSPACE or page.error.isVisible(),
            20,
            what="the sign-in to finish",
        )
        if page.error.isVisible():
            return page.error.text(), window.status.live_state
        await wait_until(lambda: window.status.live_state == "connected", 20, what="live events over MQTT")
        return "signed in", window.status.live_state
    finally:
        await close_window(window)
        shiboken6.delete(window)
        shiboken6.delete(services)


# ---------------------------------------------------------------------------- nowhere switched off


_INSECURE_NAMES = ("CERT_NONE", "_create_unverified_context", "tls_insecure_set")


def _insecure_spots(path: Path) -> list[str]:
    """Places in a Python file that turn certificate checks off."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    spots = []
    for node in ast.walk(tree):
        where = f"{shown}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.keyword) and node.arg in ("verify", "check_hostname", "cert_reqs"):
            if isinstance(node.value, ast.Constant) and node.value.value in (False, None, 0):
                spots.append(f"{where} {node.arg}={node.value.value!r}")
        elif isinstance(node, ast.Attribute) and node.attr in _INSECURE_NAMES:
            spots.append(f"{where} {node.attr}")
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in ("check_hostname", "verify_mode"):
                    if isinstance(node.value, ast.Constant) and not node.value.value:
                        spots.append(f"{where} {target.attr} = {node.value.value!r}")
    return sorted(spots, key=lambda spot: int(spot.split(":", 1)[1].split(" ", 1)[0]))


def test_nothing_in_the_app_or_the_tests_turns_verification_off() -> None:
    files = [p for d in ("skydesk", "tests", "packaging") for p in (ROOT / d).rglob("*.py")]
    assert len(files) > 100
    spots = [spot for path in files if path != Path(__file__).resolve() for spot in _insecure_spots(path)]
    assert not spots, "certificate checks switched off at:\n" + "\n".join(spots)


def test_the_insecure_spot_finder_can_find_them(tmp_path: Path) -> None:
    sample = tmp_path / "insecure_sample.py"
    code = (
        "import ssl, httpx\n"
        "httpx.Client(verify=False)\n"
        "ctx = ssl.create_default_context()\n"
        "ctx.check_hostname = False\n"
        "ctx.verify_mode = ssl.CERT_NONE\n"
        "client.tls_insecure_set(True)\n"
    )
    sample.write_text(code, encoding="utf-8")
    spots = _insecure_spots(sample)
    assert [spot.split(" ", 1)[1] for spot in spots] == [
        "verify=False",
        "check_hostname = False",
        "CERT_NONE",
        "tls_insecure_set",
    ], spots
