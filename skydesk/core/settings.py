"""Typed user settings stored as JSON (never secrets): profiles, last choices, window layout."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from skydesk.core.files import replacing
from skydesk.core.settings_merge import locked, merge

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
SCHEMA_VERSION = 1
_NOT_SAVED = ("path", "load_problem", "_base")
EVENT_LOG_LIMIT = 10_000


@dataclass
class ConnectionProfile:
    """Where to connect: the REST API, the MQTT broker, the realm and an optional CA file."""

    name: str
    api_url: str
    mqtt_host: str
    mqtt_port: int = 8883
    realm: str = ""
    ca_file: str | None = None
    username: str = ""
    color: str = ""  # an optional "#rrggbb" tag shown in the toolbar, so production is never mistaken
    # Plain http:// to a host other than this machine is refused unless this is set on purpose (by hand).
    allow_plain_http: bool = False

    def same_server(self, other: ConnectionProfile) -> bool:
        """Whether both reach the same realm on the same hosts, trusting the same CA (a token may follow)."""
        keys = ("api_url", "mqtt_host", "mqtt_port", "realm", "ca_file")
        return all(getattr(self, k) == getattr(other, k) for k in keys)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConnectionProfile:
        """Build a profile from its JSON form; raises ValueError naming the bad field."""
        if not isinstance(data, dict):
            raise ValueError("a profile must be a JSON object")
        for key in ("name", "api_url", "mqtt_host"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise ValueError(f"profile field {key!r} must be a non-empty string")
        port = data.get("mqtt_port", 8883)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ValueError("profile field 'mqtt_port' must be a port number")
        ca_file = data.get("ca_file")
        return cls(
            name=data["name"],
            api_url=data["api_url"],
            mqtt_host=data["mqtt_host"],
            mqtt_port=port,
            realm=str(data.get("realm", "")),
            ca_file=str(ca_file) if ca_file else None,
            username=str(data.get("username", "")),
            color=_color(data.get("color")),
            allow_plain_http=data.get("allow_plain_http") is True,
        )


@dataclass
class Settings:
    """The user's settings; `load()` reads them, `save()` writes them atomically."""

    profiles: list[ConnectionProfile] = field(default_factory=list)
    last_profile: str | None = None
    default_profile: str | None = None  # the profile a start selects; None = the last one used
    last_application_id: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    # profile name -> the username whose sign-in was remembered there (its refresh token is in the keyring)
    remembered: dict[str, str] = field(default_factory=dict)
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    window_state: str = ""  # base64 of QMainWindow.saveState()
    splitters: dict[str, str] = field(default_factory=dict)  # splitter name -> base64 saveState()
    theme: str = "system"  # "light", "dark" or "system" (follow the desktop)
    hidden_columns: list[str] | None = None  # session table column titles the user hid; None = defaults
    # profile name -> {user or group id -> the user's own "name this person" label} (directory refused)
    people_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    device_id: str = field(default_factory=lambda: _new_device_id())
    event_log_limit: int = EVENT_LOG_LIMIT  # live events the Event log keeps (older ones drop)
    path: Path = field(default_factory=lambda: _default_path(), repr=False, compare=False)
    # Why the file could not be used at start (shown to the user once), or None.
    load_problem: str | None = field(default=None, repr=False, compare=False)
    # The JSON last read or written: what another instance's changes are told apart from ours by.
    _base: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path | str | None = None) -> Settings:
        """Read settings from `path` (default config_dir()/settings.json).

        A missing file gives defaults (and a new device id). A corrupt file gives defaults too, with a
        warning and `load_problem` set, and the original is kept next to it (`.bak`, or `.bak.2`, ... when
        an older backup is there) so nothing the user had is destroyed.
        """
        target = Path(path) if path is not None else _default_path()
        if not target.exists():
            return cls(path=target)._based_on_itself()
        try:
            raw = json.loads(target.read_text(encoding="utf-8"))
            settings = cls._from_json(raw, target)
        except (OSError, ValueError, TypeError) as exc:
            backup = _backup(target)
            log.warning(
                "Settings file %s is unreadable (%s); using defaults, original kept as %s",
                target,
                exc,
                backup,
            )
            kept = f"the original is kept as {backup}" if backup else "it could not be copied"
            problem = (
                f"Your settings could not be read ({exc}), so skydesk started with default settings; {kept}."
            )
            return cls(path=target, load_problem=problem)._based_on_itself()
        settings._base = _plain(raw)  # a copy: the settings' dicts must not be the base's
        return settings

    @classmethod
    def _from_json(cls, raw: Any, path: Path) -> Settings:
        if not isinstance(raw, dict):
            raise ValueError("the settings file must hold a JSON object")
        settings = cls(path=path)
        settings.profiles = [ConnectionProfile.from_json(p) for p in raw.get("profiles", [])]
        settings.last_profile = _opt_str(raw, "last_profile")
        settings.default_profile = _opt_str(raw, "default_profile")
        settings.theme = _opt_str(raw, "theme") or settings.theme
        settings.last_application_id = _opt_str(raw, "last_application_id")
        filters = raw.get("filters", {})
        settings.filters = filters if isinstance(filters, dict) else {}
        remembered = raw.get("remembered")
        if isinstance(remembered, dict):
            settings.remembered = {str(k): str(v) for k, v in remembered.items() if isinstance(v, str) and v}
        elif raw.get("remember_me") is True:
            # Files from before per-profile remembering held one flag for the last sign-in only.
            last = settings.profile(settings.last_profile)
            if last is not None and last.username:
                settings.remembered = {last.name: last.username}
        settings.window_geometry = str(raw.get("window_geometry", "") or "")
        settings.window_state = str(raw.get("window_state", "") or "")
        splitters = raw.get("splitters", {})
        if isinstance(splitters, dict):
            settings.splitters = {str(k): str(v) for k, v in splitters.items()}
        hidden = raw.get("hidden_columns")
        if isinstance(hidden, list):
            settings.hidden_columns = [str(c) for c in hidden]
        settings.people_labels = _people_labels(raw.get("people_labels"))
        limit = raw.get("event_log_limit")
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            settings.event_log_limit = limit
        device_id = raw.get("device_id")
        if isinstance(device_id, str) and device_id:
            settings.device_id = device_id
        return settings

    def to_json(self) -> dict[str, Any]:
        """The JSON form written to disk."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_SAVED}
        data["profiles"] = [asdict(p) for p in self.profiles]
        data["version"] = SCHEMA_VERSION
        return data

    def save(self) -> None:
        """Write atomically: a temp file in the same directory, fsync, then rename over the old file.

        Another skydesk on the same file may have saved since this one read it: under a file lock, its
        changes are merged in (ours win where both changed a value) and this object takes the result.
        The app writes through ``snapshot()`` / ``write_snapshot()`` / ``take_written()`` instead, so
        the disk is never touched on its GUI thread (models/settings_saver.py).
        """
        snap = self.snapshot()
        self.take_written(snap, write_snapshot(snap))

    def snapshot(self) -> SettingsSnapshot:
        """What ``write_snapshot`` writes: these settings as plain JSON now (call where they are changed)."""
        return SettingsSnapshot(self.path, _plain(self.to_json()), self._base)

    def take_written(self, snap: SettingsSnapshot, written: dict[str, Any]) -> None:
        """After ``write_snapshot(snap)`` returned ``written``: adopt what another instance had saved.

        Changes made here since the snapshot are kept over it (they are written by the next save).
        """
        if written != snap.data:  # another skydesk's changes were merged in
            current = _plain(self.to_json())
            merged = written if current == snap.data else merge(snap.data, current, written)
            self._adopt(_plain(merged))  # a copy: the settings' dicts must not be the base's
        self._base = written

    def _based_on_itself(self) -> Settings:
        """Fresh defaults: only what changes from here on is this instance's to merge."""
        self._base = _plain(self.to_json())
        return self

    def _adopt(self, merged: dict[str, Any]) -> None:
        """Take the merged settings into this object (checked to load by ``write_snapshot``)."""
        try:
            fresh = Settings._from_json(merged, self.path)
        except (ValueError, TypeError):
            return
        for f in fields(self):
            if f.name not in _NOT_SAVED:
                setattr(self, f.name, getattr(fresh, f.name))

    def profile(self, name: str | None) -> ConnectionProfile | None:
        """The profile called `name`, or None."""
        return next((p for p in self.profiles if p.name == name), None)

    def startup_profile(self) -> ConnectionProfile | None:
        """The profile a start selects: the default one if marked, else the last one used."""
        return self.profile(self.default_profile) or self.profile(self.last_profile)

    def remembered_username(self, profile_name: str) -> str:
        """The username whose sign-in is remembered for `profile_name`, or ''."""
        return self.remembered.get(profile_name, "")

    def upsert_profile(self, profile: ConnectionProfile) -> None:
        """Add `profile`, replacing one with the same name."""
        self.profiles = [p for p in self.profiles if p.name != profile.name] + [profile]


