"""SyncSkylightClient: the same methods, names, results and errors as SkylightClient, blocking, on a
private loop thread; against the real sandbox."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import pytest

from skydesk.api import NotFound, Session, SkylightClient, SyncSkylightClient, ValidationError


def _public(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_")
        and (inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member))
    }


def test_every_async_method_has_a_blocking_twin_with_the_same_signature() -> None:
    methods = _public(SkylightClient)
    assert len(methods) > 30
    for name, method in methods.items():
        twin_name = "close" if name == "aclose" else name
        twin = getattr(SyncSkylightClient, twin_name, None)
        assert twin is not None, f"SyncSkylightClient has no {twin_name}"
        if name != "aclose":
            assert inspect.signature(twin).parameters == inspect.signature(method).parameters, name
            assert not inspect.iscoroutinefunction(twin) and not inspect.isasyncgenfunction(twin), name
            assert (twin.__doc__ or "").count("SkylightClient.") >= 1, name


def _client(sandbox: Any, username: str = "tech") -> SyncSkylightClient:
    info = sandbox.info
    client = SyncSkylightClient(info.api_url, ca_file=info.ca_file, device_id=f"sync-{username}")
    client.login(info.realm, username, info.user(username).password)
    return client


def test_blocking_calls_return_the_same_results_and_raise_the_same_errors(sandbox: Any, app_id: str) -> None:
    with _client(sandbox) as client:
        assert client.is_signed_in and client.realm == sandbox.info.realm
        names = [a.name for a in client.get_applications()]
        assert "Field Inspection" in names
        session = client.create_session(app_id, name="sync facade", properties={"n": 1})
        assert isinstance(session, Session) and session.properties == {"n": "1"}
        client.patch_session_data(app_id, session.session_id, {"reading": 3})
        assert client.get_session_data(app_id, session.session_id) == {"reading": 3}
        # iter_* is a plain iterator; the event timeline and media too.
        walked = [s.session_id for s in client.iter_sessions(app_id, name="sync facade", page_size=1)]
        assert session.session_id in walked
        kinds = [e.event_type for e in client.iter_session_events(app_id, session.session_id, page_size=1)]
        assert kinds == ["session_created", "session_data_updated"]
        with pytest.raises(NotFound):
            client.get_session(app_id, "no-such-session")
        with pytest.raises(ValidationError) as err:
            client.create_session(app_id, name="x" * 256)
        assert err.value.status is None  # refused before sending, as by the async client
    with pytest.raises(RuntimeError, match="closed"):
        client.get_applications()


def test_leaving_an_iteration_early_closes_it(sandbox: Any, app_id: str) -> None:
    with _client(sandbox) as client:
        for _ in client.iter_sessions(app_id, page_size=1):
            break  # the async generator behind it is closed on its own loop, without warnings
        assert client.get_application(app_id).application_id == app_id


async def test_it_works_where_an_event_loop_is_already_running(sandbox: Any, app_id: str) -> None:
    # As in a notebook cell: this thread's loop is busy, the facade's own loop does the work.
    assert asyncio.get_running_loop().is_running()
    with _client(sandbox) as client:
        assert client.get_application(app_id).name == "Field Inspection"
        assert client.loop is not asyncio.get_running_loop()


def test_its_loop_thread_ends_with_close(sandbox: Any) -> None:
    before = {t for t in threading.enumerate() if t.name == "skydesk-sync"}
    client = _client(sandbox)
    client.close()
    client.close()  # idempotent
    assert {t for t in threading.enumerate() if t.name == "skydesk-sync"} <= before
