"""The composition root: parse the command line, show the first window, build the services, run the loop.

Start-up shows the sign-in page (or the demo's progress) first, with only what it needs: asyncio, qasync,
the log file, the SDK and the workspace are imported once it has painted (benchmark B1), which is why the
heavier imports here are inside functions. The main coroutine and the orderly shutdown are in app_run.py.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skydesk import __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from skydesk.core.settings import ConnectionProfile
    from skydesk.ui.first_paint import FirstPaint

log = logging.getLogger(__name__)

DESKTOP_FILE_NAME = "io.github.skydesk.Skydesk"
DEMO_PROFILE = "Demo sandbox"
# The demo keeps its own settings file: its profile points at this run's random ports, so saving it as the
# user's last profile would make the next normal start pre-select a server that no longer exists.
DEMO_SETTINGS_FILE = "demo-settings.json"
DEMO_ACTIVITY = 4.0  # simulated colleagues' events per minute
DEMO_REFRESH_TTL = 12 * 3600  # a demo left open all day should not keep asking for the password
LOAD_TIMEOUT = 60.0
FIRST_PAINT_WAIT = 0.5  # seconds to wait for the first paint before loading the rest anyway


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


def paint_on_the_gui_thread(environ: MutableMapping[str, str]) -> None:
    """Have Qt paint on the GUI thread alone, unless the user chose otherwise in the environment.

    Qt's raster engine hands every fill or image blend taller than ~96 lines (a window's background, a
    group box's or a scroll bar's edge) to its own thread pool, then waits for the pool's threads: starting
    and waking them, and waiting for a core when the machine is busy, cost more than such fills take on one
    thread. On a busy machine a sign-in (B2) spent over a quarter of its painting in that hand-off (py-spy:
    ``QLatch`` waits and ``QThreadPool::start`` under ``drawPixmapFragments`` and ``fillRect``). Qt reads
    the variable when it first paints, so it must be set before then.
    """
    environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def main(argv: Sequence[str] | None = None) -> int:
    """Run skydesk; returns the process exit code.

    The first window is shown before asyncio, qasync, the log file and the SDK are even imported, and a
    plain Qt event loop runs until it has painted; then the rest loads (see ``_run``).
    """
    if "PySide6.QtCore" in sys.modules:  # a program that has loaded PySide6 already runs skydesk
        import skydesk.models  # spares PySide's import hook before argparse's imports reach it (below)
    args = build_parser().parse_args(argv)
    if no_display(os.environ):
        # Qt would abort with a message about xcb plugins (exit 134); say what is wrong and how to run it.
        print(NO_DISPLAY, file=sys.stderr)
        return 2

    paint_on_the_gui_thread(os.environ)
    import gc

    # Collection is the app's to schedule (MainThreadCollector, below, turns it off for good): off from
    # here already, so building the first window is not paused by collections of what start-up creates.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    import skydesk.models  # noqa: F401 - first after PySide6: it spares PySide's import hook (_pyside_imports)

    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    QApplication.setApplicationName("skydesk")
    QApplication.setOrganizationName("skydesk")
    QApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    fonts = _read_fonts_meanwhile()
    app.setQuitOnLastWindowClosed(False)  # quitting is ours to start (see the module docstring)
    held = _HeldRecords()  # what the first window logs, kept for the log file set up after it
    logging.getLogger().addHandler(held)
    try:
        first = _first_window(args)
        fonts.join()  # long done: the window's first text needed the fonts
        if first.early:
            first.wait_until_painted()
    finally:
        logging.getLogger().removeHandler(held)
    from skydesk.ui.common import app_icon

    # Once the first window has painted (or is still hidden): QIcon is among the Qt classes whose enums
    # PySide builds on first use, and the desktop takes a window's icon whenever it is set.
    app.setWindowIcon(app_icon())

    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from skydesk.core.logs import (
        LOG_WRITER_THREAD,
        asyncio_exception_handler,
        install_excepthook,
        setup_logging,
        stop_logging,
    )
    from skydesk.core.paths import log_dir
    from skydesk.models.collector import MainThreadCollector
    from skydesk.models.event_loop import QtEventLoop

    log_path = setup_logging(args.verbose, log_dir())
    install_excepthook()
    log.info("skydesk %s starting; log file %s", __version__, log_path)
    held.replay()
    loop = QtEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(asyncio_exception_handler)
    # A standard pool rather than qasync's QThread one: its threads are visible to `threading`, so the
    # exit check below can prove that closing the loop joined them.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="skydesk-worker"))
    # Cyclic garbage collection runs only here, on the GUI thread: a collection started by paho's thread,
    # a sandbox thread or an executor worker could free Qt objects off their thread and crash Qt.
    collector = MainThreadCollector(app)
    collector.start()
    try:
        with loop:  # closing the loop also joins its default executor's worker threads
            code = int(loop.run_until_complete(_run(app, args, first)))
            loop.run_until_complete(loop.shutdown_asyncgens())  # close generators left mid-way, on the loop
        left = [
            t.name
            for t in threading.enumerate()
            if t is not threading.main_thread() and t.is_alive() and t.name != LOG_WRITER_THREAD
        ]
        if left:
            log.warning("threads still running at exit: %s", ", ".join(left))
            if args.quit_after_load or args.screenshot:
                print(f"skydesk: threads still running at exit: {left}", file=sys.stderr)
        return code
    finally:
        collector.stop()
        asyncio.set_event_loop(None)
        stop_logging()
        if gc_was_enabled:
            gc.enable()


def _read_fonts_meanwhile() -> threading.Thread:
    """Have a thread read the desktop's fonts while this one builds the first window.

    The first text a window measures makes Qt read the font database (fontconfig's configuration, then
    every family): 8-10 ms of a cold start (B1) that the GUI thread would otherwise spend before it could
    lay out a label. QFontDatabase's functions are thread-safe, and PySide lets go of the GIL in them, so
    on a machine with a second core the reading overlaps the Python that builds the window; where there is
    none it costs what it always did. The thread makes no Qt object and ends once the database is read.
    """
    from PySide6.QtGui import QFontDatabase

    thread = threading.Thread(target=QFontDatabase.families, name="skydesk-fonts", daemon=True)
    thread.start()
    return thread


class _HeldRecords(logging.Handler):
    """Keeps log records made before the log file exists, to hand them to it once it does."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep ``record``."""
        self.records.append(record)

    def replay(self) -> None:
        """Log the kept records through the handlers installed since."""
        for record in self.records:
            logging.getLogger(record.name).handle(record)
        self.records.clear()


