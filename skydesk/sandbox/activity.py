"""Simulated colleagues: `dispatch` and `sam` work on sessions while you watch.

Every action goes through the same :class:`SandboxService` methods the REST routes call, so the
simulated changes are validated, permission-checked, stored, put on the timeline and published
exactly like real ones.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

from .errors import ApiError
from .seed import ASSET_NAMES, ASSETS, FIELD_TEAM_ID, LABELS, PRIORITIES, SITES, STEP_TITLES, png_bytes
from .service import SandboxService
from .service_base import Actor, Device

log = logging.getLogger(__name__)

# Keep enough open work around that the demo never runs dry.
_MIN_OPEN = 8


class ActivitySimulator:
    """Acts as other demo users at a given rate, through the same service calls REST uses."""

    def __init__(self, service: SandboxService, events_per_minute: float, *, seed: int | None = None) -> None:
        self._service = service
        self._rate = max(0.0, float(events_per_minute))
        self._rng = random.Random(seed)  # noqa: S311 - simulation, not security
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.actions = 0  # completed actions, for tests and the CLI

    def __repr__(self) -> str:
        return f"ActivitySimulator(rate={self._rate}/min, actions={self.actions})"

    def start(self) -> None:
        """Start the simulation thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="sandbox-activity", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop and join the simulation thread; returns promptly even mid-wait."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def set_rate(self, events_per_minute: float) -> None:
        """Change the rate (0 pauses); takes effect immediately."""
        self._rate = max(0.0, float(events_per_minute))
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            rate = self._rate
            if rate <= 0:
                self._wake.wait()
                self._wake.clear()
                continue
            # Exponential gaps look like independent people working, not a metronome.
            if self._wake.wait(self._rng.expovariate(rate / 60.0)):
                self._wake.clear()
                continue
            self.step()

    def step(self) -> str | None:
        """Perform one random action; returns its name, or None when nothing could be done."""
        try:
            name = self._act()
        except ApiError as exc:
            # Races with real users (a session closed meanwhile) are normal; skip this turn.
            log.debug("simulated action refused: %s", exc.message)
            return None
        except Exception:
            log.exception("simulated action failed")
            return None
        if name:
            self.actions += 1
        return name

    # ------------------------------------------------------------------ actions
    def _act(self) -> str | None:
        svc, rng = self._service, self._rng
        apps = svc.applications()
        if not apps:
            return None
        app = rng.choice(apps).application_id
        actor = svc.actor_by_username(rng.choice(["dispatch", "dispatch", "sam"]))
        opened = self._open_sessions(actor, app)
        if len(opened) < _MIN_OPEN or rng.random() < 0.08:
            if actor.username == "dispatch":
                return self._create(actor, app)
        if not opened:
            return None
        session = rng.choice(opened)
        device = Device(f"sim-{actor.username}", None)
        sid = session["sessionId"]
        roll = rng.random()
        if roll < 0.40:
            body = {"data": self._data_patch(), "version": session["version"]}
            svc.patch_session_data(actor, app, sid, body, device)
            return "data"
        if roll < 0.60:
            current = session["properties"].get("priority")
            props = dict(session["properties"], priority=rng.choice([p for p in PRIORITIES if p != current]))
            svc.patch_session(actor, app, sid, {"properties": props}, device)
            return "properties"
        if roll < 0.72:
            joiner = {"id": actor.user_id, "type": "user"}
            if any(p["id"] == actor.user_id for p in session["participants"]):
                joiner = {"id": FIELD_TEAM_ID, "type": "group"}
            svc.add_participant(actor, app, sid, joiner, device)
            return "join"
        if roll < 0.85:
            return self._add_media(actor, app, session)
        if roll < 0.92:
            svc.create_event(actor, app, sid, {"eventType": "note", "data": {"text": "On my way"}}, device)
            return "custom"
        if len(opened) > _MIN_OPEN:
            svc.close_session(actor, app, sid, device)
            return "close"
        return None

    def _open_sessions(self, actor: Actor, app: str) -> list[dict[str, Any]]:
        # Prefer the demo technician's work, so someone signed in as `tech` sees the activity.
        tech = self._service.actor_by_username("tech")
        params = {"status": "open", "sort": "-modifiedAt", "limit": "40"}
        params["participants"] = ",".join(tech.identities)
        return list(self._service.list_sessions(actor, app, params)["data"])

    def _create(self, actor: Actor, app: str) -> str:
        rng = self._rng
        kind = rng.choice(ASSETS)
        asset = f"{kind}-{rng.randint(1, 240):04d}"
        site = rng.choice(SITES)
        tech = self._service.actor_by_username("tech")
        team = rng.choice([{"id": tech.user_id, "type": "user"}, {"id": FIELD_TEAM_ID, "type": "group"}])
        versions = self._service.get_application(actor, app)
        published, draft = versions["publishedVersion"], versions["draftVersion"]
        body = {
            # A required field, filled as the SDK fills it: the published version, else the draft.
            "version": published if published >= 1 else max(draft, 1),
            "name": f"Check {ASSET_NAMES[kind]} {asset} at {site}",
            "description": "Raised by dispatch after an alarm",
            "participants": [team],
            "properties": {
                "site": site,
                "orderId": f"WO-{rng.randint(200000, 299999)}",
                "assetId": asset,
                "priority": rng.choice(PRIORITIES),
            },
        }
        self._service.create_session(actor, app, body, Device(f"sim-{actor.username}", None))
        return "create"

    def _data_patch(self) -> dict[str, Any]:
        rng = self._rng
        return {
            "readings": {
                "pressure_bar": round(rng.uniform(1.5, 9.5), 2),
                "temperature_c": round(rng.uniform(18, 85), 1),
            },
            "lastNote": f"{rng.choice(STEP_TITLES)}: done",
        }

    def _add_media(self, actor: Actor, app: str, session: dict[str, Any]) -> str:
        content = png_bytes(48, 32, seed=self._rng.randrange(1_000_000))
        asset = session["properties"].get("assetId", "asset")
        media = self._service.create_media(
            actor,
            app,
            session["sessionId"],
            {
                "filename": f"{asset}-{self._rng.randint(1, 99)}.png",
                "title": f"{asset} photo",
                "contentType": "image/png",
                "totalBytes": len(content),
                "labels": ["photo", self._rng.choice(LABELS)],
            },
        )
        self._service.upload_content(actor, app, session["sessionId"], media["mediaId"], content)
        return "media"
