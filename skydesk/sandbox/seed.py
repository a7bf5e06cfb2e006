"""Deterministic demo data that looks like field work: work orders, inspections, photos.

Ids, names and contents are the same on every run (fixed random seed); timestamps are laid out
backwards from "now" so the demo always looks current. Bulk seeding builds every row in memory
and inserts with ``executemany`` in one transaction, so ``seed(100_000)`` takes seconds.
"""

from __future__ import annotations

import hashlib
import json
import random
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .auth import hash_password
from .info import DemoUser
from .store import BULK_INDEXES, Store, index_statements, insert_sql, iso, store_blocks

_NS = uuid.UUID("6f7c1c52-8d0e-4b8a-9a57-3d1f1b2c5e10")

TECHNICIAN = [
    "application:read",
    "session:read:participant",
    "session:create",
    "session:update:participant",
    "media:read",
    "media:write",
    "role:read",
]
DISPATCHER = [
    "application:read",
    "session:read:any",
    "session:update:any",
    "session:create",
    "media:read",
    "media:write",
    "role:read",
]
# Viewers may read the roles, so the app can show them what they may not do (CONTRACT §9).
VIEWER = ["application:read", "role:read"]
ROLES = {
    "technician": ("Field technicians: work on the sessions they take part in", TECHNICIAN),
    "dispatcher": ("Dispatchers: plan, watch and update every session", DISPATCHER),
    "viewer": ("Read-only access to the application", VIEWER),
}


@dataclass(frozen=True)
class UserSpec:
    """A demo account to create."""

    username: str
    display_name: str
    role: str
    job_title: str = ""

    @property
    def first_name(self) -> str:
        """The given name: the display name up to its first space."""
        return self.display_name.partition(" ")[0]

    @property
    def last_name(self) -> str:
        """The family name: the display name after its first space."""
        return self.display_name.partition(" ")[2]

    @property
    def directory_fields(self) -> tuple[str, str, str]:
        """First name, last name and job title, as the directory shows them."""
        return self.first_name, self.last_name, self.job_title

    @property
    def id(self) -> str:
        """Stable user id (same on every seed)."""
        return str(uuid.uuid5(_NS, f"user/{self.username}"))

    @property
    def password(self) -> str:
        """The public demo password."""
        return f"{self.username}-demo-pw"


DEMO_USERS = (
    UserSpec("tech", "Alex Rivera", "technician", "Field Technician"),
    UserSpec("dispatch", "Dana Brooks", "dispatcher", "Dispatch Lead"),
    UserSpec("sam", "Sam Okafor", "technician", "Senior Field Technician"),
    UserSpec("viewer", "Vic Lane", "viewer", "Quality Auditor"),
)
FIELD_TEAM_ID = str(uuid.uuid5(_NS, "group/field-team"))
FIELD_TEAM_DESCRIPTION = "Technicians working on site"
FIELD_TEAM_MEMBERS = ("tech", "sam")


@dataclass(frozen=True)
class AppSpec:
    """A demo application with its versions and the kind of work its sessions describe."""

    name: str
    description: str
    published: int
    draft: int
    weight: int

    @property
    def id(self) -> str:
        """Stable 24-hex id, shaped like Skylight's application ids."""
        return hashlib.sha1(f"skydesk-demo/{self.name}".encode(), usedforsecurity=False).hexdigest()[:24]


DEMO_APPS = (
    AppSpec("Field Inspection", "Guided inspections of plant equipment", 3, 4, 5),
    AppSpec("Pump Maintenance", "Preventive and corrective pump maintenance", 1, -1, 3),
    AppSpec("Site Survey", "Surveys of new customer sites (not yet published)", -1, 1, 2),
)

SITES = [
    "North Yard", "Riverside Substation", "Harbor Terminal", "Plant 2 - Boiler House", "East Reservoir",
    "Depot 14", "Hillcrest Pumping Station", "Airport Fuel Farm", "Westgate Warehouse", "Quarry Road Site",
]  # fmt: skip
ASSETS = ["PMP", "VLV", "TRF", "CMP", "HVAC", "GEN", "TNK", "CNV"]
ASSET_NAMES = {
    "PMP": "pump", "VLV": "valve", "TRF": "transformer", "CMP": "compressor",
    "HVAC": "air handler", "GEN": "generator", "TNK": "tank", "CNV": "conveyor",
}  # fmt: skip
PRIORITIES = ["low", "normal", "normal", "normal", "high", "urgent"]
VERBS = {
    "Field Inspection": ["Inspect", "Thermal scan of", "Vibration check on", "Safety audit of"],
    "Pump Maintenance": ["Replace seal on", "Service", "Realign", "Lubricate bearings of"],
    "Site Survey": ["Survey", "Measure access to", "Photograph", "Assess foundations for"],
}
STEP_TITLES = [
    "Lock out and tag out", "Check for visible damage", "Record nameplate", "Measure vibration",
    "Read pressure gauge", "Check for leaks", "Thermal image", "Clean and close up", "Customer sign-off",
]  # fmt: skip
LABELS = ["photo", "before", "after", "defect", "nameplate", "thermal"]
# Sessions beyond this many get no seeded timeline, keeping benchmark seeds small and fast.
TIMELINE_SEED_LIMIT = 2000
MEDIA_SEED_LIMIT = 60
BULK_INDEX_THRESHOLD = 5000


