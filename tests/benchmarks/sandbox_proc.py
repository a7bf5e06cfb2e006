"""A sandbox in a process of its own, so its server work never shares a GIL with what is measured.

Started by :class:`tests.benchmarks.harness.SandboxProcess`. It prints one JSON line with the connection
details once REST and MQTT accept connections, then answers one JSON command per stdin line:

- ``{"cmd": "storm", ...}``: publish session events straight into the broker (as the server does for
  committed changes), as fast as it takes them or at a fixed rate; answers with the publish times.
- ``{"cmd": "quit"}``: stop the sandbox and exit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from skydesk.sandbox import Sandbox, SandboxConfig
from skydesk.sandbox.broker_plugins import session_topic_root

TOKEN_TTL = 3600  # a full run must not see its tokens expire halfway


def storm_payloads(
    sessions: list[dict[str, Any]], count: int, run: int, user_id: str
) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """``count`` session_updated events cycling over ``sessions``, and each session's final name.

    Event k renames its session to ``"… #run.k"`` and moves modifiedAt on, so a model reflects the whole
    storm exactly when every row shows the name of its session's last event.
    """
    final: dict[str, str] = {}
    base = datetime.now(UTC) + timedelta(days=1)  # newer than anything seeded or changed before
    out: list[tuple[str, bytes]] = []
    for k in range(count):
        session = sessions[k % len(sessions)]
        at = (base + timedelta(milliseconds=k)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        snapshot = dict(session, name=f"{session['name'].split(' #')[0]} #{run}.{k}", modifiedAt=at)
        payload = {
            "eventId": f"bench-{run}-{k}",
            "eventType": "session_updated",
            "applicationId": session["applicationId"],
            "sessionId": session["sessionId"],
            "source": "skylight",
            "userId": user_id,
            "createdAt": at,
            "timestamp": at,
            "version": session["version"],
            "deviceId": "bench",
            "session": snapshot,
        }
        suffix = f"{session['applicationId']}/{session['sessionId']}/session_updated"
        out.append((suffix, json.dumps(payload, separators=(",", ":")).encode()))
        final[session["sessionId"]] = snapshot["name"]
    return out, final


def storm(sandbox: Sandbox, cmd: dict[str, Any]) -> dict[str, Any]:
    """Publish one storm to the user's topic; returns the monotonic publish time of every event."""
    service = sandbox.service
    actor = service.actor_by_username(cmd["username"])
    sessions: list[dict[str, Any]] = []
    cursor = None
    while len(sessions) < cmd["sessions"]:
        params = {"limit": "200"} | ({"nextCursor": cursor} if cursor else {})
        page = service.list_sessions(actor, cmd["application_id"], params)
        sessions.extend(page["data"])
        cursor = page["page"].get("nextCursor")
        if not cursor:
            break
    sessions = sessions[: cmd["sessions"]]
    root = session_topic_root(sandbox.config.realm, actor.user_id)
    messages, final = storm_payloads(sessions, cmd["count"], cmd["run"], actor.user_id)
    broker = sandbox._broker  # the server's own publishing path (Sandbox._publish_event uses it too)
    assert broker is not None
    rate = cmd.get("rate")
    times: list[float] = []
    started = time.monotonic()
    for k, (suffix, body) in enumerate(messages):
        if rate:
            due = started + k / rate
            while (now := time.monotonic()) < due:
                time.sleep(min(due - now, 0.002))
        times.append(time.monotonic())
        broker.publish(root + suffix, body, qos=1)
    return {"times": times, "final": final}


def fill_media(sandbox: Sandbox, cmd: dict[str, Any]) -> dict[str, Any]:
    """Put ``count`` small PNGs into the application's first session (straight through the service)."""
    from tests.media.helpers import fill_with_images

    service = sandbox.service
    actor = service.actor_by_username(cmd["username"])
    first = service.list_sessions(actor, cmd["application_id"], {"limit": "1"})["data"][0]
    ids = fill_with_images(sandbox, cmd["application_id"], first["sessionId"], cmd["count"], cmd["username"])
    return {"session_id": first["sessionId"], "media_ids": ids}


def main() -> int:
    """Run the sandbox and serve commands until ``quit`` or end of input."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args()
    config = SandboxConfig(
        state_dir=args.state_dir, api_port=0, mqtt_port=0, seed=args.seed, token_ttl=TOKEN_TTL
    )
    with Sandbox(config) as sandbox:
        print(json.dumps(sandbox.info.to_json()), flush=True)
        for line in sys.stdin:
            cmd = json.loads(line)
            if cmd["cmd"] == "quit":
                break
            if cmd["cmd"] == "storm":
                print(json.dumps(storm(sandbox, cmd)), flush=True)
            if cmd["cmd"] == "fill_media":
                print(json.dumps(fill_media(sandbox, cmd)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
