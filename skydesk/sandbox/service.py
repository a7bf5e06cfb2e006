"""The sandbox domain: the single code path behind the REST API and the activity simulator."""

from __future__ import annotations

from pathlib import Path

from .auth import InvalidToken, TokenIssuer, check_password
from .errors import NotFound, Unauthorized
from .info import DemoApplication, DemoUser
from .service_base import Actor
from .service_data import DataOps
from .service_directory import DirectoryOps
from .service_media import MediaOps
from .store import Store


class SandboxService(DataOps, MediaOps, DirectoryOps):
    """Users, applications, sessions, data, timelines and media of one realm, stored in SQLite."""

    def __init__(
        self, db_path: Path, issuer: TokenIssuer, *, realm: str = "demo", lenient: bool = False
    ) -> None:
        super().__init__(Store(db_path), issuer, realm)
        self.lenient = lenient

    def __repr__(self) -> str:
        return f"SandboxService(db={str(self.store.db_path)!r}, realm={self.realm!r})"

    # ------------------------------------------------------------------ lifecycle
    def seed(self, sessions: int) -> None:
        """Fill an empty database with the demo realm and ``sessions`` sessions; no-op if it has data."""
        from .seed import seed_database  # late import: seed data is large and only needed once

        if self.store.is_empty():
            seed_database(self.store, sessions)

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    # ------------------------------------------------------------------ demo identities
    def users(self) -> list[DemoUser]:
        """The seeded demo users, in the fixed order (users[0] is the demo technician)."""
        from .seed import DEMO_USERS, demo_user

        with self.store.read() as conn:
            present = {r["username"] for r in conn.execute("SELECT username FROM users")}
        return [demo_user(spec) for spec in DEMO_USERS if spec.username in present]

    def applications(self) -> list[DemoApplication]:
        """Every application of the realm, in creation order."""
        with self.store.read() as conn:
            rows = conn.execute("SELECT id, name FROM applications ORDER BY seq").fetchall()
        return [DemoApplication(r["id"], r["name"]) for r in rows]

    # ------------------------------------------------------------------ authentication
    def login(self, realm: str, username: str, password: str) -> dict[str, object]:
        """Check a password and issue tokens; 404 for an unknown realm, 401 for bad credentials."""
        if realm != self.realm:
            raise NotFound(f"Realm {realm!r} not found")
        with self.store.read() as conn:
            row = conn.execute(
                "SELECT id, username, password_hash FROM users WHERE username = ?", (username,)
            ).fetchone()
        # Hash even for unknown users so timing does not reveal which usernames exist.
        stored = row["password_hash"] if row else _DUMMY_HASH
        if not check_password(password, stored) or row is None:
            raise Unauthorized("Invalid username or password")
        return self.issuer.issue(user_id=row["id"], username=row["username"], realm=self.realm)

    def refresh(self, refresh_token: str) -> dict[str, object]:
        """Exchange an unexpired refresh token for new tokens; 401 otherwise."""
        try:
            claims = self.issuer.verify_refresh(refresh_token)
        except InvalidToken as exc:
            raise Unauthorized(str(exc)) from None
        if claims.get("realm") != self.realm:
            raise Unauthorized("The refresh token was issued for another realm")
        actor = self.actor_by_id(str(claims["sub"]))
        if actor is None:
            raise Unauthorized("The refresh token's user no longer exists")
        return self.issuer.issue(user_id=actor.user_id, username=actor.username, realm=self.realm)

    def authenticate(self, access_token: str) -> Actor:
        """The actor behind a bearer token; 401 when it is invalid, expired or not an access token."""
        try:
            claims = self.issuer.verify_access(access_token)
        except InvalidToken as exc:
            raise Unauthorized(str(exc)) from None
        return self.actor_for_claims(claims)


# A valid hash of a random password, checked when the username is unknown (see login()).
_DUMMY_HASH = "scrypt$8192$8$1$00000000000000000000000000000000$" + "0" * 64
