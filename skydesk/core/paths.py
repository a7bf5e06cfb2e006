"""Per-user directories for skydesk (config, data, state, cache, logs) from platformdirs, at call time.

On Linux these are the XDG locations skydesk always used (``~/.config/skydesk``, ``~/.local/share/skydesk``,
``~/.local/state/skydesk`` and its ``logs``), so existing settings and sandbox state are found. On macOS the
settings used to live in ``~/Library/Preferences/skydesk``, where the system keeps plists; they move once
to ``~/Library/Application Support/skydesk`` (see ``migrate_macos_preferences``).
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import platformdirs
from platformdirs.api import PlatformDirsABC
from platformdirs.macos import MacOS

log = logging.getLogger(__name__)

APP_NAME = "skydesk"
APP_DIR_NAME = APP_NAME  # kept for callers that name the folder
_migrated: set[Path] = set()


def _dirs(ensure_exists: bool = False, roaming: bool = False) -> PlatformDirsABC:
    # Picked per call (platformdirs picks once at import) so that a test can check the macOS layout.
    cls = MacOS if sys.platform == "darwin" else platformdirs.PlatformDirs
    return cls(APP_NAME, appauthor=False, roaming=roaming, ensure_exists=ensure_exists)


def config_dir(ensure_exists: bool = False) -> Path:
    """Directory for settings.json (XDG_CONFIG_HOME/skydesk on Linux, Application Support on macOS)."""
    # Only the settings roam on Windows (%APPDATA%); everything else stays in %LOCALAPPDATA%, as before.
    path = Path(_dirs(ensure_exists, roaming=True).user_config_dir)
    if sys.platform == "darwin":
        migrate_macos_preferences(path)
    return path


def data_dir(ensure_exists: bool = False) -> Path:
    """Directory for user data such as the sandbox state (XDG_DATA_HOME/skydesk on Linux)."""
    return Path(_dirs(ensure_exists).user_data_dir)


def state_dir(ensure_exists: bool = False) -> Path:
    """Directory for volatile state (XDG_STATE_HOME/skydesk on Linux)."""
    return Path(_dirs(ensure_exists).user_state_dir)


def cache_dir(ensure_exists: bool = False) -> Path:
    """Directory for caches that may be deleted at any time: thumbnails, profile pictures (XDG_CACHE_HOME)."""
    return Path(_dirs(ensure_exists).user_cache_dir)


def log_dir(ensure_exists: bool = False) -> Path:
    """Directory for log files (XDG_STATE_HOME/skydesk/logs on Linux, ~/Library/Logs/skydesk on macOS)."""
    if sys.platform == "linux" or sys.platform.startswith("freebsd"):
        # platformdirs says .../log; skydesk has always written .../logs, and users know where to look.
        path = state_dir() / "logs"
        if ensure_exists:
            path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(_dirs(ensure_exists).user_log_dir)


def legacy_macos_config_dir() -> Path:
    """Where skydesk kept its settings on macOS before it used platformdirs."""
    return Path.home() / "Library" / "Preferences" / APP_NAME


def migrate_macos_preferences(target: Path) -> bool:
    """Move the old ``~/Library/Preferences/skydesk`` files into ``target``, once; True if anything moved.

    Files already at the new place win (nothing is overwritten); the old folder is removed when empty.
    """
    if target in _migrated:
        return False
    _migrated.add(target)
    old = legacy_macos_config_dir()
    if not old.is_dir():
        return False
    moved = False
    try:
        target.mkdir(parents=True, exist_ok=True)
        for item in old.iterdir():
            destination = target / item.name
            if destination.exists():
                continue
            shutil.move(str(item), str(destination))
            moved = True
        if not any(old.iterdir()):
            old.rmdir()
    except OSError as exc:
        log.warning("Could not move the settings from %s to %s: %s", old, target, exc)
    if moved:
        log.info("Moved the settings from %s to %s", old, target)
    return moved
