"""The operation primitive on the real sandbox: queued writes, pre-empting reads, busy counts, problems."""

from __future__ import annotations

import asyncio
from typing import Any

from skydesk.api import SkylightClient
from skydesk.models.problems import LOADING_SESSION, SAVING_CHANGES
from tests.models.helpers import open_app, sign_in
from tests.support.qt import SignalRecorder, wait_until


async def _client(sb: Any, user: str = "dispatch") -> SkylightClient:
    client = SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file)
    await client.login(sb.info.realm, user, f"{user}-demo-pw")
    return client


async def _timeline(sb: Any, app: str, session_id: str) -> list[Any]:
    client = await _client(sb)
    try:
        page = await client.list_session_events(app, session_id, limit=100)
        return list(page.items)
    finally:
        await client.aclose()


async def test_writes_to_one_session_queue_in_order_and_none_is_cancelled(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    app = await open_app(svc, "Field Inspection")
    client = svc.auth.client
    session = await client.create_session(app, name="Queue 0")
    target = f"session:{session.session_id}"
    counts = SignalRecorder(svc.ops.busy_changed)
    answers: list[str] = []

    for n in (1, 2, 3):
        svc.ops.write(
            target,
            lambda c, n=n: c.update_session_name(app, session.session_id, f"Queue {n}"),
            doing=SAVING_CHANGES,
            scope="detail",
            success=lambda s: answers.append(s.name),
        )
    assert svc.ops.busy(target) == 3  # counted from the click, before anything was sent
    await wait_until(lambda: svc.ops.busy(target) == 0, 20, what="the writes to answer")

    assert answers == ["Queue 1", "Queue 2", "Queue 3"]
    assert [a[1] for a in counts.args("busy_changed") if a[0] == target] == [1, 2, 3, 2, 1, 0]
    renames = [
        e.session.name
        for e in await _timeline(sandbox, app, session.session_id)
        if e.event_type == "session_updated"
    ]
    assert sorted(renames) == ["Queue 1", "Queue 2", "Queue 3"]  # each sent once, none cancelled


async def test_a_newer_read_of_the_same_key_pre_empts_the_older(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    app = await open_app(svc, "Field Inspection")
    first, second = svc.browser.model.sessions()[:2]
    shown: list[str] = []

    async def slow(c: Any, sid: str) -> Any:
        await asyncio.sleep(0.5)
        return await c.get_session(app, sid)

    for s in (first, second):
        svc.ops.read(
            "test.detail", lambda c, sid=s.session_id: slow(c, sid), doing=LOADING_SESSION, scope="detail",
            target="test", success=lambda got: shown.append(got.session_id),
        )  # fmt: skip
    await wait_until(lambda: svc.ops.busy("test") == 0, 20, what="the reads to end")
    assert shown == [second.session_id]


async def test_an_expected_error_becomes_a_problem_and_an_unexpected_one_reaches_the_reporter(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    reported: list[BaseException] = []
    svc = make_services(report_unexpected=lambda _t, exc, _tb, where="": reported.append(exc))
    await sign_in(svc, profile_of(sandbox))
    app = await open_app(svc, "Field Inspection")
    problems = SignalRecorder(svc.ops.problem_raised)
    failures: list[Any] = []

    svc.ops.write(
        "session:missing", lambda c: c.update_session_name(app, "no-such-session", "x"),
        doing=SAVING_CHANGES, scope="detail", field="name", failure=failures.append,
    )  # fmt: skip
    problem = (await problems.wait("problem_raised", within=20))[0]
    assert problem.kind == "gone" and (problem.scope, problem.field) == ("detail", "name")
    assert problem.message == (
        "The changes were not saved: this session no longer exists or is no longer visible to you."
    )
    assert failures == [problem]

    # A bug in a success callback (a fault no real part produces on demand, hence injected): the
    # reporter gets it, the failure callback still runs so the view is usable, and the count drops.
    def broken(_result: Any) -> None:
        raise RuntimeError("injected bug")

    svc.ops.read(
        "test.bug", lambda c: c.get_applications(), doing=LOADING_SESSION, scope="detail",
        success=broken, failure=failures.append,
    )  # fmt: skip
    await problems.wait("problem_raised", count=2, within=20)
    assert [str(e) for e in reported] == ["injected bug"]
    assert failures[-1].kind == "unexpected" and svc.ops.busy("test.bug") == 0


async def test_after_shutdown_a_late_request_from_a_view_is_dropped_not_raised(
    sandbox: Any, make_services: Any, profile_of: Any
) -> None:
    """Qt may call fetchMore while the window goes away: that must neither send nor raise."""
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    await open_app(svc, "Field Inspection")
    await svc.shutdown()
    called: list[str] = []

    async def call(_client: SkylightClient) -> None:
        called.append("sent")

    refused = svc.ops.read("late", call, doing=LOADING_SESSION, scope="list")
    svc.browser.model.fetchMore(svc.browser.model.index(-1, -1).parent())  # what the view does
    await asyncio.sleep(0)
    assert refused.cancelled() and called == []
