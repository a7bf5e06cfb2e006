"""Per-user directories for skydesk (config, data, state, logs), resolved at call time."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "skydesk"


def _env_dir(var: str, fallback: Path) -> Path:
    # An empty or relative XDG variable must be ignored (XDG Base Directory spec).
    value = os.environ.get(var, "")
    path = Path(value) if value else None
    return path if path is not None and path.is_absolute() else fallback


def _base(kind: str) -> Path:
    home = Path.home()
    if sys.platform == "darwin":
        if kind == "log":
            return home / "Library" / "Logs"
        if kind == "config":
            return home / "Library" / "Preferences"
        return home / "Library" / "Application Support"
    if sys.platform == "win32":
        roaming = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
        local = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return roaming if kind == "config" else local
    # Linux and other XDG systems.
    if kind == "config":
        return _env_dir("XDG_CONFIG_HOME", home / ".config")
    if kind == "data":
        return _env_dir("XDG_DATA_HOME", home / ".local" / "share")
    return _env_dir("XDG_STATE_HOME", home / ".local" / "state")


def config_dir() -> Path:
    """Directory for settings.json (XDG_CONFIG_HOME/skydesk on Linux)."""
    return _base("config") / APP_DIR_NAME


def data_dir() -> Path:
    """Directory for user data such as the sandbox state (XDG_DATA_HOME/skydesk on Linux)."""
    return _base("data") / APP_DIR_NAME


def state_dir() -> Path:
    """Directory for volatile state (XDG_STATE_HOME/skydesk on Linux)."""
    return _base("state") / APP_DIR_NAME


def log_dir() -> Path:
    """Directory for log files (XDG_STATE_HOME/skydesk/logs on Linux)."""
    if sys.platform in ("darwin",):
        return _base("log") / APP_DIR_NAME
    if sys.platform == "win32":
        return _base("state") / APP_DIR_NAME / "logs"
    return state_dir() / "logs"
