"""After a sign-in the first page of sessions goes out alone; the rights and the live stream follow it."""

from __future__ import annotations

from typing import Any

from tests.models.helpers import sign_in
from tests.support.qt import wait_until

ROLES_TASK = "op.read.permissions.roles"


async def test_rights_and_the_live_stream_wait_for_the_first_page(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()
    seen: list[tuple[str, bool]] = []  # (what started, whether the first page was in by then)

    def page_in() -> bool:
        page = svc.browser.page_task
        return page is not None and page.done() and bool(svc.browser.model.sessions())

    real_run, real_start = svc.tasks.run, svc.live.start

    def run(name: str, coro: Any) -> Any:
        seen.append((name, page_in()))
        return real_run(name, coro)

    def start() -> None:
        seen.append(("live", page_in()))
        real_start()

    svc.tasks.run, svc.live.start = run, start
    # As the window does: the first application is opened as soon as the list of them is in.
    svc.browser.applications_loaded.connect(lambda apps: svc.browser.set_application(apps[0].application_id))
    await sign_in(svc, profile_of(sandbox))
    await wait_until(
        lambda: svc.live.stream is not None and svc.permissions.rights and svc.permissions.rights.known,
        20,
        what="the live stream and the rights",
    )
    firsts = {name: was_in for name, was_in in reversed(seen)}  # the first time each started
    assert firsts["op.read.browser.page"] is False
    assert firsts[ROLES_TASK] is True, seen
    assert firsts["live"] is True, seen
