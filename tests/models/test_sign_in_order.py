"""After a sign-in the first page of sessions goes out alone; the rights and the live stream follow it."""

from __future__ import annotations

from typing import Any

import httpcore
import pytest

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
    # As the window does: the first application is opened once the list of them is in, unless it is already
    # (signing in, the browser opens it itself before it announces the list).
    svc.browser.applications_loaded.connect(
        lambda apps: (
            svc.browser.is_showing(apps[0].application_id)
            or svc.browser.set_application(apps[0].application_id)
        )
    )
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


async def test_the_first_page_leaves_before_the_list_of_applications_is_announced(
    sandbox: Any, make_services: Any, profile_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signing in, the first application by name is opened as soon as the list is in; its receivers (the
    # window fills its application box) run once the page's request has left, not before it (B2).
    svc = make_services()
    svc.opens_application = True  # as the window sets it
    order: list[str] = []
    real = httpcore.AsyncConnectionPool.handle_async_request

    async def handle(pool: Any, request: httpcore.Request) -> httpcore.Response:
        path = request.url.target.decode().split("?")[0]
        given = request.extensions.get("trace")

        async def trace(step: str, info: dict[str, Any]) -> None:
            if step == "http11.send_request_headers.complete" and path.endswith("/sessions"):
                order.append("page request left")
            if given is not None:
                await given(step, info)

        request.extensions["trace"] = trace
        return await real(pool, request)

    monkeypatch.setattr(httpcore.AsyncConnectionPool, "handle_async_request", handle)

    def announced(apps: list[Any]) -> None:
        assert svc.browser.application_id == apps[0].application_id  # the first by name, already opened
        assert svc.browser.is_showing(apps[0].application_id)
        order.append("applications announced")

    svc.browser.applications_loaded.connect(announced)
    await sign_in(svc, profile_of(sandbox), user="dispatch")
    await wait_until(lambda: svc.browser.model.sessions(), 20, what="the first page")
    assert order[:2] == ["page request left", "applications announced"], order
