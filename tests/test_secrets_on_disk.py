"""No password or token lands on disk: a full app session and a `--demo` run, then every file is scanned.

Two real runs, each with its own home and XDG directories (tests/conftest.py isolates them; HOME is
pointed there too, so anything that writes to ``~`` is caught):

1. The real main window against a private sandbox over TLS, with "Remember me" on and a REAL keyring
   (gnome-keyring on a private D-Bus): a wrong password, a sign-in, browsing, an edit saved, live events
   caused by another user, an access-token refresh (short token lifetime), sign-out, shutdown. Logging is
   set up as app.py does it, at DEBUG (``--verbose``), and the log is rotated once on the way.
2. ``python -m skydesk --demo --quit-after-load --verbose`` as a subprocess.

The temp dir is the test's own (TMPDIR), and run 1 fills it and the thumbnail cache on purpose: photos are
listed in the Media tab (thumbnails cached on disk) and one is opened "with the system viewer" (downloaded
to a temp folder).

Then every regular file under the home, the temp dir and the test's tmp dir is read as bytes and searched
for every password used, every token the sandbox issued (the issuer is wrapped to record them), the
signature part of each token on its own, anything shaped like a JWT, ``Bearer ``, and the same secrets
base64-encoded (the keyrings.alt way of "hiding" them) or UTF-16 encoded. Base64 runs in the files are also
decoded and searched. A finding names the file, the offset and what kind of secret it is, never the secret.

The sandbox's state dir is excluded from that scan on purpose: it is the *server's* storage and holds
its own TLS and JWT signing private keys, which is its job. It is checked separately: its database must
hold neither a plaintext password nor a raw token (passwords are stored as scrypt hashes).
"""

from __future__ import annotations

import base64
import logging
import logging.handlers
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skydesk.sandbox.seed import DEMO_USERS
from tests.support.qasync_run import run_on_qasync
from tests.support.secret_scan import (
    JWT_SHAPE,
    Finding,
    assert_clean,
    assert_database_holds_no_plaintext,
    scan,
)

DEMO_PASSWORDS = [user.password for user in DEMO_USERS]
WRONG_PASSWORD = "not-the-password-5150"


