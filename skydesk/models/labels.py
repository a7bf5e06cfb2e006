"""The one "label for a user id" service, asked by every view that names a person."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, Signal

from skydesk.models.auth import AuthController


class UserLabels(QObject):
    """Turns a user id into the words shown for it: "tech (you)", a known name, else the id itself.

    Names come from whoever knows them (the people directory calls ``set_names``); ``changed`` tells
    the views to repaint.
    """

    changed = Signal()

    def __init__(self, auth: AuthController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._names: dict[str, str] = {}
        # For an id without a name: the people directory queues a lookup and answers the user's own
        # label or a short id at once (painting never waits).
        self.fallback: Callable[[str], str] = lambda user_id: user_id
        auth.signed_in.connect(self._on_auth_changed)
        auth.signed_out.connect(self._on_auth_signed_out)

    def label(self, user_id: str) -> str:
        """The label for ``user_id``; the signed-in user is "<name> (you)"."""
        name = self._names.get(user_id)
        shown = name or (self.fallback(user_id) if user_id else user_id)
        if self.is_me(user_id):
            return f"{name or self._auth.username} (you)"
        return shown

    def refresh(self) -> None:
        """Repaint every label (the fallback's answers changed, e.g. a local label was set)."""
        self.changed.emit()

    def is_me(self, user_id: str) -> bool:
        """Whether ``user_id`` is the signed-in user."""
        client = self._auth.client
        return client is not None and bool(user_id) and user_id == client.user_id

    def set_names(self, names: Mapping[str, str]) -> None:
        """Add or replace known display names (user id -> name)."""
        fresh = {k: v for k, v in names.items() if v and self._names.get(k) != v}
        if fresh:
            self._names.update(fresh)
            self.changed.emit()

    def _on_auth_changed(self, *_args: object) -> None:
        self.changed.emit()

    def _on_auth_signed_out(self) -> None:
        self._names.clear()
        self.changed.emit()
