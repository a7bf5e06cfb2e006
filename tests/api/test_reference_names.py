"""Every public method of the SDK says which method of the reference it implements (issue 13): a
``Reference:`` line naming the Integration SDK method, the REST operation, or "none" for skydesk's own."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator

from skydesk.api import SkylightClient, SyncSkylightClient
from skydesk.events import EventStream, event_stream

REFERENCE = re.compile(
    r"Reference: (none\b|SDK (event )?``\w+``|REST ``(GET|POST|PATCH|PUT|DELETE) /\S+``|the )"
)


def _methods(cls: type) -> Iterator[tuple[str, Callable[..., object]]]:
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or isinstance(inspect.getattr_static(cls, name), property):
            continue
        if inspect.isfunction(member):
            yield f"{cls.__name__}.{name}", member


def test_every_public_method_names_the_reference_method_it_implements() -> None:
    found = [*_methods(SkylightClient), *_methods(SyncSkylightClient), *_methods(EventStream)]
    found.append(("event_stream", event_stream))
    assert len(found) > 60
    missing = [name for name, fn in found if not REFERENCE.search(inspect.getdoc(fn) or "")]
    assert missing == []
