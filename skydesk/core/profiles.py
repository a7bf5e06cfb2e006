"""Connection profiles: Upskill's regions, add/edit/duplicate/delete rules, and JSON import/export.

Nothing here touches the keyring: the operations return the remembered sign-ins (``TokenChange``) that the
caller must move or forget there, so the rules stay testable without one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from skydesk.core.settings import ConnectionProfile, Settings

#: Upskill's hosted regions (README "Connecting to a real Skylight realm"): API URL and MQTT host.
REGIONS: dict[str, tuple[str, str]] = {
    "Default": ("https://api.skylight.upskill.io", "mqtt.skylight.upskill.io"),
    "EU": ("https://api.skylight.eu.upskill.io", "mqtt.skylight.eu.upskill.io"),
}
CUSTOM_REGION = "Custom"
EXPORT_FORMAT = "skydesk-profiles"
EXPORT_VERSION = 1
# Exported: where to connect, never who signs in (a shared file should not carry a colleague's username).
_EXPORTED_FIELDS = ("name", "api_url", "mqtt_host", "mqtt_port", "realm", "ca_file", "color")


def region_of(api_url: str) -> str:
    """The region whose API URL this is ("Default", "EU"), or "Custom"."""
    url = api_url.strip().rstrip("/")
    return next((name for name, (api, _mqtt) in REGIONS.items() if api == url), CUSTOM_REGION)


def mqtt_host_for(api_url: str) -> str:
    """The MQTT host Skylight pairs with an API URL: its host name with ``api.`` turned into ``mqtt.``."""
    host = api_url.strip().split("://", 1)[-1].split("/", 1)[0]
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):  # an IPv6 literal keeps its colons
        return host.split("]", 1)[0] + "]"
    host = host.split(":", 1)[0]
    return "mqtt." + host[4:] if host.startswith("api.") else host


@dataclass(frozen=True)
class TokenChange:
    """A remembered sign-in to move to another profile name in the keyring, or to forget (``to`` None)."""

    profile: str
    username: str
    to: str | None = None


def unique_name(base: str, taken: set[str]) -> str:
    """``base`` if free, else ``base (2)``, ``base (3)``…"""
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"


def _names(settings: Settings) -> set[str]:
    return {p.name for p in settings.profiles}


def _check_name(name: str) -> None:
    if not name.strip():
        raise ValueError("A profile needs a name.")


def add_profile(settings: Settings, profile: ConnectionProfile) -> None:
    """Add a new profile at the end; raises ValueError when the name is empty or taken."""
    _check_name(profile.name)
    if profile.name in _names(settings):
        raise ValueError(f"A profile called “{profile.name}” exists already.")
    settings.profiles.append(profile)


def update_profile(settings: Settings, old_name: str, profile: ConnectionProfile) -> list[TokenChange]:
    """Replace ``old_name`` with ``profile`` (in place, so the order stays), renaming if the name differs.

    A remembered sign-in follows a rename. It is forgotten when the profile now points at another server or
    realm (a refresh token must never be sent to a host it was not issued by) or names another user.
    """
    _check_name(profile.name)
    old = settings.profile(old_name)
    if old is None:
        raise ValueError(f"There is no profile called “{old_name}”.")
    if profile.name != old_name and profile.name in _names(settings):
        raise ValueError(f"A profile called “{profile.name}” exists already.")
    settings.profiles = [profile if p.name == old_name else p for p in settings.profiles]
    for attr in ("last_profile", "default_profile"):
        if getattr(settings, attr) == old_name:
            setattr(settings, attr, profile.name)
    if old_name in settings.people_labels:  # the user's own names for people follow a rename
        settings.people_labels[profile.name] = settings.people_labels.pop(old_name)
    remembered = settings.remembered.pop(old_name, "")
    if not remembered:
        return []
    keep = old.same_server(profile) and (not profile.username or profile.username == remembered)
    if not keep:
        return [TokenChange(old_name, remembered)]
    settings.remembered[profile.name] = remembered
    return [TokenChange(old_name, remembered, profile.name)] if profile.name != old_name else []


def duplicate_profile(settings: Settings, name: str) -> ConnectionProfile:
    """Add a copy of ``name`` right after it, called "name (2)" etc.; the remembered sign-in is not copied."""
    original = settings.profile(name)
    if original is None:
        raise ValueError(f"There is no profile called “{name}”.")
    copy = replace(original, name=unique_name(name, _names(settings)))
    index = settings.profiles.index(original)
    settings.profiles.insert(index + 1, copy)
    return copy


def delete_profile(settings: Settings, name: str) -> list[TokenChange]:
    """Remove ``name``; its remembered sign-in is to be forgotten too."""
    settings.profiles = [p for p in settings.profiles if p.name != name]
    for attr in ("last_profile", "default_profile"):
        if getattr(settings, attr) == name:
            setattr(settings, attr, None)
    settings.people_labels.pop(name, None)
    remembered = settings.remembered.pop(name, "")
    return [TokenChange(name, remembered)] if remembered else []


def set_default_profile(settings: Settings, name: str | None) -> None:
    """Mark ``name`` as the profile a start selects (None: the last one used)."""
    if name is not None and settings.profile(name) is None:
        raise ValueError(f"There is no profile called “{name}”.")
    settings.default_profile = name


def export_profiles(profiles: list[ConnectionProfile]) -> str:
    """The profiles as a JSON document to share or back up: hosts, realm, CA path and colour, no secrets."""
    items = [{k: v for k, v in asdict(p).items() if k in _EXPORTED_FIELDS} for p in profiles]
    document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "profiles": items}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_profiles(text: str) -> list[ConnectionProfile]:
    """Read an exported profiles document; raises ValueError saying what is wrong with it."""
    try:
        document: Any = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"The file is not JSON ({exc}).") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ValueError("The file is not a skydesk profiles export.")
    items = document.get("profiles")
    if not isinstance(items, list):
        raise ValueError("The file has no list of profiles.")
    profiles = []
    for i, item in enumerate(items, start=1):
        try:
            if isinstance(item, dict):  # unknown keys (a password someone added by hand) are dropped
                item = {k: v for k, v in item.items() if k in _EXPORTED_FIELDS}
            profiles.append(ConnectionProfile.from_json(item))
        except ValueError as exc:
            raise ValueError(f"Profile {i} in the file: {exc}") from None
    return profiles


def import_profiles(settings: Settings, imported: list[ConnectionProfile]) -> list[str]:
    """Add imported profiles; one identical to a saved one is skipped, a clashing name gets a number.

    Returns the names added.
    """
    added = []
    for profile in imported:
        existing = settings.profile(profile.name)
        if existing is not None and existing.same_server(profile):
            continue
        named = replace(profile, name=unique_name(profile.name, _names(settings)), username="")
        settings.profiles.append(named)
        added.append(named.name)
    return added
