"""amqtt's per-connection protocol handler, made to keep un-acknowledged QoS 1 messages.

MQTT-4.4.0-1: when a persistent (clean_session=False) client reconnects, the broker must resend
the PUBLISHes it never acknowledged, with DUP=1. amqtt 0.12.1 does resend what is left in
``Session.inflight_out``, but its QoS 1 flow (``ProtocolHandler._handle_qos1_message_flow``)
removes the message from there in a ``finally``, also when the PUBACK wait is cancelled by a
dropped connection or times out, so nothing is left to resend and the message is lost.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from amqtt.mqtt.constants import QOS_1
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import OUTGOING

log = logging.getLogger(__name__)

# amqtt's own PUBACK wait; a client silent for longer keeps the message for its next visit.
PUBACK_TIMEOUT = 5.0


class DeliveryInterrupted(ConnectionError):
    """A QoS 1 message went unacknowledged; it stays on the session for redelivery."""


class RedeliveringHandler(BrokerProtocolHandler):  # type: ignore[misc]  # amqtt ships no type hints
    """A BrokerProtocolHandler whose outgoing QoS 1 messages leave the session only once acked."""

    async def _handle_qos1_message_flow(self, app_message: Any) -> None:
        session = self.session
        if app_message.direction != OUTGOING or session is None or app_message.packet_id is None:
            await super()._handle_qos1_message_flow(app_message)
            return
        packet_id = app_message.packet_id
        # Kept here until its PUBACK arrives; a fresh connection's start() resends what is left.
        session.inflight_out.setdefault(packet_id, app_message)
        if self._reader_stopped.is_set():
            # The connection is already gone: nothing would ever answer, so do not wait for it.
            raise DeliveryInterrupted(f"client gone before message {packet_id} was sent")
        # DUP=1 whenever an earlier attempt may have reached the client.
        packet = app_message.build_publish_packet(dup=app_message.publish_packet is not None)
        app_message.publish_packet = packet
        # Registered before sending, so a PUBACK that beats this task back cannot be missed.
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._puback_waiters[packet_id] = waiter
        try:
            await self._send_packet(packet)
            app_message.puback_packet = await asyncio.wait_for(waiter, PUBACK_TIMEOUT)
        except TimeoutError:
            raise DeliveryInterrupted(f"no PUBACK for message {packet_id}; kept for redelivery") from None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # this task itself is being cancelled (broker shutdown): let it end
            # Only the waiter was cancelled: amqtt's stop() does that when the connection drops.
            raise DeliveryInterrupted(f"connection dropped before PUBACK of message {packet_id}") from None
        finally:
            self._puback_waiters.pop(packet_id, None)
        session.inflight_out.pop(packet_id, None)

    async def handle_puback(self, puback: Any) -> None:
        """Accept a late PUBACK for a message whose wait already gave up: it was delivered."""
        packet_id = puback.variable_header.packet_id if puback.variable_header else None
        session = self.session
        if packet_id not in self._puback_waiters and session is not None:
            late = session.inflight_out.get(packet_id)
            if late is not None and late.qos == QOS_1:
                del session.inflight_out[packet_id]
                return
        await super().handle_puback(puback)

    async def _retry_deliveries(self) -> None:
        """Resend the session's un-acknowledged messages one at a time, oldest first.

        amqtt resends them all at once; one by one keeps their order and stops at the first
        that the client leaves unanswered, keeping it and the rest for the next reconnect.
        """
        session = self.session
        if session is None:
            return
        for message in list(session.inflight_out.values()):
            try:
                await self._handle_message_flow(message)
            except (DeliveryInterrupted, TimeoutError) as exc:
                log.info("Redelivery to %s paused: %s", session.client_id, exc)
                return
        # Incoming QoS 2 flows (none expected: clients may not publish) keep amqtt's handling.
        await super()._retry_deliveries()
