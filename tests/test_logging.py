"""The log file (location, level, rotation, redaction of secrets) and the unexpected-exception hook."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from skydesk.core import logs

JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJ0ZWNoIiwidHlwIjoiYWNjZXNzIn0"
    ".c2lnbmF0dXJlLWJ5dGVzLWhlcmVfX19fX19fX19fX19f"
)


def _read(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"token is {JWT} ok", JWT),
        ("Authorization: Bearer abc.DEF-123", "abc.DEF-123"),
        ("{'Authorization': 'Bearer s3cr3t-value'}", "s3cr3t-value"),
        ("headers: authorization=Basic dXNlcjpwdw==", "dXNlcjpwdw=="),
        ("request failed: bearer zzz.yyy.xxx", "zzz.yyy.xxx"),
        ('{"username": "tech", "password": "tech-demo-pw"}', "tech-demo-pw"),
        ('{"refresh_token": "opaque\\"quoted", "expires_in": 300}', "opaque"),
        ("{'access_token': 'at-123', 'x': 1}", "at-123"),
        ('{"refreshToken":"rt-456"}', "rt-456"),
        ("grant_type=password&username=tech&password=hunter2&client_id=x", "hunter2"),
        ("login(realm='demo', password='p@ss w0rd')", "p@ss w0rd"),
        ("accessToken: plain-token-value, next", "plain-token-value"),
    ],
)
def test_redact_removes_the_secret(text: str, secret: str) -> None:
    redacted = logs.redact(text)
    assert secret not in redacted
    assert logs.REDACTED in redacted


@pytest.mark.parametrize(
    "text",
    [
        "Loaded 60 sessions for Field Inspection",
        "token_ttl=300 refresh_ttl=1800",
        'GET https://127.0.0.1:8443/api/applications "HTTP/1.1 200 OK"',
        "session_updated for session 4f1c9e2a by user tech",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert logs.redact(text) == text


def test_redaction_covers_message_args_and_traceback(log_file: Path) -> None:
    log = logging.getLogger("skydesk.test")
    log.info("login body %s", {"username": "tech", "password": "arg-secret-1"})
    log.info("headers %r", {"Authorization": f"Bearer {JWT}"})
    try:
        raise RuntimeError(f"server said: Authorization: Bearer exc-secret-2 refresh_token={JWT}")
    except RuntimeError:
        log.exception("request failed")
    log.info("stack for %s", "debugging", stack_info=True)

    text = _read(log_file)
    for secret in ("arg-secret-1", "exc-secret-2", JWT, "Bearer "):
        assert secret not in text
    assert "login body" in text and "request failed" in text
    assert "RuntimeError: server said" in text  # the traceback is still there, minus the secrets


# ---------------------------------------------------------------------------- file, level, rotation


def test_default_location_is_the_user_log_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    # conftest points XDG_STATE_HOME at a temp dir, so this never touches the real home.
    path = logs.setup_logging()
    try:
        assert path == Path(os.environ["XDG_STATE_HOME"]) / "skydesk" / "logs" / "skydesk.log"
        assert logs.current_log_file() == path
        logging.getLogger("skydesk.test").info("hello from the default location")
        assert "hello from the default location" in _read(path)
    finally:
        logs.stop_logging()
    assert logs.current_log_file() is None


def test_info_by_default_debug_when_verbose(tmp_path: Path) -> None:
    log = logging.getLogger("skydesk.test")
    quiet = logs.setup_logging(log_dir=tmp_path / "quiet")
    log.debug("debug line one")
    log.info("info line one")
    verbose = logs.setup_logging(verbose=True, log_dir=tmp_path / "verbose")
    log.debug("debug line two")
    logs.stop_logging()
    logging.getLogger().setLevel(logging.WARNING)

    assert "info line one" in quiet.read_text() and "debug line one" not in quiet.read_text()
    assert "debug line two" in verbose.read_text()
    # Set-up again replaced the first file handler instead of adding a second one.
    assert "debug line two" not in quiet.read_text()


def test_file_rotates_at_one_megabyte_keeping_five(log_file: Path) -> None:
    log = logging.getLogger("skydesk.test")
    line = "x" * 1000
    for _ in range(1_300):  # ~1.3 MB: exactly one rollover
        log.info(line)
    _read(log_file)  # written on the log's own thread: wait for it
    rotated = sorted(p.name for p in log_file.parent.iterdir())
    assert rotated == ["skydesk.log", "skydesk.log.1"]
    assert log_file.with_name("skydesk.log.1").stat().st_size <= logs.MAX_BYTES
    handler = logs.file_handler()
    assert isinstance(handler, RotatingFileHandler)
    assert (handler.maxBytes, handler.backupCount) == (1_000_000, 5)


# ---------------------------------------------------------------------------- unexpected exceptions


@pytest.fixture
def hooks(log_file: Path) -> Iterator[list[tuple[type[BaseException], BaseException, TracebackType | None]]]:
    """install_excepthook with a recording crash listener; the original hooks are restored."""
    seen: list[tuple[type[BaseException], BaseException, TracebackType | None]] = []
    saved = sys.excepthook, threading.excepthook
    logs.install_excepthook()
    remove = logs.add_crash_listener(lambda t, e, tb: seen.append((t, e, tb)))
    yield seen
    remove()
    sys.excepthook, threading.excepthook = saved


def test_uncaught_exception_is_logged_and_reported(
    hooks: list[tuple[type[BaseException], BaseException, TracebackType | None]], log_file: Path
) -> None:
    try:
        raise ValueError("broken widget state, password=never-logged")
    except ValueError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]

    assert [type(e) for _, e, _ in hooks] == [ValueError]
    text = _read(log_file)
    assert "CRITICAL" in text and "Unexpected error" in text
    assert "ValueError: broken widget state" in text
    assert "never-logged" not in text
    summary, details = logs.describe_exception(*hooks[0])
    assert summary == f"ValueError: broken widget state, password={logs.REDACTED}"
    assert "test_uncaught_exception_is_logged_and_reported" in details


def test_exception_in_a_thread_is_logged_and_reported(
    hooks: list[tuple[type[BaseException], BaseException, TracebackType | None]], log_file: Path
) -> None:
    def work() -> None:
        raise KeyError("missing-thing")

    worker = threading.Thread(target=work, name="sync-worker")
    worker.start()
    worker.join(10)

    assert [type(e) for _, e, _ in hooks] == [KeyError]
    text = _read(log_file)
    assert "Unexpected error in thread sync-worker" in text and "missing-thing" in text


def test_a_failing_listener_does_not_break_the_hook(
    hooks: list[tuple[type[BaseException], BaseException, TracebackType | None]], log_file: Path
) -> None:
    def bad_listener(*_: object) -> None:
        raise RuntimeError("listener broke")

    remove = logs.add_crash_listener(bad_listener)
    try:
        sys.excepthook(OSError, OSError("disk full"), None)
    finally:
        remove()
    assert [type(e) for _, e, _ in hooks] == [OSError]
    assert "A crash listener failed" in _read(log_file)


async def test_a_failing_callback_on_the_event_loop_is_logged_and_reported(
    hooks: list[tuple[type[BaseException], BaseException, TracebackType | None]], log_file: Path
) -> None:
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(logs.asyncio_exception_handler)  # as app.py does

    def refresh_badge() -> None:
        raise LookupError("no badge for session s-1")

    try:
        loop.call_soon(refresh_badge)  # asyncio hands the failure to the loop's exception handler
        await _until(lambda: bool(hooks), "the crash listener")
        loop.call_exception_handler({"message": "socket went away"})  # a report without an exception
    finally:
        loop.set_exception_handler(previous)

    assert [type(e) for _, e, _ in hooks] == [LookupError]
    text = _read(log_file)
    assert "Unexpected error in Exception in callback" in text and "LookupError: no badge" in text
    assert "ERROR   MainThread skydesk.core.logs: asyncio: socket went away" in text


# ---------------------------------------------------------------------------- the crash dialog


@pytest.mark.qt_no_exception_capture  # let the exception reach our hook instead of pytest-qt's
def test_exception_in_a_slot_shows_the_crash_dialog(
    qtbot: QtBot, hooks: list[object], log_file: Path
) -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QPushButton

    from skydesk.ui.crash_dialog import install_crash_dialog

    reporter = install_crash_dialog()
    button = QPushButton("Sync now")
    qtbot.addWidget(button)
    button.show()

    def on_sync_clicked() -> None:
        raise RuntimeError("sync blew up, refresh_token=tok-never-shown")

    button.clicked.connect(on_sync_clicked)
    try:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        dialog = reporter.dialog
        assert dialog is not None
        assert dialog.summary_label.text() == f"RuntimeError: sync blew up, refresh_token={logs.REDACTED}"
        assert any(str(log_file) in label.text() for label in dialog.findChildren(QLabel))

        assert not dialog.details_view.isVisible()  # collapsed until asked for
        qtbot.mouseClick(dialog.details_button, Qt.MouseButton.LeftButton)
        assert dialog.details_view.isVisible()
        assert "on_sync_clicked" in dialog.details and "RuntimeError" in dialog.details
        assert "tok-never-shown" not in dialog.details
        assert dialog.details.startswith("skydesk ")  # versions first, for bug reports

        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        assert QGuiApplication.clipboard().text() == dialog.details

        # The app keeps running: the same button fails again, and the open dialog collects it.
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.more_label.isVisible())
        assert dialog.more_label.text().startswith("1 more error")
        assert dialog.details.count("on_sync_clicked") == 2

        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: reporter.dialog is None)
        assert "sync blew up" in _read(log_file)
    finally:
        reporter.uninstall()


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_worker_thread_shows_the_dialog_on_the_gui_thread(
    qtbot: QtBot, hooks: list[object], log_file: Path
) -> None:
    from PySide6.QtWidgets import QApplication

    from skydesk.ui.crash_dialog import install_crash_dialog

    reporter = install_crash_dialog()
    try:
        worker = threading.Thread(target=lambda: 1 / 0, name="mqtt-worker")
        worker.start()
        worker.join(10)
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        assert reporter.dialog is not None
        assert reporter.dialog.thread() is QApplication.instance().thread()  # type: ignore[union-attr]
        assert reporter.dialog.summary_label.text() == "ZeroDivisionError: division by zero"
        reporter.dialog.close()
    finally:
        reporter.uninstall()


# ---------------------------------------------------------------------------- a real sign-in and sync


async def test_log_holds_no_secret_after_sign_in_and_sync(sandbox: Any, tmp_path: Path) -> None:
    """Sign in, list, edit, refresh tokens and follow events against the real sandbox at DEBUG level.

    The sandbox runs in this process, as it does in ``skydesk --demo``, so its server-side logs are
    checked too.
    """
    from skydesk.api import AuthError, SkylightClient
    from skydesk.events import EventStream, StreamState, stable_client_suffix, token_provider_for

    root = logging.getLogger()
    level = root.level
    log_file = logs.setup_logging(verbose=True, log_dir=tmp_path / "logs")  # DEBUG: the most libraries say
    info = sandbox.info
    user = info.users[0]
    wrong_password = "not-the-password-4711"
    secrets: list[str] = [user.password, wrong_password]
    states: list[StreamState] = []
    events: list[object] = []
    try:
        async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
            await client.login(info.realm, user.username, user.password)
            secrets += [await client.access_token(), client.refresh_token or "missing refresh token"]
            app_id = (await client.get_applications())[0].application_id
            assert await client.get_sessions(app_id)
            session = await client.create_session(app_id, name="log secrecy check")

            assert client.user_id is not None
            stream = EventStream(
                host=info.mqtt_host,
                port=info.mqtt_port,
                realm=info.realm,
                user_id=client.user_id,
                token_provider=token_provider_for(client, asyncio.get_running_loop()),
                client_suffix=stable_client_suffix(client.device_id, client.user_id),
                ca_file=info.ca_file,
                on_state=lambda state, _detail: states.append(state),
                sink=events.append,
            )
            stream.start()
            try:
                await _until(lambda: StreamState.CONNECTED in states, "the event stream to connect")
                await client.patch_session_data(app_id, session.session_id, {"checked": True})
                await _until(lambda: bool(events), "the session_data_updated event")
            finally:
                await asyncio.to_thread(stream.stop)

            await client.refresh()  # new tokens, which must not be logged either
            secrets += [await client.access_token(), client.refresh_token or "missing refresh token"]
            await client.logout()

        async with SkylightClient(info.api_url, ca_file=info.ca_file) as stranger:
            with pytest.raises(AuthError):
                await stranger.login(info.realm, user.username, wrong_password)
    finally:
        logs.stop_logging()
        root.setLevel(level)

    text = log_file.read_text(encoding="utf-8")
    assert "signed in" in text, "the log should record the sign-in (without its secrets)"
    for secret in secrets:
        assert secret not in text
    assert "Bearer " not in text


async def _until(condition: Callable[[], bool], what: str, within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def test_the_file_is_written_on_its_own_thread_and_flush_waits_for_it(
    log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writers: list[str] = []
    real_emit = logs._LogFile.emit

    def observed(self: logs._LogFile, record: logging.LogRecord) -> None:  # the real emit, noting the thread
        writers.append(threading.current_thread().name)
        real_emit(self, record)

    monkeypatch.setattr(logs._LogFile, "emit", observed)
    for n in range(200):
        logging.getLogger("skydesk.test").info("line %d with Bearer %s", n, JWT)
    text = _read(log_file)  # flushes the handlers, which waits for the writer
    assert "line 199 with" in text and JWT not in text, "all written, redacted"
    assert set(writers) == {logs.LOG_WRITER_THREAD}, "never on the thread that logged"
    logs.stop_logging()
    assert not [t for t in threading.enumerate() if t.name == logs.LOG_WRITER_THREAD], "stopped with logging"
