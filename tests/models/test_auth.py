"""AuthController against the real sandbox: sign-in, errors that name the host, remember me, sign-out."""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Any

import pytest

from skydesk.core.credentials import CredentialStore
from skydesk.core.settings import Settings
from tests.models.helpers import sign_in
from tests.support.memory_keyring import MemoryKeyring
from tests.support.qt import SignalRecorder, wait_until


async def test_sign_in_reports_progress_and_user(sandbox: Any, make_services: Any, profile_of: Any) -> None:
    svc = make_services()
    rec = SignalRecorder(svc.auth.signing_in, svc.auth.signed_in)
    svc.auth.sign_in(profile_of(sandbox), "tech", "tech-demo-pw", False)
    await rec.wait("signed_in", within=20)
    assert rec.args("signing_in") == [(True,), (False,)]
    assert rec.args("signed_in") == [("tech @ demo",)]
    assert svc.auth.client is not None and svc.auth.client.user_id == sandbox.info.user("tech").id
    # The profile (with the username, never the password) is remembered for the next start: written on a
    # worker thread while the sign-in goes on.
    await svc.saver.flush()
    again = Settings.load(svc.settings.path)
    assert again.last_profile == "test" and again.profile("test").username == "tech"
    assert "tech-demo-pw" not in svc.settings.path.read_text()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("password", "Wrong username or password for 127.0.0.1:"),
        ("realm", "The realm “nowhere” is not known at 127.0.0.1:"),
        ("unreachable", "Cannot reach 127.0.0.1:"),
        ("certificate", "The certificate of 127.0.0.1:"),
    ],
)
async def test_sign_in_errors_name_the_host(
    sandbox: Any, make_services: Any, profile_of: Any, case: str, expected: str
) -> None:
    svc = make_services()
    profile, password = profile_of(sandbox), "tech-demo-pw"
    if case == "password":
        password = "wrong"
    elif case == "realm":
        profile = replace(profile, realm="nowhere")
    elif case == "unreachable":
        profile = replace(profile, api_url=f"https://127.0.0.1:{_closed_port()}")
    elif case == "certificate":
        profile = replace(profile, ca_file=None)  # the sandbox's private CA is not trusted by default
    rec = SignalRecorder(svc.auth.signed_in, svc.auth.sign_in_failed, svc.auth.signing_in)
    svc.auth.sign_in(profile, "tech", password, False)
    message = (await rec.wait("sign_in_failed", within=20))[0]
    assert message.startswith(expected), message
    assert "tech-demo-pw" not in message  # a password never appears in a message
    assert rec.args("signed_in") == [] and rec.args("signing_in")[-1] == (False,)
    assert svc.auth.client is None


async def test_remember_me_keeps_only_the_refresh_token(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    ring = MemoryKeyring()
    svc = make_services(CredentialStore(backend=ring))
    assert svc.credentials.available
    await sign_in(svc, profile_of(sandbox), remember=True)
    await wait_until(lambda: ring.items, what="token stored")
    assert list(ring.items.values()) == [svc.auth.client.refresh_token]
    assert "tech-demo-pw" not in str(ring.items)

    # The token rotates on refresh: the keyring follows.
    old = svc.auth.client.refresh_token
    await svc.auth.client.refresh()
    await wait_until(lambda: list(ring.items.values()) != [old], what="rotated token stored")
    assert list(ring.items.values()) == [svc.auth.client.refresh_token]

    # A new start restores silently from the keyring, with the saved profile.
    svc2 = make_services(CredentialStore(backend=ring))
    await svc.saver.flush()
    saved = Settings.load(svc.settings.path).profile("test")
    rec = SignalRecorder(svc2.auth.signed_in, svc2.auth.sign_in_failed)
    assert svc2.auth.restore(saved) is True
    await rec.wait("signed_in", within=20)
    assert svc2.auth.client.user_id == sandbox.info.user("tech").id

    # Sign-out forgets it.
    out = SignalRecorder(svc2.auth.signed_out)
    svc2.auth.sign_out()
    await out.wait("signed_out")
    assert ring.items == {} and svc2.auth.client is None
    assert svc2.auth.restore(saved) is False


async def test_remember_is_refused_without_secure_keyring(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()  # fail backend
    assert not svc.credentials.available
    assert "remember your sign-in" in svc.credentials.reason
    await sign_in(svc, profile_of(sandbox), remember=True)
    assert svc.auth.restore(svc.auth.profile) is False


async def test_the_client_is_built_at_once_while_the_window_paints_the_progress_page(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    # The sign-in task's first step runs only after Qt has painted what the click changed; building the
    # client (its TLS context reads the CA file) starts before that, on a worker thread (benchmark B2).
    import threading

    from skydesk.models.auth import _default_client_factory

    entered = threading.Event()

    def factory(profile: Any, device_id: str) -> Any:
        entered.set()
        return _default_client_factory(profile, device_id)

    svc = make_services(client_factory=factory)
    rec = SignalRecorder(svc.auth.signed_in, svc.auth.sign_in_failed)
    svc.auth.sign_in(profile_of(sandbox), "tech", "tech-demo-pw", False)
    assert entered.wait(10), "the client is built only once the loop runs the sign-in's task"
    await rec.wait("signed_in", within=20)
    assert not rec.args("sign_in_failed")


async def test_a_restore_without_a_remembered_token_closes_the_client_it_built(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    from skydesk.models.auth import _default_client_factory

    built: list[Any] = []

    def factory(profile: Any, device_id: str) -> Any:
        client = _default_client_factory(profile, device_id)
        built.append(client)
        return client

    svc = make_services(credentials=CredentialStore(backend=MemoryKeyring()), client_factory=factory)
    profile = replace(profile_of(sandbox), username="tech")
    svc.settings.upsert_profile(profile)
    svc.settings.remembered[profile.name] = "tech"  # remembered, but no token in the keyring
    rec = SignalRecorder(svc.auth.sign_in_failed)
    assert svc.auth.restore(profile)
    await rec.wait("sign_in_failed", within=20)
    await wait_until(lambda: built and built[0]._http.is_closed, 10, what="the unused client closed")
    assert svc.auth.client is None