def demo_user(spec: UserSpec) -> DemoUser:
    """The public description of a demo account."""
    return DemoUser(spec.username, spec.password, spec.id, spec.display_name, [spec.role])


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A real RGB PNG (a colour gradient with a stripe) built with zlib and struct only."""
    rng = random.Random(seed)  # noqa: S311 - deterministic demo content, not security
    r0, g0, b0 = rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0 (None) per scanline
        for x in range(width):
            stripe = 60 if (x + y) // 6 % 5 == 0 else 0
            row += bytes(((r0 + x * 2 + stripe) % 256, (g0 + y * 3) % 256, (b0 + stripe) % 256))
        rows.append(bytes(row))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + chunk(b"IEND", b"")
    )


def seed_database(store: Store, sessions: int) -> None:
    """Create the demo realm (users, group, apps, roles) and ``sessions`` sessions in one transaction."""
    now = datetime.now(UTC).replace(microsecond=0)
    with store.tx() as conn:
        _seed_identities(conn, now)
        _seed_sessions(conn, max(0, sessions), now)


def _seed_identities(conn: Any, now: datetime) -> None:
    created = iso(now - timedelta(days=120))
    conn.executemany(
        "INSERT INTO users (id, username, display_name, password_hash, created_at, first_name, last_name, "
        "job_title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (u.id, u.username, u.display_name, hash_password(u.password), created, *u.directory_fields)
            for u in DEMO_USERS
        ],
    )
    conn.execute(
        "INSERT INTO groups (id, name, description) VALUES (?, ?, ?)",
        (FIELD_TEAM_ID, "field-team", FIELD_TEAM_DESCRIPTION),
    )
    by_name = {u.username: u for u in DEMO_USERS}
    conn.executemany(
        "INSERT INTO group_members (group_id, user_id) VALUES (?, ?)",
        [(FIELD_TEAM_ID, by_name[m].id) for m in FIELD_TEAM_MEMBERS],
    )
    admin = by_name["dispatch"].id
    for app in DEMO_APPS:
        conn.execute(
            "INSERT INTO applications (id, name, description, draft_version, published_version, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (app.id, app.name, app.description, app.draft, app.published, admin, created),
        )
        for role, (description, perms) in ROLES.items():
            # Default roles: the reference says createdBy is empty for roles made with the application.
            conn.execute(
                "INSERT INTO roles (application_id, name, description, permissions, created_by, created_at, "
                "modified_by, modified_at) VALUES (?, ?, ?, ?, '', ?, '', ?)",
                (app.id, role, description, json.dumps(perms), created, created),
            )
        members = [(app.id, u.role, u.id, "user") for u in DEMO_USERS]
        # The technician role is also granted through the group, as a real admin would do it.
        members.append((app.id, "technician", FIELD_TEAM_ID, "group"))
        conn.executemany(
            "INSERT INTO role_members (application_id, role_name, participant_id, participant_type) "
            "VALUES (?, ?, ?, ?)",
            members,
        )


def _participants(rng: random.Random, creator: str, ids: dict[str, str]) -> list[dict[str, Any]]:
    roll = rng.random()
    if roll < 0.45:
        chosen = [("tech", "user")]
    elif roll < 0.70:
        chosen = [("field-team", "group")]
    elif roll < 0.85:
        chosen = [("tech", "user"), ("sam", "user")]
    else:
        chosen = [("sam", "user")]
    people = [{"id": ids[name], "type": kind, "isGuest": False} for name, kind in chosen]
    if all(p["id"] != creator for p in people):
        people.insert(0, {"id": creator, "type": "user", "isGuest": False})
    return people


def _session_data(rng: random.Random, closed: bool) -> dict[str, Any]:
    titles = rng.sample(STEP_TITLES, rng.randint(3, 6))
    done_upto = len(titles) if closed else rng.randint(0, len(titles))
    steps = [
        {"id": f"step-{i + 1}", "title": t, "done": i < done_upto, "notes": ""} for i, t in enumerate(titles)
    ]
    return {
        "inspection": {"steps": steps, "currentStep": min(done_upto + 1, len(titles))},
        "readings": {
            "pressure_bar": round(rng.uniform(1.5, 9.5), 2),
            "temperature_c": round(rng.uniform(18, 85), 1),
            "vibration_mm_s": round(rng.uniform(0.4, 11.0), 2),
        },
        "result": "pass" if closed and rng.random() < 0.8 else ("fail" if closed else "pending"),
    }


def _seed_sessions(conn: Any, count: int, now: datetime) -> None:
    rng = random.Random(20240611)  # noqa: S311 - deterministic demo content
    ids = {u.username: u.id for u in DEMO_USERS} | {"field-team": FIELD_TEAM_ID}
    weights = [a.weight for a in DEMO_APPS]
    # Pools of ready-made JSON keep bulk seeding fast: 100k sessions share a few dozen data documents.
    data_rng = random.Random(7)  # noqa: S311
    data_pool = {c: [json.dumps(_session_data(data_rng, c)) for _ in range(32)] for c in (False, True)}
    participants_json: dict[tuple[str, ...], str] = {}
    site_json = {site: json.dumps(site) for site in SITES}
    start = now.replace(tzinfo=None) - timedelta(days=90)
    step = timedelta(days=90) / max(count, 1)
    session_rows: list[tuple[Any, ...]] = []
    part_rows: list[tuple[int, str, str]] = []
    prop_rows: list[tuple[int, str, str]] = []
    data_rows: list[tuple[int, str]] = []
    event_rows: list[tuple[Any, ...]] = []
    media_specs: list[tuple[int, dict[str, Any], int]] = []
    for i in range(count):
        seq = i + 1
        app = rng.choices(DEMO_APPS, weights)[0]
        created = start + step * i
        created_at = created.isoformat(timespec="milliseconds") + "Z"
        modified_at = min(now.replace(tzinfo=None), created + timedelta(minutes=rng.randint(0, 600)))
        modified = modified_at.isoformat(timespec="milliseconds") + "Z"
        creator = ids["dispatch"] if rng.random() < 0.7 else ids[rng.choice(["tech", "sam"])]
        closed = i < count * 0.7 and rng.random() < 0.35
        version = app.published if app.published > 0 else app.draft
        if app.draft > 0 and app.published > 0 and rng.random() < 0.1:
            version = app.draft
        kind = rng.choice(ASSETS)
        asset = f"{kind}-{rng.randint(1, 240):04d}"
        site = rng.choice(SITES)
        priority = rng.choice(PRIORITIES)
        order = f"WO-{100000 + i}"
        name = f"{rng.choice(VERBS[app.name])} {ASSET_NAMES[kind]} {asset} at {site}"
        description = f"Work order {order}: {name.lower()}."
        props_json = (
            f'{{"site": {site_json[site]}, "orderId": "{order}", '
            f'"assetId": "{asset}", "priority": "{priority}"}}'
        )
        participants = _participants(rng, creator, ids)
        key = tuple(f"{p['type']}:{p['id']}" for p in participants)
        if key not in participants_json:
            participants_json[key] = json.dumps(participants)
        session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        status = "closed" if closed else "open"
        session_rows.append(
            (seq, session_id, app.id, version, name, name.casefold(), description, status,
             int(version > app.published), props_json, participants_json[key], creator, created_at,
             creator, modified)
        )  # fmt: skip
        part_rows.extend((seq, p["id"], p["type"]) for p in participants)
        prop_rows.extend(
            (
                (seq, "site", site),
                (seq, "orderId", order),
                (seq, "assetId", asset),
                (seq, "priority", priority),
            )
        )
        data_rows.append((seq, data_pool[closed][i % 32]))
        if i < TIMELINE_SEED_LIMIT or (i % 3 == 0 and len(media_specs) < MEDIA_SEED_LIMIT):
            session = session_json_of(session_rows[-1])
            if i < TIMELINE_SEED_LIMIT:
                event_rows.extend(_seed_events(seq, session, creator))
            if i % 3 == 0 and len(media_specs) < MEDIA_SEED_LIMIT:
                media_specs.append((seq, session, rng.randint(1, 2)))
    bulk = count > BULK_INDEX_THRESHOLD
    if bulk:  # building indexes once after the load is much faster than updating them per row
        for name in BULK_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.executemany(f"INSERT INTO sessions VALUES ({', '.join('?' * 15)})", session_rows)  # noqa: S608
    conn.executemany("INSERT INTO session_participants VALUES (?, ?, ?)", part_rows)
    conn.executemany("INSERT INTO session_properties VALUES (?, ?, ?)", prop_rows)
    conn.executemany("INSERT INTO session_data VALUES (?, ?)", data_rows)
    conn.executemany(
        "INSERT INTO events (session_seq, event_id, event_type, device_id, created_at, payload) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    if bulk:
        for statement in index_statements(BULK_INDEXES):
            conn.execute(statement)
    _seed_media(conn, rng, media_specs)


def session_json_of(row: tuple[Any, ...]) -> dict[str, Any]:
    """The API JSON of a seeded sessions row (same columns as the table)."""
    return {
        "sessionId": row[1], "applicationId": row[2], "version": row[3], "name": row[4],
        "description": row[6],
        "participants": json.loads(row[10]), "status": row[7], "properties": json.loads(row[9]),
        "createdBy": row[11], "createdAt": row[12], "modifiedBy": row[13], "modifiedAt": row[14],
        "isDraft": bool(row[8]),
    }  # fmt: skip


def _seed_events(seq: int, session: dict[str, Any], actor: str) -> list[tuple[Any, ...]]:
    def event(kind: str, at: str, snapshot: dict[str, Any]) -> tuple[Any, ...]:
        event_id = str(uuid.uuid5(_NS, f"event/{session['sessionId']}/{kind}"))
        payload = {
            "eventId": event_id,
            "eventType": kind,
            "applicationId": session["applicationId"],
            "sessionId": session["sessionId"],
            "source": "skylight",
            "userId": actor,
            "createdAt": at,
            "timestamp": at,
            "version": session["version"],
            "deviceId": "seed",
            "session": snapshot,
        }
        return (seq, event_id, kind, "seed", at, json.dumps(payload))

    opened = dict(session, status="open", modifiedAt=session["createdAt"])
    rows = [event("session_created", session["createdAt"], opened)]
    if session["status"] == "closed":
        rows.append(event("session_closed", session["modifiedAt"], session))
    return rows


ANNOTATION_COLOUR = (255, 0, 255)
"""The stroke colour of seeded annotations (magenta, #ff00ff)."""


def annotations_for(media_id: str) -> list[dict[str, str]]:
    """The seeded annotation of the first photo of a session: a circle drawn around the middle.

    As in the reference, an annotation is ``{annotationId, path}`` with the SVG document as ``path``;
    its viewBox is the image's pixel size, so it scales with the image.
    """
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" viewBox="0 0 64 48">'
        '<circle cx="32" cy="24" r="14" fill="none" stroke="#ff00ff" stroke-width="4"/></svg>'
    )
    return [{"annotationId": str(uuid.uuid5(_NS, f"annotation/{media_id}")), "path": svg}]


