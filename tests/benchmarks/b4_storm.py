"""B4: an event storm until the app's models reflect every event, against a bare subscriber."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import AppHarness, first_page_loaded, page_all, sign_in
from tests.benchmarks.harness import RUNS, Samples, SandboxProcess, row
from tests.benchmarks.storm import BareSubscriber, ModelWatch, storm


async def loaded_window(harness: AppHarness, info: Any) -> Any:
    """Signed in, the live stream connected, every session of the first application in the list."""
    window = harness.window()
    sign_in(window, info)
    await first_page_loaded(window)
    window.services.browser.page_size = 200
    await page_all(window.services, info.field_inspection)
    return window


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Storms of session_updated events over the loaded sessions; the floor receives each storm too."""
    realm, count = (400, 1_000) if quick else (2_000, 20_000)
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
            for n in range(RUNS + 1):  # the first storm is the warm-up
                published, arrivals, seen = harness.run(
                    lambda n=n: storm(sandbox, subscriber, watch, info.field_inspection, rows, count, n)
                )
                if n:
                    samples.floor.append(arrivals[-1] - published[0])
                    samples.skydesk.append(max(seen.values()) - published[0])
                    samples.add_extra("publishing", published[-1] - published[0])
            harness.run(lambda: harness.close_window(window))
        finally:
            if subscriber is not None:
                subscriber.close()
            harness.close()
    what = f"Storm of {count:,} session events over {rows:,} listed sessions, until the model shows all"
    return row("B4", what, "s", samples, max_ratio=1.5)
