"""B8: the sandbox serving a filtered, sorted page of 200 in a big realm, against an unfiltered first page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.benchmarks.harness import BareClient, SandboxProcess, alternate, row, timed

FILTERED = {"limit": "200", "prop.site": "North Yard", "prop.priority": "normal", "sort": "name"}
UNFILTERED = {"limit": "200"}


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Alternate the two requests on one warm connection; both go through the same bare client."""
    realm = 5_000 if quick else 100_000
    with SandboxProcess(realm, workdir) as sandbox:
        client = BareClient(sandbox.info)
        client.login()
        app_id = sandbox.info.field_inspection
        try:
            doc, _size = client.page(app_id, FILTERED)
            matched = doc["page"]["total"]
            samples = alternate(
                lambda: timed(lambda: client.page(app_id, UNFILTERED)),
                lambda: timed(lambda: client.page(app_id, FILTERED)),
            )
        finally:
            client.close()
    what = f"Sandbox page of 200: site and priority filters, sorted by name ({matched:,} match in {realm:,})"
    return row("B8", what, "s", samples, max_ratio=2.0)