class _FirstWindow:
    """The window as the user first sees it: the sign-in page (or the demo's progress), or, when a
    remembered sign-in may be restored, a window still hidden until the keyring has been asked."""

    def __init__(self, args: argparse.Namespace) -> None:
        from skydesk.core.settings import Settings
        from skydesk.ui.first_paint import FirstPaint
        from skydesk.ui.main_window import MainWindow, may_restore

        self.settings = settings = Settings.load(_settings_path(args))
        if args.theme:
            settings.theme = args.theme
        self.profile: ConnectionProfile | None = None
        if not args.demo:
            saved = settings.profile(args.profile) if args.profile else settings.startup_profile()
            self.profile = profile_from_args(args, saved)
        profile = self.profile
        self.early = args.demo or profile is None or not may_restore(settings, profile)
        subtitle = "Demo sandbox (local)" if args.demo else ""
        self.window = window = MainWindow(settings=settings, subtitle=subtitle)
        if args.window_size:
            window.set_size(*args.window_size)
        self._first_paint: FirstPaint | None = None
        if self.early:
            if args.demo:
                window.show_progress("Starting the demo sandbox…")
            else:
                window.start(profile)  # the sign-in page: nothing remembered can be restored
            self._first_paint = FirstPaint(window)
            window.show()

    def wait_until_painted(self) -> None:
        """Run Qt's event loop (no asyncio loop exists yet) until the window has painted once."""
        from PySide6.QtCore import QEventLoop, QTimer

        first_paint = self._first_paint
        if first_paint is None or first_paint.painted:
            return
        waiting = QEventLoop()
        first_paint.then = waiting.quit
        # A window that is never exposed (minimised, on a headless desktop) must not hold the start.
        QTimer.singleShot(int(FIRST_PAINT_WAIT * 1000), waiting.quit)
        waiting.exec()
        first_paint.then = None


def _first_window(args: argparse.Namespace) -> _FirstWindow:
    return _FirstWindow(args)


async def _run(app: QApplication, args: argparse.Namespace, first: _FirstWindow | None = None) -> int:
    """The main coroutine (skydesk.app_run.run): services attached to the first window, then the session."""
    from skydesk.app_run import run

    return await run(app, args, first or _first_window(args))


def _settings_path(args: argparse.Namespace) -> Path | None:
    """The settings file: as given, the demo's own one, or the default (None)."""
    if args.settings_file is not None:
        return Path(args.settings_file)
    if args.demo:
        from skydesk.core.paths import config_dir

        return config_dir() / DEMO_SETTINGS_FILE
    return None


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
