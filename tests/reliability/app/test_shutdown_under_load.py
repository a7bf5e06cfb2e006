"""Quitting the real app (its main coroutine and Quit action, offscreen, against the real sandbox) while work
is under way: an event storm, an upload and a download, an export, paging the list. Afterwards no thread is
left behind, settings.json and the caches parse, no partial file sits under a real name, and nothing printed,
logged or hooked a traceback (sys.excepthook, sys.unraisablehook, the loop's handler, the crash listener).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from skydesk import app as skydesk_app
from skydesk.api import SkylightClient
from skydesk.core.paths import cache_dir
from skydesk.core.settings import Settings
from skydesk.models.browser import LIST_TARGET
from skydesk.models.export_format import CSV, ExportSpec
from skydesk.models.media_transfers import DONE, RUNNING
from skydesk.ui.main_window import MainWindow
from tests.gui.helpers import fill_sign_in, wait_loaded
from tests.media.helpers import add_media, new_session, sha
from tests.support.change_storm import ChangeStorm
from tests.support.crash_hooks import CrashHooks
from tests.support.qt import wait_until

pytestmark = [pytest.mark.timeout(180)]

MIB = 1024 * 1024
OLD_EXPORT = b"the previous export\r\n"


def _windows(qapp: Any) -> set[int]:
    return {shiboken6.getCppPointer(w)[0] for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)}


def _shown_window(qapp: Any, before: set[int]) -> MainWindow | None:
    """The window the app's main coroutine opened, once its services are attached (it is shown before)."""
    shown = [
        w
        for w in qapp.topLevelWidgets()
        if isinstance(w, MainWindow)
        and w.isVisible()
        and w.attached
        and shiboken6.getCppPointer(w)[0] not in before
    ]
    return shown[0] if shown else None


def _other_tasks() -> list[str]:
    return [repr(t)[:300] for t in asyncio.all_tasks() if t is not asyncio.current_task()]


def _threads(before: set[threading.Thread]) -> list[str]:
    # Not the app's: the sandbox's request workers (AnyIO) and Qt's own pooled threads (dummies).
    return [
        t.name
        for t in threading.enumerate()
        if t not in before
        and t.is_alive()
        and not isinstance(t, threading._DummyThread)
        and t.name != "AnyIO worker thread"
    ]


async def _run_and_quit(
    qapp: Any,
    tmp_path: Path,
    sb: Any,
    busy: Callable[[MainWindow], Awaitable[Callable[[], bool]]],
    prepare: Callable[[MainWindow], None] = lambda _window: None,
) -> tuple[MainWindow, bool]:
    """Start the app as main() does, sign in, let ``busy`` start work, then Quit while it is under way.

    ``busy`` returns a predicate saying the work is still running; returns whether it was when quitting.
    """
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-worker")
    loop.set_default_executor(executor)  # as main() does; closing its loop joins it
    hooks = CrashHooks()
    uninstall = hooks.install(loop)
    before = set(threading.enumerate())
    try:
        args = skydesk_app.build_parser().parse_args(["--settings-file", str(tmp_path / "settings.json")])
        windows = _windows(qapp)
        run = asyncio.ensure_future(skydesk_app._run(qapp, args))
        window = await wait_until(lambda: _shown_window(qapp, windows), 60, what="the main window")
        prepare(window)
        fill_sign_in(window, sb, "tech")
        QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
        await wait_loaded(window, 60)
        still_running = await busy(window)
        under_way = bool(still_running())
        window.quit_action.trigger()
        assert await asyncio.wait_for(run, 60) == 0
        executor.shutdown(wait=True)
        assert not _threads(before), f"threads left running: {_threads(before)}"
        # As main() runs the loop on for shutdown_asyncgens(): a generator freed with the main coroutine's
        # frames (a download's byte stream) is closed by a task of its own, which must end by itself.
        try:
            await wait_until(lambda: not _other_tasks(), 5)
        except AssertionError:
            raise AssertionError(f"tasks left running: {_other_tasks()}") from None
    finally:
        uninstall()
    assert not hooks.seen, hooks.seen
    return window, under_way


def _check_settings_and_caches(tmp_path: Path, log_file: Path) -> None:
    settings_file = tmp_path / "settings.json"
    json.loads(settings_file.read_text(encoding="utf-8"))
    settings = Settings.load(settings_file)
    assert settings.load_problem is None and settings.profile("test") is not None
    assert [p.name for p in tmp_path.glob(".settings-*")] == [], "no temp settings file left"
    for path in cache_dir().rglob("*"):
        if path.is_file():
            assert path.suffix != ".part", f"a partial cache file was left: {path}"
            if path.suffix == ".thumb":
                assert not QImage.fromData(path.read_bytes()).isNull(), f"a damaged thumbnail: {path}"
    for handler in logging.getLogger().handlers:
        handler.flush()  # the log file is written on its own thread: wait for what was handed over
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" not in text, text[-3000:]
    assert "skydesk stopped cleanly" in text


async def _tech_session_ids(sb: Any, app_id: str) -> list[str]:
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as tech:
        await tech.login(sb.info.realm, "tech", "tech-demo-pw")
        return [s.session_id for s in await tech.get_sessions(app_id)]


def _app_id(sb: Any) -> str:
    return next(a.application_id for a in sb.info.applications if a.name == "Field Inspection")


