"""The main coroutine of ``skydesk``: services attached to the first window, the demo sandbox, the shutdown.

Kept apart from app.py so that showing the first window imports neither asyncio nor the SDK. Shutdown
follows STACK-NOTES: quitting is started by the app itself (Quit action, window close with
``setQuitOnLastWindowClosed(False)``, or SIGINT/SIGTERM); ``run`` awaits the cleanup of MQTT, keyring
writes, HTTP and the demo sandbox, and only then returns, so nothing async runs after the loop stops.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from skydesk.app import DEMO_ACTIVITY, DEMO_REFRESH_TTL, _demo_sign_in, _FirstWindow

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from skydesk.core.settings import Settings
    from skydesk.models.services import AppServices
    from skydesk.ui.main_window import MainWindow

log = logging.getLogger("skydesk.app")


async def run(app: QApplication, args: argparse.Namespace, first: _FirstWindow) -> int:
    """The main coroutine: everything async is created here, inside the running loop.

    ``first`` is the window main() has shown; the SDK, the workspace and the controllers are attached to
    it now. A start that may restore a remembered sign-in shows the window only once they are.
    """
    import shiboken6

    loop = asyncio.get_running_loop()
    window, settings, profile = first.window, first.settings, first.profile
    quit_future: asyncio.Future[None] = loop.create_future()

    def request_quit() -> None:
        if not quit_future.done():
            quit_future.set_result(None)

    window.quit_requested.connect(request_quit)
    handled_signals = _quit_on_signals(loop, request_quit)
    crash_reporter, services = await _attach_services(window, settings)
    if not first.early:
        window.show()
        window.start(profile)  # restores the remembered sign-in, or asks for one
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="skydesk-sandbox")
    sandbox: Any = None
    exit_code = 0
    try:
        if args.demo:
            try:
                sandbox = await loop.run_in_executor(executor, _start_sandbox)
            except Exception as exc:
                log.exception("The demo sandbox did not start")
                window.presenter.expected("Demo sandbox", f"The demo sandbox could not start: {exc}")
                window.show_sign_in(message=f"The demo sandbox could not start: {exc}")
                exit_code = 1
            else:
                demo_profile, username, password = _demo_sign_in(sandbox.info)
                window.sign_in(demo_profile, username, password)
        if args.quit_after_load or args.screenshot:
            if exit_code == 0:
                exit_code = await _load_then_quit(window, services, args)
            window.quit_action.trigger()  # the path Ctrl+Q takes (also when the demo sandbox failed)
        await quit_future
    finally:
        for sig in handled_signals:
            loop.remove_signal_handler(sig)
        window.save_layout()
        window.hide()
        await services.shutdown()
        if sandbox is not None:
            await loop.run_in_executor(executor, sandbox.stop)
        executor.shutdown(wait=True)
        crash_reporter.uninstall()
        window.allow_close()
        window.close()
        # Free the Qt objects here, on the GUI thread, rather than whenever the garbage collector runs.
        shiboken6.delete(window)
        shiboken6.delete(services)
    left = [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    if left:
        log.warning("tasks still running at exit: %s", ", ".join(left))
        if args.quit_after_load or args.screenshot:
            print(f"skydesk: tasks still running at exit: {left}", file=sys.stderr)
    log.info("skydesk stopped cleanly")
    return exit_code


async def _attach_services(window: MainWindow, settings: Settings) -> tuple[Any, AppServices]:
    """Find the keyring (off the GUI thread) while the SDK and the workspace load, then attach them."""
    from skydesk.ui.crash_dialog import install_crash_dialog

    crash_reporter = install_crash_dialog(lambda: window)
    # Finding the keyring asks D-Bus which services run (and may wait for one to start): not on this thread.
    credentials = asyncio.get_running_loop().run_in_executor(None, _find_keyring)
    from skydesk.models.services import AppServices

    services = AppServices(settings, await credentials)
    window.attach(services)
    return crash_reporter, services


def _find_keyring() -> Any:
    """The credential store (runs on a worker thread, with keyring's import)."""
    from skydesk.core.credentials import CredentialStore

    return CredentialStore()


def _quit_on_signals(loop: asyncio.AbstractEventLoop, request_quit: Callable[[], None]) -> list[int]:
    """SIGINT (Ctrl+C in a terminal) and SIGTERM (logout, ``kill``) quit in order, as the Quit action does.

    No "unsaved changes?" question: nobody is there to answer it. Returns the signals handled.
    """
    handled: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, _on_signal, sig, request_quit)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows' loops have no signal handlers
            continue
        handled.append(sig)
    return handled


def _on_signal(sig: int, request_quit: Callable[[], None]) -> None:
    log.info("Quitting on %s", signal.Signals(sig).name)
    request_quit()


def _start_sandbox() -> Any:
    """Start the embedded sandbox (runs on a worker thread: it binds sockets and may seed a database)."""
    from skydesk.sandbox import Sandbox, SandboxConfig

    started = time.monotonic()
    sandbox = Sandbox(
        SandboxConfig(api_port=0, mqtt_port=0, seed=60, activity=DEMO_ACTIVITY, refresh_ttl=DEMO_REFRESH_TTL)
    )
    sandbox.start()
    log.info("Demo sandbox up at %s in %.2fs", sandbox.info.api_url, time.monotonic() - started)
    return sandbox


async def _load_then_quit(window: MainWindow, services: AppServices, args: argparse.Namespace) -> int:
    """Test hook: wait until sessions are listed (and, for a screenshot, shown in detail), then report."""
    model = services.browser.model
    deadline = time.monotonic() + args.load_timeout

    def loaded() -> bool:
        return (
            bool(services.browser.application_id)
            and model.state in ("none", "empty")
            and bool(model.sessions() or model.state == "empty")
        )

    problem = ""
    while not loaded():
        sign_in_error = window.sign_in_page.error.text() if window.showing_sign_in() else ""
        if sign_in_error or model.state == "error" or time.monotonic() > deadline:
            problem = sign_in_error or model.state_text or "timed out"
            break
        await asyncio.sleep(0.1)
    if problem:
        print(f"skydesk: sessions did not load: {problem}", file=sys.stderr)
    else:
        from PySide6.QtGui import QGuiApplication

        title, desktop_file = window.windowTitle(), QGuiApplication.desktopFileName()
        print(
            f"skydesk: loaded {len(model.sessions())} of {model.total} sessions in “{title}”"
            f" (desktop file {desktop_file})",  # the packaging test checks the desktop integration id
            file=sys.stderr,
        )
        if args.screenshot:
            await _prepare_screenshot(window, services, deadline)
    if args.screenshot:  # also on failure: the picture shows what went wrong
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(args.screenshot)):
            print(f"skydesk: could not write {args.screenshot}", file=sys.stderr)
            return 1
        print(f"skydesk: screenshot saved to {args.screenshot}", file=sys.stderr)
    return 1 if problem else 0


async def _prepare_screenshot(window: MainWindow, services: AppServices, deadline: float) -> None:
    """Select a session with participants and data, and wait for live events, so the picture shows it all."""
    sessions = services.browser.model.sessions()
    chosen = next(
        (s for s in sessions if s.is_open and len(s.participants) > 1), sessions[0] if sessions else None
    )
    if chosen is not None:
        window.workspace.sessions.select_session(chosen.session_id)
    while time.monotonic() < deadline:
        detail_ready = chosen is None or (
            services.detail.session is not None and services.detail.session.session_id == chosen.session_id
        )
        if detail_ready and services.bridge.state == "connected":
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)  # let the last repaint happen
