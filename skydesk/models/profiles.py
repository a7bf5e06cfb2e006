"""The profiles controller: edits the saved connection profiles and keeps their keyring entries in step."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from skydesk.core import profiles as rules
from skydesk.core.credentials import CredentialStore
from skydesk.core.profiles import TokenChange
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.core.tasks import TaskRegistry
from skydesk.models.settings_saver import SettingsSaver

KEYRING_TASK = "profiles.keyring"


class ProfilesController(QObject):
    """Add, edit, duplicate, delete, mark default, import and export profiles; saves after each change."""

    changed = Signal()  # the list of profiles (or the default) changed
    failed = Signal(str)  # words for the user: a name taken, a file that is not an export, ...
    keyring_settled = Signal()  # every keyring move/forget asked for so far has finished

    def __init__(
        self,
        settings: Settings,
        credentials: CredentialStore,
        tasks: TaskRegistry,
        parent: QObject | None = None,
        saver: SettingsSaver | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.saver = saver if saver is not None else SettingsSaver(settings)  # writes off the GUI thread
        self._credentials = credentials
        self._tasks = tasks
        self._pending: list[TokenChange] = []

    @property
    def profiles(self) -> list[ConnectionProfile]:
        """The saved profiles, in their order."""
        return list(self.settings.profiles)

    @property
    def default_name(self) -> str | None:
        """The profile marked as default, if any."""
        return self.settings.default_profile

    # ------------------------------------------------------------------ edits (each one saves)

    def add(self, profile: ConnectionProfile) -> bool:
        """Add a new profile; False (and ``failed``) when its name is empty or taken."""
        return self._apply(lambda: rules.add_profile(self.settings, profile))

    def update(self, old_name: str, profile: ConnectionProfile) -> bool:
        """Save an edited (maybe renamed) profile; its remembered sign-in moves or is forgotten."""
        return self._apply(lambda: rules.update_profile(self.settings, old_name, profile))

    def duplicate(self, name: str) -> ConnectionProfile | None:
        """Copy a profile under a free name; returns the copy."""
        copies: list[ConnectionProfile] = []
        ok = self._apply(lambda: copies.append(rules.duplicate_profile(self.settings, name)))
        return copies[0] if ok else None

    def delete(self, name: str) -> bool:
        """Delete a profile and its remembered sign-in in the keyring."""
        return self._apply(lambda: rules.delete_profile(self.settings, name))

    def set_default(self, name: str | None) -> bool:
        """Mark the profile a start selects (None: the last one used)."""
        return self._apply(lambda: rules.set_default_profile(self.settings, name))

    def export_to(self, path: Path, names: list[str] | None = None) -> bool:
        """Write the profiles (all, or ``names``) as JSON without secrets."""
        chosen = [p for p in self.settings.profiles if names is None or p.name in names]
        try:
            path.write_text(rules.export_profiles(chosen), encoding="utf-8")
        except OSError as exc:
            self.failed.emit(f"Could not write {path.name}: {exc.strerror or exc}")
            return False
        return True

    def import_from(self, path: Path) -> list[str]:
        """Add the profiles of an exported file; returns the names added (renamed on a clash)."""
        try:
            imported = rules.parse_profiles(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self.failed.emit(f"Could not read {path.name}: {exc.strerror or exc}")
            return []
        except ValueError as exc:
            self.failed.emit(f"Could not import {path.name}: {exc}")
            return []
        added: list[str] = []
        self._apply(lambda: added.extend(rules.import_profiles(self.settings, imported)))
        return added

    # ------------------------------------------------------------------ internals

    def _apply(self, change: Callable[[], list[TokenChange] | None]) -> bool:
        try:
            tokens = change() or []
        except ValueError as exc:
            self.failed.emit(str(exc))
            return False
        self._pending.extend(tokens)
        # One worker drains the queue in order (a rename then a delete must reach the keyring in that order).
        if tokens and not self._tasks.is_running(KEYRING_TASK):
            self._tasks.run(KEYRING_TASK, self._settle_keyring())
        self.saver.save()
        self.changed.emit()
        return True

    @property
    def keyring_busy(self) -> bool:
        """True while keyring changes are still waiting or running."""
        return bool(self._pending)

    async def _settle_keyring(self) -> None:
        # Keyring calls go to a worker thread: a D-Bus round trip or an unlock prompt can take seconds.
        loop = asyncio.get_running_loop()
        while self._pending:
            change = self._pending[0]
            await loop.run_in_executor(None, self._apply_token_change, change)
            self._pending.remove(change)
        self.keyring_settled.emit()

    def _apply_token_change(self, change: TokenChange) -> None:
        store = self._credentials
        if change.to is not None:
            token = store.load_refresh_token(change.profile, change.username)
            if token:
                store.save_refresh_token(change.to, change.username, token)
        store.forget(change.profile, change.username)