async def test_quit_during_an_event_storm(
    qapp: Any, tmp_path: Path, make_sandbox: Any, log_file: Path
) -> None:
    sb = make_sandbox(seed=12)
    ids = await _tech_session_ids(sb, _app_id(sb))
    batches: list[int] = []

    async def storm_running(window: MainWindow) -> Callable[[], bool]:
        window.services.bridge.events_batch.connect(lambda events: batches.append(len(events)))
        await wait_until(lambda: sum(batches) >= 25, 30, what="storm events to arrive")
        return lambda: storm.changes > 0

    with ChangeStorm(sb, _app_id(sb), ids) as storm:
        _window, under_way = await _run_and_quit(qapp, tmp_path, sb, storm_running)
    assert under_way and storm.changes >= 25
    _check_settings_and_caches(tmp_path, log_file)


async def test_quit_during_an_upload_and_a_download(
    qapp: Any, tmp_path: Path, make_sandbox: Any, log_file: Path
) -> None:
    sb = make_sandbox(seed=6)
    app_id = _app_id(sb)
    payload = os.urandom(24 * MIB)
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as tech:
        await tech.login(sb.info.realm, "tech", "tech-demo-pw")
        sid = await new_session(tech, app_id, "Shutdown")
        stored = await add_media(
            tech, app_id, sid, "scan.bin", payload, content_type="application/octet-stream"
        )
    source = tmp_path / "site.mp4"
    source.write_bytes(os.urandom(20 * MIB))  # three 8 MiB chunks
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    target = downloads / "scan.bin"
    transfers: list[Any] = []

    async def transferring(window: MainWindow) -> Callable[[], bool]:
        media = window.services.media
        media.open(app_id, sid)
        await wait_until(lambda: media.model.items, 30, what="the media list")
        sb.faults.set_latency(rest=1.0)  # every request (each 8 MiB chunk) takes a while
        item = next(m for m in media.model.items if m.media_id == stored.media_id)
        transfers.append(media.download(item, target))
        upload = media.upload(source, "video/mp4", {"title": "Site walk"})
        assert upload is not None
        transfers.append(upload)
        await wait_until(lambda: upload.media_id, 30, what="the upload's item created")
        return lambda: upload.state == RUNNING

    _window, under_way = await _run_and_quit(qapp, tmp_path, sb, transferring)
    assert under_way, "the upload was still being sent when the app quit"
    # The download either finished whole or left nothing: never a partial file under its real name.
    names = os.listdir(downloads)
    assert names in ([], ["scan.bin"]), names
    if names:
        assert transfers[0].state == DONE and sha(target.read_bytes()) == sha(payload)
    sb.faults.set_latency(rest=0)
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as tech:
        await tech.login(sb.info.realm, "tech", "tech-demo-pw")
        items = (await tech.list_session_media(app_id, sid, archived="include")).items
    sent = next(m for m in items if m.filename == "site.mp4")
    assert sent.uploaded_bytes < sent.total_bytes, "cut mid-way: the server keeps it incomplete (resumable)"
    _check_settings_and_caches(tmp_path, log_file)


async def test_quit_during_an_export(qapp: Any, tmp_path: Path, make_sandbox: Any, log_file: Path) -> None:
    sb = make_sandbox(seed=60)
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / "sessions.csv"
    target.write_bytes(OLD_EXPORT)
    progress: list[int] = []

    async def exporting(window: MainWindow) -> Callable[[], bool]:
        services = window.services
        app = next(a for a in services.browser.applications if a.application_id == _app_id(sb))
        services.export.page_size = 5
        services.export.progress.connect(lambda written, _total: progress.append(written))
        sb.faults.set_latency(rest=0.3)
        services.export.export_sessions(target, app, services.browser.filters, ExportSpec(["name"], CSV))
        await wait_until(lambda: progress and progress[-1] >= 5, 30, what="the first page written")
        return lambda: services.export.running

    _window, under_way = await _run_and_quit(qapp, tmp_path, sb, exporting)
    assert under_way, "the export was still running when the app quit"
    assert os.listdir(exports) == ["sessions.csv"], "no temporary part left beside it"
    assert target.read_bytes() == OLD_EXPORT, "the previous export is untouched"
    _check_settings_and_caches(tmp_path, log_file)


async def test_quit_while_paging_the_list(
    qapp: Any, tmp_path: Path, make_sandbox: Any, log_file: Path
) -> None:
    sb = make_sandbox(seed=60)

    async def paging(window: MainWindow) -> Callable[[], bool]:
        services = window.services
        browser, ops = services.browser, services.ops
        await wait_until(lambda: ops.busy(LIST_TARGET) == 0 and browser.model.canFetchMore(QModelIndex()), 30)
        sb.faults.set_latency(rest=0.5)
        # The page after the last one shown was read ahead before the latency was set: it would arrive
        # within one loop pass, between two polls below. Forgetting it makes the next page a slow request.
        browser.discard_read_ahead()
        window.workspace.sessions.table.scrollToBottom()  # the view asks for the next page (fetchMore)
        await wait_until(lambda: ops.busy(LIST_TARGET) > 0, 30, what="the next page asked for")
        return lambda: ops.busy(LIST_TARGET) > 0

    def small_pages(window: MainWindow) -> None:
        window.services.browser.page_size = 5

    _window, under_way = await _run_and_quit(qapp, tmp_path, sb, paging, small_pages)
    assert under_way, "a page was in flight when the app quit"
    _check_settings_and_caches(tmp_path, log_file)
