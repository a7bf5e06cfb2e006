"""``skydesk-sandbox`` / ``python -m skydesk.sandbox``: run the sandbox until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from .faults_cli import add_fault_arguments, admin_line, apply_fault_arguments
from .info import SandboxInfo
from .paths import default_state_dir
from .server import Sandbox, SandboxConfig

log = logging.getLogger("skydesk.sandbox")


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535; 0 picks a free one)")
    return value


def _non_negative(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text} must not be negative")
        return value

    return parse


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (documented by --help)."""
    defaults = SandboxConfig()
    p = argparse.ArgumentParser(
        prog="skydesk-sandbox",
        description="A local, offline Skylight: REST API and MQTT events over TLS, with demo data.",
    )
    p.add_argument("--host", default=defaults.host, help="address to listen on (default %(default)s)")
    p.add_argument("--api-port", type=_port, default=defaults.api_port, help="REST port; 0 = any free port")
    p.add_argument("--mqtt-port", type=_port, default=defaults.mqtt_port, help="MQTT port; 0 = any free port")
    p.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help=f"where the CA, keys and database live (default {default_state_dir()})",
    )
    p.add_argument(
        "--seed",
        type=_non_negative(int),
        default=defaults.seed,
        metavar="N",
        help="demo sessions to create in an empty database (default %(default)s)",
    )
    p.add_argument(
        "--activity",
        type=_non_negative(float),
        default=defaults.activity,
        metavar="N",
        help="simulated events per minute by other users (default %(default)s)",
    )
    p.add_argument("--token-ttl", type=_positive_int, default=defaults.token_ttl, metavar="S")
    p.add_argument("--refresh-ttl", type=_positive_int, default=defaults.refresh_ttl, metavar="S")
    p.add_argument(
        "--info-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="write the connection details as JSON here once ready (removed on exit)",
    )
    p.add_argument("--no-tls", action="store_true", help="plain HTTP and MQTT, for debugging only")
    p.add_argument("--fresh", action="store_true", help="wipe the database and seed it again")
    p.add_argument(
        "--lenient",
        action="store_true",
        help="let requests leave out the reference's required fields (version, participants, type); "
        "off by default, so code that passes here also passes against Skylight",
    )
    p.add_argument(
        "--mqtt-tls13",
        action="store_true",
        help="let the MQTT broker negotiate TLS 1.3 too (default: exactly TLS 1.2, as Skylight)",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="log what the sandbox does")
    add_fault_arguments(p)
    return p


def start_line(info: SandboxInfo) -> str:
    """The one line printed on start: URLs, CA file and a demo login."""
    mqtt_scheme = "mqtts" if info.ca_file else "mqtt"
    host = f"[{info.mqtt_host}]" if ":" in info.mqtt_host else info.mqtt_host
    ca = f"CA {info.ca_file}" if info.ca_file else "TLS off"
    login = "no demo users"
    if info.users:
        user = info.users[0]
        login = f"login {user.username} / {user.password} (realm {info.realm})"
    return (
        f"skydesk sandbox ready: REST {info.api_url}  MQTT {mqtt_scheme}://{host}:{info.mqtt_port}  "
        f"{ca}  {login}  (Ctrl+C to stop)"
    )


def write_info_file(path: Path, info: SandboxInfo) -> None:
    """Write the info JSON atomically, so a watcher never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    # It lists the (public) demo passwords; keep it to the owner anyway.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info.to_json(), fh, indent=2)
        fh.write("\n")
    os.replace(tmp, path)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("skydesk").setLevel(logging.INFO if verbose else logging.WARNING)
    # amqtt is chatty even at INFO, and its state machine library more so.
    logging.getLogger("amqtt").setLevel(logging.WARNING)
    logging.getLogger("transitions").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox in the foreground; exit 0 after Ctrl+C or SIGTERM, 1 if it cannot start."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    config = SandboxConfig(
        state_dir=args.state_dir,
        host=args.host,
        api_port=args.api_port,
        mqtt_port=args.mqtt_port,
        seed=args.seed,
        activity=args.activity,
        token_ttl=args.token_ttl,
        refresh_ttl=args.refresh_ttl,
        tls=not args.no_tls,
        fresh=args.fresh,
        lenient=args.lenient,
        tls12_only=not args.mqtt_tls13,
        admin=args.admin,
        admin_port=args.admin_port,
    )
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    # Installed before start() so a signal during startup still ends in a clean stop.
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    sandbox = Sandbox(config)
    apply_fault_arguments(args, sandbox)
    wrote_info = False
    try:
        try:
            info = sandbox.start()
        except Exception as exc:
            print(f"skydesk-sandbox: cannot start: {exc}", file=sys.stderr)
            return 1
        if args.info_file is not None:
            write_info_file(args.info_file, info)
            wrote_info = True
        print(start_line(info), flush=True)
        admin = admin_line(sandbox)
        if admin is not None:
            print(admin, flush=True)
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stop_requested.wait(0.5):
            pass
        log.info("Stopping the sandbox")
        return 0
    finally:
        sandbox.stop()
        if wrote_info:
            # A stale file would point tools at ports nobody listens on any more.
            args.info_file.unlink(missing_ok=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
