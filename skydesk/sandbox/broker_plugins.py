"""amqtt plugins that make the embedded broker authenticate and authorise like Skylight's.

CONNECT: client id ``{realm}-{sub}-{8 digits}``, username ``{realm}/{sub}``, password an unexpired
access token whose ``sub`` (and realm) match. SUBSCRIBE: only below the client's own
``v1/realms/{realm}/users/{sub}/session/``. PUBLISH: never (events come from the server only).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

VerifyAccess = Callable[[str], dict[str, Any]]

# ASCII digits only: \d would also take "١١١١١١١١" (Arabic-Indic digits) as the 8 digits.
_CLIENT_SUFFIX = re.compile(r"-([0-9]{8})\Z", re.ASCII)


def parse_client_id(client_id: str, realm: str) -> str | None:
    """Return the user id inside ``{realm}-{sub}-{8 digits}``, or None if the id has another shape."""
    prefix = f"{realm}-"
    match = _CLIENT_SUFFIX.search(client_id)
    if not client_id.startswith(prefix) or match is None:
        return None
    sub = client_id[len(prefix) : match.start()]
    return sub or None


def session_topic_root(realm: str, sub: str) -> str:
    """The topic prefix (with trailing slash) below which a user's session events are published."""
    return f"v1/realms/{realm}/users/{sub}/session/"


def is_own_session_topic(topic: str, realm: str, sub: str) -> bool:
    """True if ``topic`` (a name or a filter) lies entirely within the user's own session topics.

    Wildcards are fine after the root (``.../session/#``, ``.../session/+/+/session_closed``) but
    the root itself must be literal, so ``v1/realms/demo/users/+/session/#`` is refused.
    """
    root = session_topic_root(realm, sub)
    return topic.startswith(root) and len(topic) > len(root)


class SkylightAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]  # amqtt ships no type hints
    """Accepts a CONNECT only when client id, username and access token all name the same user."""

    @dataclass
    class Config:
        """Set by EmbeddedBroker; the callable is passed through amqtt's plugin config untouched."""

        realm: str = "demo"
        verify_access: Any = None

    async def authenticate(self, *, session: Session) -> bool:
        """Return True to accept the CONNECT; False makes amqtt answer CONNACK 5 (not authorized)."""
        return check_credentials(
            client_id=session.client_id or "",
            username=session.username,
            password=session.password,
            realm=self.config.realm,
            verify_access=self.config.verify_access,
        )


def check_credentials(
    *, client_id: str, username: str | None, password: str | None, realm: str, verify_access: VerifyAccess
) -> bool:
    """The CONNECT rule of CONTRACT §3, as a plain function so it is easy to reason about."""
    sub = parse_client_id(client_id, realm)
    if sub is None or username != f"{realm}/{sub}" or not password:
        return False
    try:
        claims = verify_access(password)
    except Exception:  # any failure to verify is simply "not authorized"
        return False
    if claims.get("sub") != sub:
        return False
    token_realm = claims.get("realm")
    return token_realm is None or token_realm == realm


class SkylightTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]  # amqtt ships no type hints
    """Lets a client subscribe to (and receive) only its own session topics, and publish nothing."""

    @dataclass
    class Config:
        """Set by EmbeddedBroker."""

        realm: str = "demo"

    async def topic_filtering(
        self, *, session: Session | None = None, topic: str | None = None, action: Action | None = None
    ) -> bool:
        """Return False to refuse: SUBACK 0x80 for a subscribe, silent drop for a publish."""
        if action == Action.PUBLISH or session is None or not topic:
            return False
        sub = parse_client_id(session.client_id or "", self.config.realm)
        if sub is None:
            return False
        return is_own_session_topic(topic, self.config.realm, sub)