def _default_path() -> Path:
    # platformdirs is imported only here: a start given its settings file does not pay for it (B1).
    from skydesk.core.paths import config_dir

    return config_dir() / SETTINGS_FILE


def _new_device_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` makes it.

    Made here rather than with ``uuid``: that module imports ``platform`` and its helpers, ~3 ms of a cold
    start that needs one random id for new settings (B1).
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class SettingsSnapshot:
    """The settings as plain JSON at one moment, and the JSON they were based on (for the merge)."""

    path: Path
    data: dict[str, Any]
    base: dict[str, Any] | None


def write_snapshot(snap: SettingsSnapshot) -> dict[str, Any]:
    """Write ``snap`` to its file (any thread: it touches nothing but the file); returns what was written.

    Under the file lock, changes another skydesk saved since ``snap.base`` are merged in (ours win where
    both changed a value). Raises OSError when the file cannot be written (the old one is then intact).
    """
    path = snap.path
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        data = snap.data
        theirs = _read_object(path)
        if theirs is not None and theirs != snap.base:
            merged = merge(snap.base or {}, data, theirs)
            try:
                Settings._from_json(merged, path)
            except (ValueError, TypeError) as exc:
                log.warning("Settings saved by another skydesk could not be merged (%s); keeping these", exc)
            else:
                data = merged
        _write_atomic(path, json.dumps(data, indent=2, sort_keys=True))
    written: dict[str, Any] = _plain(data)  # a copy: the caller keeps it as its base
    return written


def _plain(value: Any) -> Any:
    """A deep copy in plain JSON types (paths become text)."""
    return json.loads(json.dumps(value, default=str))


def _read_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None when it is missing or unreadable (then ours replaces it)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None


def _write_atomic(path: Path, text: str) -> None:
    with replacing(path, prefix=".settings-") as fh:
        fh.write(text)


def _backup(target: Path) -> str | None:
    """Copy an unreadable settings file aside, never over an earlier backup; the copy's name, or None."""
    for n in range(1, 100):
        backup = target.with_name(target.name + (".bak" if n == 1 else f".bak.{n}"))
        if not backup.exists():
            try:
                shutil.copy2(target, backup)
            except OSError:
                return None
            return backup.name
    return None


def _people_labels(raw: Any) -> dict[str, dict[str, str]]:
    """Local person labels as stored; anything malformed is dropped, the rest kept."""
    if not isinstance(raw, dict):
        return {}
    return {
        str(profile): {str(k): v for k, v in labels.items() if isinstance(v, str) and v}
        for profile, labels in raw.items()
        if isinstance(labels, dict)
    }


def _color(value: Any) -> str:
    """A ``#rrggbb`` colour tag, or '' for anything else (a hand-edited file must not break the toolbar)."""
    if isinstance(value, str) and len(value) == 7 and value.startswith("#"):
        with contextlib.suppress(ValueError):
            int(value[1:], 16)
            return value.lower()
    return ""


def _opt_str(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None
