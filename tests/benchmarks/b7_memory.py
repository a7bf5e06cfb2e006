"""B7: resident memory growth with an application's sessions loaded in the list model, against their raw JSON.

Memory is not given back reliably once allocated, so each skydesk sample runs in a fresh process
(``python -m tests.benchmarks.b7_memory INFO_JSON``): sign in, note RSS, page every session in, note RSS.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.benchmarks.harness import BareClient, SandboxInfo, SandboxProcess, alternate, isolated_env, row

MB = 1024 * 1024
PAGE = 200


def raw_megabytes(info: SandboxInfo) -> float:
    """The bytes of every page of the application's sessions, as the server sent them."""
    client = BareClient(info)
    try:
        client.login()
        return sum(size for _doc, size in client.pages(info.field_inspection, PAGE)) / MB
    finally:
        client.close()


def growth_megabytes(info: SandboxInfo, workdir: Path) -> float:
    """RSS growth of a fresh app process that pages every session into its list model."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.b7_memory", json.dumps(asdict(info))],
        capture_output=True,
        text=True,
        env=isolated_env(workdir),
        timeout=1800,
        check=False,
    )
    lines = done.stdout.split()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the memory sample failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return float(lines[-1])


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Alternate the raw bytes and a fresh app's growth."""
    realm = 4_000 if quick else 200_000  # the first application holds about half
    with SandboxProcess(realm, workdir) as sandbox:
        info = sandbox.info
        samples = alternate(lambda: raw_megabytes(info), lambda: growth_megabytes(info, workdir))
        client = BareClient(info)
        client.login()
        total = client.page(info.field_inspection, {"limit": "1"})[0]["page"]["total"]
        client.close()
    what = f"RSS growth with {total:,} sessions in the list model, against their raw JSON"
    return row("B7", what, "MB", samples, max_ratio=2.5)


def sample(info: SandboxInfo) -> float:
    """In a fresh process: the RSS growth, in MB, from a signed-in first page to every session loaded."""
    from tests.benchmarks.app_harness import AppHarness, first_page_loaded, page_all, sign_in
    from tests.benchmarks.harness import rss_bytes

    with tempfile.TemporaryDirectory(prefix="skydesk-B7-") as tmp:
        harness = AppHarness(Path(tmp))
        window = harness.window()
        sign_in(window, info)
        harness.run(lambda: first_page_loaded(window))
        gc.collect()
        before = rss_bytes()
        window.services.browser.page_size = PAGE
        harness.run(lambda: page_all(window.services, info.field_inspection))
        gc.collect()
        return (rss_bytes() - before) / MB


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(f"{sample(SandboxInfo(**json.loads(sys.argv[1]))):.3f}", flush=True)
    os._exit(0)  # skip Qt's teardown: it is no part of the figure
