"""Logging for the desktop app: a rotating, redacted log file and a hook for unexpected exceptions.

No Qt here: the crash dialog registers itself with :func:`add_crash_listener` from ``skydesk.ui``.
"""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import os
import queue
import re
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from skydesk.core.paths import log_dir as default_log_dir

log = logging.getLogger(__name__)

LOG_FILE_NAME = "skydesk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
REDACTED = "[redacted]"

# Libraries that are unreadably chatty at DEBUG; --verbose keeps them at INFO. Some of them also put
# secrets in their DEBUG lines: qasync's executor logs every call's arguments (a refresh token on its way
# to the keyring), hpack logs HTTP/2 headers (Authorization), amqtt's packet logger prints CONNECT
# packets with their password (the access token). Not logging those at all beats redacting them afterwards.
_NOISY_LOGGERS = (
    "asyncio",
    "hpack",
    "httpcore",
    "amqtt",
    "transitions",
    "uvicorn.access",
    "PIL",
    "qasync",
)

_SENSITIVE_KEYS = (
    r"password|passwd|pwd|secret|client_secret|"
    r"access_?token|refresh_?token|id_?token|accessToken|refreshToken|idToken|token"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # An Authorization header value in any rendering: "Authorization: Bearer x", "'authorization': 'x'".
    (
        re.compile(r"""(?i)(\bauthorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+"""),
        r"\1" + REDACTED,
    ),
    # A bare bearer credential, e.g. inside an exception message (before the JWT rule,
    # so that "Bearer <jwt>" goes as a whole).
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), REDACTED),
    # A JWT (header.payload.signature, each base64url; header and payload are JSON so start with "eyJ").
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
    # JSON / repr style: "password": "value"  or  'refresh_token': 'value'.
    (
        re.compile(rf"""(?i)(["']\b(?:{_SENSITIVE_KEYS})["']\s*:\s*)(["'])(?:\\.|(?!\2).)*\2"""),
        r"\1\2" + REDACTED + r"\2",
    ),
    # key=value / key: value (form bodies, query strings, kwargs reprs), value unquoted or quoted.
    (
        re.compile(rf"""(?i)(\b(?:{_SENSITIVE_KEYS})\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s&,;"'}}\])]+)"""),
        r"\1" + REDACTED,
    ),
)


def redact(text: str) -> str:
    """``text`` with tokens, passwords and Authorization values replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Scrubs secrets from a record's message, arguments, traceback and stack before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` in place (always keeps it)."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = f"{record.msg!r} % {record.args!r}"
        # Formatting now and dropping args means no handler can re-render an unredacted argument.
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_installed_handlers: list[logging.Handler] = []
_current_log_file: Path | None = None


def file_handler() -> logging.handlers.RotatingFileHandler | None:
    """The handler that writes the log file on its own thread (None before :func:`setup_logging`)."""
    for handler in _installed_handlers:
        if isinstance(handler, _Queued) and handler.target is not None:
            return handler.target
    return None


def current_log_file() -> Path | None:
    """The file :func:`setup_logging` writes to, or None before it was called."""
    return _current_log_file


class _LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file; a full or lost disk costs the file, not the app.

    The standard handler prints "--- Logging error ---" and a traceback for every record it cannot write;
    this one says once on stderr that the log file is not being written, and again when it is written again.
    """

    _failing = False
    _failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        super().emit(record)
        if self._failing and not self._failed_now:
            self._failing = False
            print(f"skydesk: writing the log file {self.baseFilename} again", file=sys.stderr)

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)
            return
        self._failed_now = True
        if not self._failing:
            self._failing = True
            reason = exc.strerror or type(exc).__name__
            print(
                f"skydesk: cannot write the log file {self.baseFilename} ({reason}); "
                "messages go to the console only until it can be written",
                file=sys.stderr,
            )


LOG_WRITER_THREAD = "skydesk-log-writer"


class _Writer(logging.handlers.QueueListener):
    """The log file's thread, named so that the exit check knows it (it ends in ``stop_logging``)."""

    def start(self) -> None:
        super().start()
        if self._thread is not None:
            self._thread.name = LOG_WRITER_THREAD


class _Queued(logging.handlers.QueueHandler):
    """Hands records to the log file's own thread, so no thread that logs (the GUI's) waits for the disk.

    ``flush()`` waits until every record handed over so far is written (tests, and the end of logging).
    """

    def __init__(self, target: logging.handlers.RotatingFileHandler) -> None:
        self.target: logging.handlers.RotatingFileHandler | None = target
        self._records: queue.Queue[logging.LogRecord | None] = queue.Queue()
        super().__init__(self._records)
        self._listener: _Writer | None = _Writer(self._records, target, respect_handler_level=True)
        self._listener.start()

    def flush(self) -> None:
        self._records.join()

    def close(self) -> None:
        listener, self._listener, self.target = self._listener, None, None
        if listener is not None:
            listener.stop()  # writes what is queued, then ends its thread
            for handler in listener.handlers:
                handler.close()
        super().close()


