"""``python -m tests.benchmarks [--quick] [--output PATH] [--only B3,B4]``: run the benchmarks, print a table.

Each benchmark runs in a process of its own (``--child ID``), so no benchmark warms another's caches or
shares its heap. The rows go to ``benchmark-results.json`` (or ``--output``) as a JSON list.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

# id -> (module, what, target) ; the module's run(workdir, quick) returns one row (or a list of rows).
BENCHMARKS: dict[str, tuple[str, str, str]] = {
    "B1": ("b1_start", "Cold start until the sign-in window is first shown", "<= 1.3x"),
    "B2": ("b2_sign_in", "Sign-in until the first page is painted", "<= 1.5x"),
    "B3": ("b3_paging", "Paging an application's sessions into the list model", "<= 1.25x"),
    "B4": ("b4_storm", "Event storm until the models reflect every event", "<= 1.5x"),
    "B5": ("b5_stall", "Longest GUI stall during a storm and while scrolling", "<= 50 ms"),
    "B6": ("b6_latency", "Event-to-view latency p99 at 200 events/s", "<= 2x"),
    "B7": ("b7_memory", "Memory growth with the sessions loaded in the list model", "<= 2.5x"),
    "B8": ("b8_filters", "Sandbox page of 200 with two property filters and a sort", "<= 2x"),
    "B9": ("b9_export", "Export of 100,000 sessions to CSV, and its peak memory", "<= 1.3x; flat peak"),
    "B10": ("b10_media", "The media tab with 500 items: thumbnails shown", "<= 1.5x; stall <= 50 ms"),
    "B11": (
        "b11_event_log",
        "The event log with 10,000 events: a free-text filter applied",
        "<= 3x; stall <= 50 ms",
    ),
}
NOT_BUILT: dict[str, tuple[str, str, str]] = {
}  # fmt: skip
ORDER = sorted([*BENCHMARKS, *NOT_BUILT], key=lambda bench_id: int(bench_id[1:]))
CHILD_TIMEOUT = 3600.0


def run_child(bench_id: str, quick: bool, output: Path) -> None:
    """Run one benchmark in this process and write its rows to ``output``."""
    from tests.benchmarks.harness import failed

    module, what, target = BENCHMARKS[bench_id]
    try:
        with tempfile.TemporaryDirectory(prefix=f"skydesk-{bench_id}-") as tmp:
            result = importlib.import_module(f"tests.benchmarks.{module}").run(Path(tmp), quick)
        rows = result if isinstance(result, list) else [result]
    except Exception as exc:
        traceback.print_exc()
        rows = [failed(bench_id, what, target, f"{type(exc).__name__}: {exc}")]
    output.write_text(json.dumps(rows, indent=1))


def spawn(bench_id: str, quick: bool) -> list[dict[str, Any]]:
    """Run one benchmark in a fresh process; its rows, or an error row if it died."""
    from tests.benchmarks.harness import failed

    _module, what, target = BENCHMARKS[bench_id]
    with tempfile.TemporaryDirectory(prefix="skydesk-bench-") as tmp:
        out = Path(tmp) / "rows.json"
        cmd = [sys.executable, "-m", "tests.benchmarks", "--child", bench_id, "--child-output", str(out)]
        try:
            done = subprocess.run(cmd + (["--quick"] if quick else []), timeout=CHILD_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return [failed(bench_id, what, target, f"timed out after {CHILD_TIMEOUT:.0f} s")]
        if not out.exists():
            return [failed(bench_id, what, target, f"the benchmark process exited with {done.returncode}")]
        return list(json.loads(out.read_text()))


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.3g} {unit}".strip()


def table(rows: list[dict[str, Any]]) -> str:
    """The result rows as a Markdown table (printed, and pasted into the README)."""
    lines = [
        "| id | figure | skydesk | floor | ratio | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else "-"
        note = r.get("note", "")
        verdict = "pass" if r["pass"] else ("not yet built" if note.startswith("not yet built") else "FAIL")
        if note.startswith("error"):
            verdict = f"FAIL ({note})"
        cells = [r["id"], r["what"], _fmt(r["value"], r.get("unit", "")), _fmt(r["floor"], r.get("unit", ""))]
        lines.append("| " + " | ".join([*cells, ratio, r["target"], verdict]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks (each in its own process), print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (the test suite runs this)")
    parser.add_argument("--output", type=Path, default=Path("benchmark-results.json"))
    parser.add_argument("--only", default="", help="comma-separated ids, e.g. B3,B4")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child, args.quick, args.child_output)
        sys.stdout.flush()
        sys.stderr.flush()
        # Skip interpreter finalization: tearing down Qt and qasync objects there is no part of any figure,
        # and PySide6 can crash in it (a refcount error while garbage-collecting at exit).
        os._exit(0)
    from tests.benchmarks.harness import not_built

    wanted = [b.strip().upper() for b in args.only.split(",") if b.strip()] or ORDER
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    for bench_id in wanted:
        if bench_id in NOT_BUILT:
            what, target, needs = NOT_BUILT[bench_id]
            rows.append(not_built(bench_id, what, target, needs))
            continue
        began = time.monotonic()
        rows.extend(spawn(bench_id, args.quick))
        print(f"{bench_id} done in {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    args.output.write_text(json.dumps(rows, indent=1) + "\n")
    print(table(rows))
    print(f"\n{len(rows)} rows in {time.monotonic() - started:.0f} s; written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