def test_the_scanner_finds_each_kind_of_leak(tmp_path: Path) -> None:
    """The scanner itself can fail: plant each kind of leak and check it is reported with its place."""
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZWNoIn0.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu"
    secrets = {"password #1": "tech-demo-pw", "refresh token #1": token}
    files = {
        "plain.json": b'{"password": "tech-demo-pw"}',
        "keyring.cfg": b"[skydesk]\nrefresh = " + base64.b64encode(token.encode()) + b"\n",
        "shifted.b64": base64.b64encode(b"xy:tech-demo-pw;"),
        "log.txt": b"GET /x Authorization: bearer abc\n",
        "wide.dat": "tech-demo-pw".encode("utf-16-le"),
        "sig.txt": b"...c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu...",
        "clean.txt": b"nothing to see: eyJ alone, tech-demo, base64 ZXlK",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    count, findings = scan([tmp_path], secrets)
    where = {f.path.name for f in findings}
    assert count == len(files)
    assert where == set(files) - {"clean.txt"}
    assert Finding(tmp_path / "plain.json", 14, "password #1") in findings
    assert all("tech-demo-pw" not in str(f) and token not in str(f) for f in findings), "never the secret"


# ---------------------------------------------------------------------------- shared fixtures


@pytest.fixture
def home(_isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The isolated home (tests/conftest.py), also as HOME, so writes to ``~`` are caught too."""
    monkeypatch.setenv("HOME", str(_isolated_user_dirs))
    return _isolated_user_dirs


@pytest.fixture
def issued_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every access and refresh token any sandbox in this test issues, in order."""
    from skydesk.sandbox.auth import TokenIssuer

    tokens: list[str] = []
    original = TokenIssuer.issue

    def recording(self: TokenIssuer, **kwargs: Any) -> dict[str, Any]:
        answer = original(self, **kwargs)
        tokens.extend([answer["access_token"], answer["refresh_token"]])
        return answer

    monkeypatch.setattr(TokenIssuer, "issue", recording)
    return tokens


@pytest.fixture
def private_temp_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A TMPDIR for this test only: whatever the app writes to the temp dir is scanned (nobody else's)."""
    import tempfile

    temp = tmp_path_factory.mktemp("tmpdir")
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    assert Path(tempfile.gettempdir()) == temp
    return temp


# ---------------------------------------------------------------------------- 1. the real window


@pytest.mark.keyring_real
def test_a_full_session_with_remember_me_leaves_no_secret_on_disk(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    issued_tokens: list[str],
    make_sandbox: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
    private_temp_dir: Path,
) -> None:
    from skydesk.core import logs
    from skydesk.core.paths import cache_dir, config_dir, log_dir
    from tests.support.secret_service import running_secret_service, use_detected_keyring

    temp = private_temp_dir
    state_dir = tmp_path / "sandbox-state"
    # Access tokens live 5 s, so the session below sees at least one refresh; refresh tokens outlive it.
    sb = make_sandbox(state_dir=state_dir, seed=8, token_ttl=5, refresh_ttl=300)
    root = logging.getLogger()
    level = root.level
    held: set[str] = set()  # the tokens the app's client held, to cross-check the recording
    with running_secret_service(tmp_path / "run", monkeypatch):
        use_detected_keyring()
        log_file = logs.setup_logging(verbose=True, log_dir=log_dir())  # as app.py does with --verbose
        try:
            run_on_qasync(lambda: _drive_the_window(sb, held))
        finally:
            logs.stop_logging()
            root.setLevel(level)
    console = capsys.readouterr()

    secrets = {f"password #{i}": p for i, p in enumerate([*DEMO_PASSWORDS, WRONG_PASSWORD], 1)}
    secrets |= {f"token #{i}": t for i, t in enumerate(issued_tokens, 1)}
    users_signed_in = len(issued_tokens) // 2
    assert users_signed_in >= 3, "the app's sign-in, at least one refresh, and the other user's sign-in"
    assert held and held <= set(issued_tokens), "the recording saw every token the app used"

    # What must exist, so that the scan below is known to cover it.
    expected = [
        config_dir() / "settings.json",
        log_file,
        log_file.with_name(log_file.name + ".1"),
        home / ".local" / "share" / "keyrings",
    ]
    for path in expected:
        assert path.exists(), f"expected {path} to be written by the session"
    thumbnails = list((cache_dir() / "thumbnails").rglob("*.thumb"))
    opened = [p for p in temp.rglob("*") if p.is_file() and p.parent.name.startswith("skydesk-media-")]
    assert thumbnails and opened, f"thumbnails cached: {len(thumbnails)}, photos opened from temp: {opened}"
    assert "signed in to" in log_file.read_text() + log_file.with_name(log_file.name + ".1").read_text()

    count, findings = scan([home, temp, tmp_path], secrets, exclude=[state_dir])
    print(f"scanned {count} files under {home}, {temp} and {tmp_path}")
    assert_clean(count, findings)
    assert count >= len(expected) + len(thumbnails) + len(opened)
    for stream, text in (("stdout", console.out), ("stderr", console.err)):
        leaked = [kind for kind, secret in secrets.items() if secret in text]
        assert not leaked and "Bearer " not in text, f"{stream} shows {leaked or 'a Bearer header'}"
    assert "skydesk.api" in console.err, "the --verbose console log was captured and checked"
    assert_database_holds_no_plaintext(state_dir, secrets)


async def _drive_the_window(sb: Any, held: set[str]) -> None:
    """Sign in (wrong, then right with Remember me), browse, edit, live events, refresh, sign out, quit."""
    from datetime import UTC, datetime

    import shiboken6
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from skydesk.api import SkylightClient
    from skydesk.core.credentials import CredentialStore
    from skydesk.core.settings import Settings
    from skydesk.models.services import AppServices
    from skydesk.models.session_columns import COL_NAME
    from skydesk.ui.main_window import PAGE_SIGN_IN, MainWindow
    from tests.gui.helpers import close_window, fill_sign_in, wait_loaded
    from tests.support.qt import wait_until

    credentials = CredentialStore()  # the keyring the app would detect: the real Secret Service
    assert credentials.available and "SecretService" in credentials.backend_name, credentials.reason
    services = AppServices(Settings.load(), credentials)
    window = MainWindow(services)
    window.show()
    try:
        page = window.sign_in_page
        fill_sign_in(window, sb, "tech", password=WRONG_PASSWORD)
        QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
        await wait_until(page.error.isVisible, 15, what="the wrong-password message")

        assert page.remember.isEnabled(), "a secure keyring is running, so Remember me is offered"
        page.remember.setChecked(True)
        page.password.setText("tech-demo-pw")
        QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
        await wait_loaded(window)
        client = services.auth.client
        profile = services.auth.profile
        assert client is not None and profile is not None

        def remembered() -> str | None:
            return CredentialStore().load_refresh_token(profile, "tech")

        await wait_until(lambda: remembered() == client.refresh_token, 10, what="the token in the keyring")
        first_refresh_token = client.refresh_token
        assert first_refresh_token
        held.add(first_refresh_token)
        _rotate_the_log()
        await wait_until(lambda: window.status.live_state == "connected", 20, what="live events")

        # Browse and edit: select a session and save a new name through the detail pane.
        model = services.browser.model
        session = next(s for s in model.sessions() if s.is_open)
        window.workspace.sessions.select_session(session.session_id)
        pane = window.workspace.detail_pane
        await wait_until(
            lambda: pane.session is not None and pane.session.session_id == session.session_id, 10
        )
        pane.name.editor.selectAll()
        QTest.keyClicks(pane.name.editor, "Checked for secrets on disk")
        await wait_until(pane.save_button.isEnabled, 10, what="Save to be enabled")
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: not pane.dirty_fields(), 15, what="the edit to be saved")

        await _photos_cached_and_opened(window, sb)

        # Live events: another user renames a session; the open list follows with no user action.
        other_name = f"Renamed by dispatch {datetime.now(UTC):%H%M%S%f}"
        async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as other:
            await other.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
            await other.update_session_name(session.application_id, session.session_id, other_name)
        row_name = lambda: model.index(model.row_of(session.session_id), COL_NAME).data()  # noqa: E731
        await wait_until(lambda: row_name() == other_name, 15, what="the live update")

        # A token refresh: once the access token has expired, F5 makes the client renew it.
        expires = client.access_expires_at
        assert expires is not None
        await wait_until(lambda: datetime.now(UTC) > expires, 15, interval=0.2, what="the token to expire")
        window.refresh_action.trigger()
        await wait_until(lambda: client.refresh_token != first_refresh_token, 15, what="a token refresh")
        await wait_loaded(window)
        refreshed = client.refresh_token
        assert refreshed
        held.update({refreshed, await client.access_token()})
        await wait_until(lambda: remembered() == client.refresh_token, 10, what="the rotated token stored")

        window.sign_out_action.trigger()
        await wait_until(lambda: window.pages.currentIndex() == PAGE_SIGN_IN, 10, what="the sign-in page")
        await wait_until(lambda: remembered() is None, 10, what="Sign out to forget the keyring entry")
        await close_window(window)
    finally:
        if not getattr(window, "closed_by_test", False):
            await close_window(window)
        shiboken6.delete(window)
        shiboken6.delete(services)


async def _photos_cached_and_opened(window: Any, sb: Any) -> None:
    """Show a session's photos in the Media tab (thumbnails go to the disk cache) and open one the way
    "Open" does (downloaded into a temp folder; the system viewer itself is not started)."""
    from skydesk.api import SkylightClient
    from skydesk.core.paths import cache_dir
    from skydesk.models.media_transfers import DONE
    from tests.support.qt import wait_until

    services = window.services
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as other:
        await other.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        with_photos = None
        for session in services.browser.model.sessions():
            page = await other.list_session_media(session.application_id, session.session_id)
            if any(m.content_type.startswith("image/") and m.is_complete for m in page.items):
                with_photos = session
                break
    assert with_photos is not None, "the seed has a session with photos"
    window.workspace.sessions.select_session(with_photos.session_id)
    tab = window.media_tab
    window.workspace.detail_pane.tabs.setCurrentWidget(tab)
    await wait_until(
        lambda: services.media.session == (with_photos.application_id, with_photos.session_id), 15
    )
    await wait_until(lambda: services.media.model.items, 15, what="the media listed")
    cache = cache_dir() / "thumbnails"
    await wait_until(lambda: list(cache.rglob("*.thumb")), 30, what="thumbnails in the disk cache")
    photo = next(m for m in services.media.model.items if m.content_type.startswith("image/"))
    tab.open_external = lambda path: None  # no desktop viewer here; the temp copy is what matters
    transfer = tab.open_with_system_viewer(photo)
    await wait_until(lambda: transfer.state == DONE, 30, what="the photo downloaded to the temp dir")


def _rotate_the_log() -> None:
    """Roll the log file over once, so rotated files exist and are scanned too."""
    from skydesk.core import logs

    handler = logs.file_handler()
    assert handler is not None
    for queued in logging.getLogger().handlers:
        queued.flush()  # what was logged so far is in the file that rolls over
    handler.acquire()  # the writer thread may be writing
    try:
        handler.doRollover()
    finally:
        handler.release()


# ---------------------------------------------------------------------------- 2. skydesk --demo


def test_a_demo_run_leaves_no_secret_on_disk(home: Path, tmp_path: Path) -> None:
    from skydesk.core.paths import config_dir, data_dir, log_dir

    env = {**os.environ, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # never the developer's keyring; there is none in CI either
    run = subprocess.run(
        [sys.executable, "-m", "skydesk", "--demo", "--quit-after-load", "--verbose"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "skydesk: loaded" in run.stderr

    sandbox_state = data_dir() / "sandbox"  # the embedded sandbox's own keys and database
    expected = [config_dir() / "demo-settings.json", log_dir() / "skydesk.log", sandbox_state]
    for path in expected:
        assert path.exists(), f"expected the demo to write {path}"
    secrets = {f"password #{i}": p for i, p in enumerate(DEMO_PASSWORDS, 1)}
    count, findings = scan([home, tmp_path], secrets, exclude=[sandbox_state])
    print(f"scanned {count} files under {home} and {tmp_path}")
    assert_clean(count, findings)
    for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        assert not JWT_SHAPE.search(text.encode()) and "Bearer " not in text, f"a token on {stream}"
        assert not [p for p in DEMO_PASSWORDS if p in text], f"a password on {stream}"
    assert "DEBUG" in (log_dir() / "skydesk.log").read_text(), "--verbose logged at DEBUG"
    assert_database_holds_no_plaintext(sandbox_state, secrets)


# ---------------------------------------------------------------------------- 3. every log handler redacts


def _handlers_in_process() -> list[tuple[str, logging.Handler]]:
    """Every handler attached to any logger that writes somewhere (not NullHandler, not pytest's capture)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    found = []
    for logger in loggers:
        for handler in logger.handlers:
            if not isinstance(handler, logging.NullHandler) and not type(handler).__module__.startswith(
                "_pytest"
            ):
                found.append((logger.name, handler))
    return found


def test_every_log_handler_in_the_app_redacts_including_thread_and_server_records(
    tmp_path: Path, make_sandbox: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """With the demo's in-process sandbox running, no logger writes anywhere without the redaction filter.

    uvicorn used to install its own unfiltered stderr handler (and kept its errors out of the log file).
    """
    import socket
    import ssl
    import threading

    from skydesk.core import logs

    root = logging.getLogger()
    level = root.level
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0aHJlYWQifQ.dGhyZWFkLXNpZ25hdHVyZQ"
    log_file = logs.setup_logging(verbose=True, log_dir=tmp_path / "logs")
    try:
        sb = make_sandbox(seed=1)
        handlers = _handlers_in_process()
        assert len(handlers) >= 2, "the file and console handlers"
        unfiltered = [
            f"{name}: {handler!r}"
            for name, handler in handlers
            if not any(isinstance(f, logs.RedactingFilter) for f in handler.filters)
        ]
        assert not unfiltered, f"handlers without redaction: {unfiltered}"
        for name in ("qasync", "amqtt", "hpack", "httpcore"):  # their DEBUG lines carry secrets
            assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO, name

        # A record from another thread, and a real one from uvicorn (a request it cannot parse).
        worker = threading.Thread(
            target=lambda: logging.getLogger("skydesk.events").warning("worker saw Bearer %s", token),
            name="paho-like-worker",
        )
        worker.start()
        worker.join(10)
        context = ssl.create_default_context(cafile=sb.info.ca_file)
        host, port = "127.0.0.1", int(sb.info.api_url.rsplit(":", 1)[1])
        with socket.create_connection((host, port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(b"NOT-HTTP \x00\x01 garbage\r\n\r\n")
                tls.recv(1024)
        for handler in root.handlers:
            handler.flush()
    finally:
        logs.stop_logging()
        root.setLevel(level)
    text = log_file.read_text(encoding="utf-8")
    assert (
        "paho-like-worker" in text
        and "worker saw [redacted]" in text
        and "Bearer" not in text
        and token not in text
    )
    assert "uvicorn.error" in text and "Invalid HTTP request" in text, "uvicorn's records reach the log file"
    assert token not in capsys.readouterr().err
