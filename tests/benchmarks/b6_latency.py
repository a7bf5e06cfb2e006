"""B6: event-to-view latency at 200 events/s: p99 from publish to the model showing it, against a floor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import AppHarness
from tests.benchmarks.b4_storm import loaded_window
from tests.benchmarks.harness import RUNS, Samples, SandboxProcess, percentile, row
from tests.benchmarks.storm import BareSubscriber, ModelWatch, storm

RATE = 200.0


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Paced storms; each run's p99 for the app and for the floor, which receive the same events."""
    realm, count = (400, 200) if quick else (400, 1_000)  # 1 s or 5 s at 200 events/s
    with SandboxProcess(realm, workdir) as sandbox:
        info = sandbox.info
        harness = AppHarness(workdir)
        subscriber = None
        try:
            window = harness.run(lambda: loaded_window(harness, info))
            services = window.services
            rows = len(services.browser.model.sessions())
            subscriber = BareSubscriber(info, services.auth.client.user_id, workdir)
            watch = ModelWatch(services)
            samples = Samples()
            for n in range(RUNS + 1):  # the first run is the warm-up
                published, arrivals, seen = harness.run(
                    lambda n=n: storm(sandbox, subscriber, watch, info.field_inspection, rows, count, n, RATE)
                )
                if n:
                    # One connection delivers in order, so the floor's i-th arrival is event i.
                    floor = [arrivals[k] - published[k] for k in range(count)]
                    app = [seen[k] - published[k] for k in range(count)]
                    samples.floor.append(percentile(floor, 0.99) * 1000)
                    samples.skydesk.append(percentile(app, 0.99) * 1000)
                    samples.add_extra("skydesk_median_ms", percentile(app, 0.5) * 1000)
                    samples.add_extra("floor_median_ms", percentile(floor, 0.5) * 1000)
            harness.run(lambda: harness.close_window(window))
        finally:
            if subscriber is not None:
                subscriber.close()
            harness.close()
    what = f"Event-to-model latency p99 at {RATE:.0f} events/s ({count:,} events over {rows} rows)"
    return row("B6", what, "ms", samples, max_ratio=2.0)