def _seed_media(conn: Any, rng: random.Random, specs: list[tuple[int, dict[str, Any], int]]) -> None:
    for seq, session, count in specs:
        for n in range(count):
            media_id = str(uuid.uuid5(_NS, f"media/{session['sessionId']}/{n}"))
            content = png_bytes(64, 48, seed=seq * 10 + n)
            labels = sorted({"photo", rng.choice(LABELS), rng.choice(LABELS)})
            props = {"assetId": session["properties"]["assetId"], "step": f"step-{n + 1}"}
            at = session["modifiedAt"]
            row = {
                "id": media_id, "session_seq": seq, "application_id": session["applicationId"],
                "session_id": session["sessionId"], "filename": f"{props['assetId']}-{n + 1}.png",
                "filename_key": f"{props['assetId']}-{n + 1}.png".casefold(),
                "title": f"{props['assetId']} photo {n + 1}",
                "description": f"Taken at {session['properties']['site']}",
                "content_type": "image/png", "labels": json.dumps(labels), "properties": json.dumps(props),
                "total_bytes": len(content), "uploaded_bytes": len(content),
                "etag": hashlib.sha256(content).hexdigest()[:32], "archived": int(n == 1 and seq % 2 == 0),
                "created_by": session["createdBy"], "created_at": at,
                "modified_by": session["createdBy"], "modified_at": at,
                "annotations": json.dumps(annotations_for(media_id) if n == 0 else []),
            }  # fmt: skip
            cur = conn.execute(insert_sql("media", row), row)
            media_seq = cur.lastrowid
            conn.executemany("INSERT INTO media_labels VALUES (?, ?)", [(media_seq, lb) for lb in labels])
            conn.executemany(
                "INSERT INTO media_properties VALUES (?, ?, ?)", [(media_seq, k, v) for k, v in props.items()]
            )
            store_blocks(conn, media_seq, 0, content)
