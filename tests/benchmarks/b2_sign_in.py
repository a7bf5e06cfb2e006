"""B2: sign-in until the first page of sessions is painted, against bare httpx making the same calls."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import AppHarness, PaintProbe, sign_in, until
from tests.benchmarks.harness import BareClient, SandboxInfo, SandboxProcess, alternate, row

FIRST_PAGE = 100  # the app's page size (SessionBrowserController.page_size)


def floor_seconds(info: SandboxInfo) -> float:
    """A new client (as a sign-in makes one): login, the applications, the first page of the first one."""
    started = time.perf_counter()
    client = BareClient(info)
    try:
        client.login()
        apps = client.applications()
        first = min(apps, key=lambda a: a["name"].casefold())  # the app opens the first by name
        client.page(first["applicationId"], {"limit": str(FIRST_PAGE)})
        return time.perf_counter() - started
    finally:
        client.close()


async def skydesk_seconds(harness: AppHarness, info: SandboxInfo) -> float:
    """From pressing sign-in on a shown window until the session table has painted its first rows."""
    from skydesk.ui.main_window import PAGE_WORKSPACE

    window = harness.window()
    try:
        await until(lambda: window.showing_sign_in() and window.isVisible(), what="the sign-in page")
        model = window.services.browser.model
        table = window.workspace.sessions.table
        probe = PaintProbe(
            table.viewport(),
            lambda: window.pages.currentIndex() == PAGE_WORKSPACE and model.session_at(0) is not None,
        )
        started = time.perf_counter()
        sign_in(window, info)
        painted = await probe.painted
        return painted - started
    finally:
        await harness.close_window(window)


def run(workdir: Path, quick: bool) -> dict[str, Any]:
    """Alternate the bare calls and a full sign-in, each against the same sandbox."""
    realm = 1_000 if quick else 10_000
    with SandboxProcess(realm, workdir) as sandbox:
        harness = AppHarness(workdir)
        try:
            info = sandbox.info
            samples = alternate(
                lambda: floor_seconds(info), lambda: harness.run(lambda: skydesk_seconds(harness, info))
            )
        finally:
            harness.close()
    what = f"Sign-in until the first page is painted ({realm:,} sessions in the realm)"
    return row("B2", what, "s", samples, max_ratio=1.5)
