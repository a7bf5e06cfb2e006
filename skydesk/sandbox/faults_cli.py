"""The sandbox's fault-control command-line flags: the admin API switch and faults active from the start."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .controls import FaultControls
from .faults import BODY_KINDS, CUT_KINDS, FAULT_STATUSES


def _latency(text: str) -> tuple[float, float]:
    """``MS`` or ``MS:JITTER_MS`` -> seconds."""
    try:
        fixed, _, jitter = text.partition(":")
        values = (float(fixed) / 1000, float(jitter or 0) / 1000)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not MS or MS:JITTER_MS") from None
    if min(values) < 0 or sum(values) > 60:
        raise argparse.ArgumentTypeError(f"{text!r}: latency plus jitter must be 0 to 60000 ms")
    return values


def _share_of(what: str, allowed: Callable[[str], bool]) -> Callable[[str], tuple[str, float]]:
    def parse(text: str) -> tuple[str, float]:
        name, sep, share_text = text.partition(":")
        name = name.replace("-", "_")
        try:
            share = float(share_text) if sep else 1.0
        except ValueError:
            share = -1.0
        if not allowed(name) or not 0 <= share <= 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}:SHARE (SHARE between 0 and 1)")
        return name, share

    return parse


def add_fault_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of README "Fault controls"; each can be repeated where it makes sense."""
    group = parser.add_argument_group(
        "fault controls", "inject faults to test a client (see README, 'Fault controls')"
    )
    group.add_argument(
        "--admin",
        action="store_true",
        help="serve the admin API to inject faults at run time (loopback only; token printed at start)",
    )
    group.add_argument("--admin-port", type=int, default=0, metavar="PORT", help="admin API port (0 = free)")
    group.add_argument("--latency", type=_latency, metavar="MS[:JITTER]", help="delay every REST answer")
    group.add_argument("--mqtt-latency", type=_latency, metavar="MS[:JITTER]", help="delay every MQTT event")
    statuses = "/".join(str(s) for s in sorted(FAULT_STATUSES))
    group.add_argument(
        "--fail",
        type=_share_of("STATUS", lambda s: s.isascii() and s.isdigit() and int(s) in FAULT_STATUSES),
        action="append",
        default=[],
        metavar="STATUS:SHARE",
        help=f"answer a share of requests with {statuses} without running them, e.g. 503:0.1",
    )
    group.add_argument(
        "--retry-after", type=int, default=1, metavar="S", help="Retry-After sent with --fail 429/503"
    )
    group.add_argument(
        "--bad-json",
        type=_share_of("KIND", BODY_KINDS.__contains__),
        action="append",
        default=[],
        metavar="KIND:SHARE",
        help=f"spoil a share of answers; KIND is one of {', '.join(sorted(BODY_KINDS))}",
    )
    group.add_argument(
        "--cut",
        type=_share_of("KIND", CUT_KINDS.__contains__),
        action="append",
        default=[],
        metavar="KIND:SHARE",
        help="close a share of connections: reset (before the answer) or mid-body",
    )
    group.add_argument("--fault-seed", type=int, default=None, metavar="N", help="repeatable fault choices")


def apply_fault_arguments(args: argparse.Namespace, sandbox: FaultControls) -> None:
    """Load the faults asked for on the command line into the sandbox's plan."""
    plan = sandbox.faults
    plan.reseed(args.fault_seed)
    if args.latency or args.mqtt_latency:
        rest = args.latency or (None, 0.0)
        mqtt = args.mqtt_latency or (None, 0.0)
        plan.set_latency(rest=rest[0], rest_jitter=rest[1], mqtt=mqtt[0], mqtt_jitter=mqtt[1])
    for status, share in args.fail:
        plan.fail(int(status), share, retry_after=args.retry_after)
    for kind, share in args.bad_json:
        plan.corrupt(kind, share)
    for kind, share in args.cut:
        plan.cut(kind, share)


def admin_line(sandbox: FaultControls) -> str | None:
    """The line printed at start when the admin API is on: where it is and its token."""
    if sandbox.admin_url is None:
        return None
    return f"skydesk sandbox admin API: {sandbox.admin_url}  token {sandbox.admin_token}  (loopback only)"
