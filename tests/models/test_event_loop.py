"""A read pre-empted while Qt (not qasync's run_forever) drives the loop must not break the connection.

Qt runs qasync's callbacks whenever events are processed: qasync's own last pass in run_until_complete,
pytest-qt between test phases, a nested Qt loop. Seen as requests hanging for good on httpcore's
connection ``_state_lock`` after sign-in's reads were pre-empted (see skydesk/models/event_loop.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from skydesk.api import SkylightClient
from skydesk.core.tasks import TaskRegistry
from tests.support.qt import qapplication, qasync_loop_factory


def test_a_read_preempted_outside_run_forever_leaves_the_client_usable(sandbox: Any) -> None:
    app = qapplication()
    loop = qasync_loop_factory()  # the loop every async test and (through QtEventLoop) the app use
    info = sandbox.info
    tasks = TaskRegistry()
    outcomes: list[BaseException | None] = []

    async def read(client: SkylightClient) -> None:
        try:
            await client.get_applications()
            outcomes.append(None)
        except BaseException as exc:  # recorded: what ended the pre-empted read
            outcomes.append(exc)
            raise

    async def start() -> SkylightClient:
        client = SkylightClient(info.api_url, ca_file=info.ca_file, device_id="tests-event-loop")
        await client.login(info.realm, "tech", "tech-demo-pw")
        await client.get_applications()  # one kept-alive connection, which the reads below share
        tasks.run("op.read.apps", read(client))
        await asyncio.sleep(0)  # the first read has started (it shares the connection)
        tasks.run("op.read.apps", read(client))  # a newer read pre-empts it, as Operations.read does
        return client

    async def finish(client: SkylightClient) -> None:
        try:
            # Without the fix this waits forever for a lock held by the finished first read.
            await asyncio.wait_for(client.get_applications(), 20)
        finally:
            await tasks.shutdown()
            await client.aclose()

    try:
        client = loop.run_until_complete(start())  # returns with the cancellation still to be delivered
        for _ in range(20):
            app.processEvents()  # as pytest-qt does between a fixture and the test
        loop.run_until_complete(finish(client))
    finally:
        loop.close()
    assert outcomes, "the pre-empted read never ran"
    assert isinstance(outcomes[0], asyncio.CancelledError), outcomes
    assert all(o is None or isinstance(o, asyncio.CancelledError) for o in outcomes), outcomes


def test_an_async_generator_left_mid_way_is_closed_on_the_loop() -> None:
    # As httpx's byte stream of a download cancelled at quit: the generator's clean-up awaits. Without the
    # loop's async-generator hooks, the garbage collector closed it with no loop and Python printed an
    # "async generator ignored GeneratorExit" traceback (found by test_shutdown_under_load.py).
    import gc
    import sys

    loop = qasync_loop_factory()
    cleaned: list[bool] = []
    unraisable: list[str] = []

    async def stream() -> Any:
        try:
            yield 1
            yield 2
        finally:
            await asyncio.sleep(0)  # an await in clean-up, as httpcore's aclose() does
            cleaned.append(asyncio.get_running_loop() is loop)

    async def read_one() -> None:
        agen = stream()
        await agen.__anext__()  # abandoned after the first item, as a cancelled download is

    previous = sys.unraisablehook
    sys.unraisablehook = lambda u: unraisable.append(f"{u.exc_type.__name__}: {u.exc_value}")
    try:
        loop.run_until_complete(read_one())
        gc.collect()
        loop.run_until_complete(asyncio.sleep(0.05))  # the loop runs the generator's aclose()
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        sys.unraisablehook = previous
        loop.close()
    assert not unraisable, unraisable
    assert cleaned == [True], "the generator's clean-up ran to its end, on the loop"


def test_sniffio_is_told_the_loop_is_asyncio_while_it_runs() -> None:
    # anyio and httpcore ask sniffio ~40 times per request; told by the loop, it need not find out each time.
    import sniffio

    loop = qasync_loop_factory()
    seen: list[tuple[str | None, str]] = []

    async def ask() -> None:
        seen.append((sniffio.thread_local.name, sniffio.current_async_library()))

    try:
        loop.run_until_complete(ask())
    finally:
        loop.close()
    assert seen == [("asyncio", "asyncio")]
    assert sniffio.thread_local.name is None  # put back once the loop stopped
