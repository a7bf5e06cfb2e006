"""skydesk.events: the signed-in user's live session events from the Skylight MQTT broker (no GUI).

Example::

    loop = asyncio.get_running_loop()
    stream = EventStream(
        host="mqtt.skylight.upskill.io", realm=client.realm, user_id=client.user_id,
        token_provider=token_provider_for(client, loop),
        client_suffix=stable_client_suffix(client.device_id, client.user_id),
        on_state=lambda state, detail: print(state.name, detail),
    )
    stream.on_session_created(lambda ev: print("new session", ev.session_id))
    stream.start()
    ...
    await asyncio.to_thread(stream.stop)
"""

from .client_stream import event_stream, mqtt_host_for
from .stream import EventStream
from .tokens import TokenProvider, stable_client_suffix, token_provider_for
from .types import (
    Resync,
    SessionClosed,
    SessionCreated,
    SessionDataUpdated,
    SessionEventCreated,
    SessionPropertiesUpdated,
    SessionUpdated,
    StreamState,
    UnknownSessionEvent,
    parse_event,
)

__all__ = [
    "EventStream",
    "Resync",
    "SessionClosed",
    "SessionCreated",
    "SessionDataUpdated",
    "SessionEventCreated",
    "SessionPropertiesUpdated",
    "SessionUpdated",
    "StreamState",
    "TokenProvider",
    "UnknownSessionEvent",
    "event_stream",
    "mqtt_host_for",
    "parse_event",
    "stable_client_suffix",
    "token_provider_for",
]
