"""The benchmarks keep working: ``python -m tests.benchmarks --quick`` runs them all and writes sane rows.

Targets are not asserted here (small sizes on a shared machine say little); the full run is not in the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.__main__ import BENCHMARKS, NOT_BUILT, ORDER

KEYS = {"id", "what", "value", "floor", "ratio", "target", "pass", "runs"}


@pytest.mark.timeout(900)
def test_quick_run_writes_a_sane_row_per_benchmark(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=880,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(output.read_text())
    assert [r["id"] for r in rows] == ORDER
    for r in rows:
        assert KEYS <= set(r), r
        assert isinstance(r["pass"], bool)
        if r["id"] in NOT_BUILT:
            assert r["pass"] is False and r["note"].startswith("not yet built")
            continue
        assert not r.get("note", "").startswith("error"), r
        assert r["value"] > 0 and r["floor"] > 0, r
        assert r["ratio"] == pytest.approx(r["value"] / r["floor"]), r
        assert len(r["runs"]["floor"]) >= 5 and len(r["runs"]["skydesk"]) >= 5, r
        assert all(v > 0 for v in r["runs"]["floor"] + r["runs"]["skydesk"]), r
    # The table names every benchmark too.
    for bench_id in BENCHMARKS:
        assert f"| {bench_id} |" in done.stdout
