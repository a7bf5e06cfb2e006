"""Replies leave no garbage cycles: paging frees each page's body at once, not at a rare full collection."""

from __future__ import annotations

import gc
from typing import Any

from skydesk.api import SkylightClient


async def test_a_page_of_sessions_leaves_no_reference_cycle(dispatch: SkylightClient, app_id: str) -> None:
    # httpx ties every response to its body stream in a cycle; the SDK breaks it once the body is read.
    # Without that, each page's body (hundreds of kB at limit 200) waited for the oldest generation.
    await dispatch.list_sessions(app_id, limit=50)  # the connection and the token are set up first
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            page: Any = await dispatch.list_sessions(app_id, limit=50)
            assert page.items
            del page
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()