def _usable_log_dir(preferred: Path) -> Path:
    """``preferred`` if it can be created, else a private temp dir (logging must never stop the app)."""
    try:
        preferred.mkdir(parents=True, exist_ok=True, mode=0o700)
        return preferred
    except OSError as exc:
        user = os.getuid() if hasattr(os, "getuid") else os.getpid()
        fallback = Path(tempfile.gettempdir()) / f"skydesk-logs-{user}"
        fallback.mkdir(parents=True, exist_ok=True, mode=0o700)
        print(f"skydesk: cannot create log directory {preferred} ({exc}); using {fallback}", file=sys.stderr)
        return fallback


def setup_logging(verbose: bool = False, log_dir: Path | None = None) -> Path:
    """Log to a rotating file (1 MB x 5, written on its own thread) and to stderr, both redacted; returns
    the log file's path.

    INFO by default, DEBUG with ``verbose``. Calling it again replaces the handlers it installed before.
    """
    global _current_log_file
    directory = _usable_log_dir(log_dir if log_dir is not None else default_log_dir())
    path = directory / LOG_FILE_NAME
    stop_logging()
    _current_log_file = path
    root = logging.getLogger()
    redactor = RedactingFilter()
    file_handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    queued = _Queued(file_handler)
    queued.addFilter(redactor)  # before the record is handed over: nothing unredacted is queued
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("skydesk: %(levelname)s %(name)s: %(message)s"))
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.addFilter(redactor)

    for handler in (queued, console):
        root.addHandler(handler)
        _installed_handlers.append(handler)
    level = logging.DEBUG if verbose else logging.INFO
    root.setLevel(level)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    logging.captureWarnings(True)
    log.info("skydesk logging to %s (level %s)", path, logging.getLevelName(level))
    return path


def stop_logging() -> None:
    """Flush, close and remove the handlers :func:`setup_logging` installed (at exit, and in tests)."""
    global _current_log_file
    root = logging.getLogger()
    for handler in _installed_handlers:
        root.removeHandler(handler)
        handler.close()
    _installed_handlers.clear()
    _current_log_file = None


# ---------------------------------------------------------------------------- unexpected exceptions

CrashListener = Callable[[type[BaseException], BaseException, TracebackType | None], None]
"""``listener(exc_type, exc, tb)``, called on the thread that failed, after the exception was logged."""

_crash_listeners: list[CrashListener] = []
_listeners_lock = threading.Lock()


def add_crash_listener(listener: CrashListener) -> Callable[[], None]:
    """Call ``listener`` for every unexpected exception; returns a function that unregisters it."""
    with _listeners_lock:
        _crash_listeners.append(listener)

    def remove() -> None:
        with _listeners_lock:
            if listener in _crash_listeners:
                _crash_listeners.remove(listener)

    return remove


def describe_exception(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> tuple[str, str]:
    """A redacted one-line summary and the redacted full traceback of an exception."""
    text = str(exc)
    summary = f"{exc_type.__name__}: {text}" if text else exc_type.__name__
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    return redact(summary), redact(details)


def report_exception(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    where: str = "",
) -> None:
    """Log an unexpected exception with its traceback and tell the crash listeners."""
    origin = f" in {where}" if where else ""
    log.critical("Unexpected error%s", origin, exc_info=(exc_type, exc, tb))
    with _listeners_lock:
        listeners = list(_crash_listeners)
    for listener in listeners:
        try:
            listener(exc_type, exc, tb)
        except Exception:  # a failing listener must not recurse into the hook
            log.exception("A crash listener failed")


def _sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report_exception(exc_type, exc, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    # Same policy as threading's default hook: a thread ending with SystemExit is not an error.
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    report_exception(args.exc_type, args.exc_value, args.exc_traceback, where=f"thread {name}")


def asyncio_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """For ``loop.set_exception_handler``: report task failures nobody awaited like any other crash."""
    exc = context.get("exception")
    if isinstance(exc, BaseException):
        report_exception(type(exc), exc, exc.__traceback__, where=str(context.get("message", "asyncio")))
    else:
        log.error("asyncio: %s", context.get("message", context))


def install_excepthook() -> None:
    """Route uncaught exceptions (main thread and other threads) to the log and the crash listeners."""
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook
