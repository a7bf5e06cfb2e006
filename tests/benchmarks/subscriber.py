"""The floor of B4 and B6: a bare paho subscriber in a process of its own, receiving the app's stream.

It reads the access token from stdin (never argv), connects as the same user with its own client id,
subscribes to the user's session topics, and prints ``ready``. Then, for each ``{"expect": N}`` line, it
notes ``time.monotonic()`` for each of the next N messages (no parsing: that is the least a receiver does)
and prints them as one JSON line.
"""

from __future__ import annotations

import json
import random
import ssl
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion


def main() -> int:
    """Subscribe, then answer each ``expect`` with the arrival times."""
    host, port, realm, user_id, ca_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    token = sys.stdin.readline().strip()
    lock = threading.Lock()
    arrived: list[float] = []
    expected = [0]
    complete = threading.Event()
    subscribed = threading.Event()

    def on_message(_client: mqtt.Client, _userdata: object, _message: mqtt.MQTTMessage) -> None:
        now = time.monotonic()
        with lock:
            arrived.append(now)
            if expected[0] and len(arrived) >= expected[0]:
                complete.set()

    suffix = f"{random.randrange(10**8):08d}"
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"{realm}-{user_id}-{suffix}",
        clean_session=True,
        protocol=MQTTProtocolVersion.MQTTv311,
    )
    client.tls_set_context(ssl.create_default_context(cafile=ca_file))
    client.username_pw_set(f"{realm}/{user_id}", token)
    client.on_message = on_message
    client.on_subscribe = lambda *_args: subscribed.set()
    client.on_connect = lambda c, *_args: c.subscribe(f"v1/realms/{realm}/users/{user_id}/session/#", qos=1)
    client.connect(host, port, keepalive=60)
    client.loop_start()
    if not subscribed.wait(30):
        print("not subscribed", file=sys.stderr)
        return 1
    print("ready", flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        with lock:
            arrived.clear()
            expected[0] = int(cmd["expect"])
            complete.clear()
        print("armed", flush=True)
        if not complete.wait(float(cmd.get("timeout", 600))):
            print(json.dumps({"error": f"received {len(arrived)} of {expected[0]}"}), flush=True)
            continue
        with lock:
            times = arrived[: expected[0]]
            expected[0] = 0
        print(json.dumps({"times": times}), flush=True)
    client.disconnect()
    client.loop_stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
