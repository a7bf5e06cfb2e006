"""B3: paging every session of an application into the list model, against a bare httpx loop."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import AppHarness, first_page_loaded, page_all, sign_in
from tests.benchmarks.harness import BareClient, SandboxProcess, alternate, row

PAGE = 200


def realm_size(quick: bool) -> int:
    """Sessions seeded so the first application holds about 20,000 (2,000 when quick)."""
    return 4_000 if quick else 40_000


async def signed_in_window(harness: AppHarness, info: Any) -> Any:
    """A window signed in, its first page loaded, pages of 200 from now on."""
    window = harness.window()
    sign_in(window, info)
    await first_page_loaded(window)
    window.services.browser.page_size = PAGE
    return window


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Alternate the bare loop and the app paging the same application from its first page."""
    with SandboxProcess(realm_size(quick), workdir) as sandbox:
        info = sandbox.info
        app_id = info.field_inspection
        bare = BareClient(info)
        bare.login()
        harness = AppHarness(workdir)
        try:
            window = harness.run(lambda: signed_in_window(harness, info))
            services = window.services
            counts: list[int] = []

            def floor() -> float:
                started = time.perf_counter()
                n = sum(len(doc["data"]) for doc, _size in bare.pages(app_id, PAGE))
                took = time.perf_counter() - started
                counts.append(n)
                return took

            def skydesk() -> float:
                started = time.perf_counter()
                harness.run(lambda: page_all(services, app_id))
                took = time.perf_counter() - started
                loaded = len(services.browser.model.sessions())
                if loaded != counts[-1]:
                    raise RuntimeError(f"the model holds {loaded} sessions, the server listed {counts[-1]}")
                return took

            samples = alternate(floor, skydesk)
            harness.run(lambda: harness.close_window(window))
        finally:
            bare.close()
            harness.close()
    what = f"Paging {counts[-1]:,} sessions of an application into the list model (limit {PAGE})"
    return row("B3", what, "s", samples, max_ratio=1.25)
