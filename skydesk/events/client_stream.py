"""``event_stream(client)``: live events for a signed-in SDK client, in one line.

It lives here rather than as a method of ``SkylightClient`` because the REST SDK (``skydesk.api``)
must not depend on the MQTT layer above it (the layers in pyproject's import-linter contracts).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from skydesk.api import SkylightClient
from skydesk.api.sync import SyncSkylightClient

from ._dispatch import Sink
from .stream import EventStream, StateCallback
from .tokens import stable_client_suffix, token_provider_for

__all__ = ["event_stream", "mqtt_host_for"]

MQTT_PORT = 8883


def mqtt_host_for(api_url: str) -> str:
    """The MQTT host of a deployment: the API host with a leading ``api.`` replaced by ``mqtt.``.

    ``https://api.skylight.eu.upskill.io`` gives ``mqtt.skylight.eu.upskill.io``; a host without the
    ``api.`` prefix (a local sandbox, ``127.0.0.1``) is its own MQTT host.
    """
    host = urlsplit(api_url).hostname or ""
    return "mqtt." + host[4:] if host.startswith("api.") else host


def event_stream(
    client: SkylightClient | SyncSkylightClient,
    *,
    host: str | None = None,
    port: int = MQTT_PORT,
    on_state: StateCallback | None = None,
    sink: Sink | None = None,
    keepalive: int = 30,
    loop: asyncio.AbstractEventLoop | None = None,
) -> EventStream:
    """An :class:`EventStream` for the user ``client`` is signed in as; start it, or use ``with``.

    Everything else comes from the client: realm, user id, the access token as the MQTT password
    (renewed through the client), the stable client-id digits of this device and user, the CA file,
    and TLS unless the API itself is plain HTTP. ``host`` defaults to :func:`mqtt_host_for` the API
    URL, ``port`` to 8883. With an async client, call it from the loop that owns the client (or pass
    that ``loop``); a :class:`~skydesk.api.sync.SyncSkylightClient` brings its own loop.

    Reference: the Integration API's MQTT section (broker, topics, client id); skydesk's one-line form.
    """
    if isinstance(client, SyncSkylightClient):
        loop, client = client.loop, client.aclient
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "event_stream() needs the event loop of the async client: call it inside that loop, "
                "pass loop=, or use SyncSkylightClient"
            ) from None
    realm, user_id = client.realm, client.user_id
    if not realm or not user_id:
        raise RuntimeError("sign in first: the event stream is for the signed-in user")
    return EventStream(
        host=host or mqtt_host_for(client.api_url),
        port=port,
        realm=realm,
        user_id=user_id,
        token_provider=token_provider_for(client, loop),
        client_suffix=stable_client_suffix(client.device_id, user_id),
        ca_file=client.ca_file,
        tls=not client.api_url.startswith("http://"),
        keepalive=keepalive,
        on_state=on_state,
        sink=sink,
    )
