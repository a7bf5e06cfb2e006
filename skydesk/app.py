"""The composition root: parse the command line, build the services and the window, run the qasync loop.

Shutdown follows STACK-NOTES: quitting is started by the app itself (Quit action, window close with
``setQuitOnLastWindowClosed(False)``, or SIGINT/SIGTERM); the main coroutine awaits the cleanup of MQTT,
keyring writes, HTTP and the demo sandbox, and only then returns, so nothing async runs after the loop stops.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skydesk import __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from skydesk.core.settings import ConnectionProfile
    from skydesk.models.services import AppServices
    from skydesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

DESKTOP_FILE_NAME = "io.github.skydesk.Skydesk"
DEMO_PROFILE = "Demo sandbox"
# The demo keeps its own settings file: its profile points at this run's random ports, so saving it as the
# user's last profile would make the next normal start pre-select a server that no longer exists.
DEMO_SETTINGS_FILE = "demo-settings.json"
DEMO_ACTIVITY = 4.0  # simulated colleagues' events per minute
DEMO_REFRESH_TTL = 12 * 3600  # a demo left open all day should not keep asking for the password
LOAD_TIMEOUT = 60.0


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``skydesk`` / ``python -m skydesk``."""
    parser = argparse.ArgumentParser(
        prog="skydesk", description="Desktop client for the Skylight Integration API."
    )
    parser.add_argument("--version", action="version", version=f"skydesk {__version__}")
    parser.add_argument("--profile", metavar="NAME", help="connection profile to use (created if new)")
    parser.add_argument(
        "--api-url", metavar="URL", help="REST API base URL, e.g. https://api.skylight.eu.upskill.io"
    )
    parser.add_argument("--mqtt-host", metavar="HOST", help="MQTT broker host")
    parser.add_argument("--mqtt-port", metavar="PORT", type=int, help="MQTT broker port (default 8883)")
    parser.add_argument("--realm", metavar="REALM", help="Skylight realm")
    parser.add_argument("--ca-file", metavar="PEM", help="CA certificate to trust for API and MQTT")
    parser.add_argument(
        "--theme",
        choices=("light", "dark", "system"),
        help="colour theme (default: as last chosen in View > Theme)",
    )
    parser.add_argument("--verbose", action="store_true", help="debug-level logging")
    parser.add_argument(
        "--demo", action="store_true", help="start the embedded sandbox and sign in as a demo technician"
    )
    # Hidden hooks for the packaging smoke test and for screenshots.
    parser.add_argument("--quit-after-load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--screenshot", metavar="PNG", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load-timeout", type=float, default=LOAD_TIMEOUT, help=argparse.SUPPRESS)
    parser.add_argument("--window-size", metavar="WxH", type=_window_size, help=argparse.SUPPRESS)
    parser.add_argument("--settings-file", type=Path, help=argparse.SUPPRESS)
    return parser


def _window_size(text: str) -> tuple[int, int]:
    """Parse ``1280x800`` (screenshots at a known size)."""
    try:
        width, height = (int(part) for part in text.lower().split("x", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, e.g. 1280x800 (got {text!r})") from None
    return width, height


def profile_from_args(args: argparse.Namespace, saved: ConnectionProfile | None) -> ConnectionProfile | None:
    """The saved profile with any command-line overrides applied (a new one if only options were given)."""
    from skydesk.core.settings import ConnectionProfile

    overrides = {
        "api_url": args.api_url.rstrip("/") if args.api_url else None,
        "mqtt_host": args.mqtt_host,
        "mqtt_port": args.mqtt_port,
        "realm": args.realm,
        "ca_file": args.ca_file,
    }
    given = {k: v for k, v in overrides.items() if v is not None}
    if saved is None and not given and not args.profile:
        return None
    if saved is None:
        api_url = given.get("api_url", "")
        host = api_url.split("://", 1)[-1].split("/", 1)[0]
        mqtt_host = given.get("mqtt_host") or host.split(":", 1)[0].replace("api.", "mqtt.", 1)
        return ConnectionProfile(
            name=args.profile or host or "Command line",
            api_url=api_url,
            mqtt_host=mqtt_host,
            mqtt_port=given.get("mqtt_port", 8883),
            realm=given.get("realm", ""),
            ca_file=given.get("ca_file"),
        )
    data = {**saved.__dict__, **given}
    return ConnectionProfile(**data)


NO_DISPLAY = (
    "skydesk: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Run it on a desktop, "
    "under xvfb-run (xvfb-run skydesk), or without a window with QT_QPA_PLATFORM=offscreen."
)


def no_display(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt would find no screen: on Linux/BSD, no X11 or Wayland display and no platform chosen."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    return not any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run skydesk; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if no_display(os.environ):
        # Qt would abort with a message about xcb plugins (exit 134); say what is wrong and how to run it.
        print(NO_DISPLAY, file=sys.stderr)
        return 2

    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from skydesk.core.logs import asyncio_exception_handler, install_excepthook, setup_logging, stop_logging
    from skydesk.core.paths import log_dir
    from skydesk.models.collector import MainThreadCollector
    from skydesk.models.event_loop import QtEventLoop
    from skydesk.ui.common import app_icon

    log_path = setup_logging(args.verbose, log_dir())
    install_excepthook()
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    QApplication.setApplicationName("skydesk")
    QApplication.setOrganizationName("skydesk")
    QApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # quitting is ours to start (see the module docstring)
    loop = QtEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(asyncio_exception_handler)
    # A standard pool rather than qasync's QThread one: its threads are visible to `threading`, so the
    # exit check below can prove that closing the loop joined them.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="skydesk-worker"))
    log.info("skydesk %s starting; log file %s", __version__, log_path)
    # Cyclic garbage collection runs only here, on the GUI thread: a collection started by paho's thread,
    # a sandbox thread or an executor worker could free Qt objects off their thread and crash Qt.
    collector = MainThreadCollector(app)
    collector.start()
    try:
        with loop:  # closing the loop also joins its default executor's worker threads
            code = int(loop.run_until_complete(_run(app, args)))
            loop.run_until_complete(loop.shutdown_asyncgens())  # close generators left mid-way, on the loop
        left = [t.name for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
        if left:
            log.warning("threads still running at exit: %s", ", ".join(left))
            if args.quit_after_load or args.screenshot:
                print(f"skydesk: threads still running at exit: {left}", file=sys.stderr)
        return code
    finally:
        collector.stop()
        asyncio.set_event_loop(None)
        stop_logging()


async def _run(app: QApplication, args: argparse.Namespace) -> int:
    """The main coroutine: everything async is created here, inside the running loop."""
    import shiboken6

    from skydesk.core.credentials import CredentialStore
    from skydesk.core.settings import Settings
    from skydesk.models.services import AppServices
    from skydesk.ui.crash_dialog import install_crash_dialog
    from skydesk.ui.main_window import MainWindow

    loop = asyncio.get_running_loop()
    settings = Settings.load(_settings_path(args))
    if args.theme:
        settings.theme = args.theme
    # Finding the keyring asks D-Bus which services run (and may wait for one to start): not on this thread.
    credentials = await loop.run_in_executor(None, CredentialStore)
    services = AppServices(settings, credentials)
    window = MainWindow(services, subtitle="Demo sandbox (local)" if args.demo else "")
    crash_reporter = install_crash_dialog(lambda: window)
    quit_future: asyncio.Future[None] = loop.create_future()

    def request_quit() -> None:
        if not quit_future.done():
            quit_future.set_result(None)

    window.quit_requested.connect(request_quit)
    handled_signals = _quit_on_signals(loop, request_quit)
    if args.window_size:
        window.set_size(*args.window_size)
    window.show()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="skydesk-sandbox")
    sandbox: Any = None
    exit_code = 0
    try:
        if args.demo:
            window.show_progress("Starting the demo sandbox…")
            try:
                sandbox = await loop.run_in_executor(executor, _start_sandbox)
            except Exception as exc:
                log.exception("The demo sandbox did not start")
                window.presenter.expected("Demo sandbox", f"The demo sandbox could not start: {exc}")
                window.show_sign_in(message=f"The demo sandbox could not start: {exc}")
                exit_code = 1
            else:
                profile, username, password = _demo_sign_in(sandbox.info)
                window.sign_in(profile, username, password)
        else:
            saved = settings.profile(args.profile) if args.profile else settings.startup_profile()
            window.start(profile_from_args(args, saved))
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


def _settings_path(args: argparse.Namespace) -> Path | None:
    """The settings file: as given, the demo's own one, or the default (None)."""
    if args.settings_file is not None:
        return Path(args.settings_file)
    if args.demo:
        from skydesk.core.paths import config_dir

        return config_dir() / DEMO_SETTINGS_FILE
    return None


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


def sandbox_profile(info: Any, name: str = DEMO_PROFILE, username: str = "") -> ConnectionProfile:
    """The connection profile of a running sandbox (its ``info``: this run's ports, realm and CA)."""
    from skydesk.core.settings import ConnectionProfile

    return ConnectionProfile(
        name=name,
        api_url=info.api_url,
        mqtt_host=info.mqtt_host,
        mqtt_port=info.mqtt_port,
        realm=info.realm,
        ca_file=info.ca_file,
        username=username,
    )


def _demo_sign_in(info: Any) -> tuple[ConnectionProfile, str, str]:
    """The demo profile and the demo technician's credentials."""
    user = info.users[0]
    return sandbox_profile(info, username=user.username), user.username, user.password


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
