"""User directories from platformdirs: Linux keeps its old places, macOS settings move once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skydesk.core import paths
from skydesk.core.settings import Settings

XDG_VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home directory with no XDG variables set (the platform defaults apply)."""
    for var in XDG_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    paths._migrated.clear()
    return tmp_path


def test_linux_defaults_are_the_locations_skydesk_always_used(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    assert paths.config_dir() == home / ".config" / "skydesk"
    assert paths.data_dir() == home / ".local" / "share" / "skydesk"
    assert paths.state_dir() == home / ".local" / "state" / "skydesk"
    assert paths.log_dir() == home / ".local" / "state" / "skydesk" / "logs"
    assert paths.cache_dir() == home / ".cache" / "skydesk"
    from skydesk.sandbox.paths import default_state_dir

    assert default_state_dir() == home / ".local" / "share" / "skydesk" / "sandbox"


def test_xdg_variables_are_read_at_call_time_and_relative_ones_ignored(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "c"))
    assert paths.cache_dir() == home / "c" / "skydesk"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert paths.cache_dir() == home / ".cache" / "skydesk"


def test_ensure_exists_creates_the_directory(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    assert not (home / ".cache" / "skydesk").exists()
    assert paths.cache_dir(ensure_exists=True).is_dir()
    assert paths.log_dir(ensure_exists=True).is_dir()
    assert not (home / ".config" / "skydesk").exists()  # only what was asked for


def test_macos_uses_application_support_logs_and_caches(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "darwin")
    support = home / "Library" / "Application Support" / "skydesk"
    assert paths.config_dir() == support
    assert paths.data_dir() == support
    assert paths.log_dir() == home / "Library" / "Logs" / "skydesk"
    assert paths.cache_dir() == home / "Library" / "Caches" / "skydesk"
    assert not (home / "Library" / "Preferences" / "skydesk").exists()


def test_macos_settings_move_once_from_preferences(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "darwin")
    old = home / "Library" / "Preferences" / "skydesk"
    old.mkdir(parents=True)
    saved = {"profiles": [], "last_profile": "eu", "device_id": "d-1"}
    (old / "settings.json").write_text(json.dumps(saved), encoding="utf-8")
    (old / "demo-settings.json").write_text("{}", encoding="utf-8")

    settings = Settings.load()  # the default path: config_dir() moves the old files first

    support = home / "Library" / "Application Support" / "skydesk"
    assert settings.path == support / "settings.json"
    assert settings.last_profile == "eu" and settings.device_id == "d-1"
    assert (support / "demo-settings.json").exists()
    assert not old.exists()  # emptied and removed, so it never moves twice

    # A later start with a stray old file (another version wrote it) keeps the newer settings.
    old.mkdir()
    (old / "settings.json").write_text(json.dumps({"last_profile": "stale"}), encoding="utf-8")
    paths._migrated.clear()
    assert Settings.load().last_profile == "eu"
    assert (old / "settings.json").exists()  # not overwritten, not lost


def test_migration_failure_is_logged_and_the_app_goes_on(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("sys.platform", "darwin")
    old = home / "Library" / "Preferences" / "skydesk"
    old.mkdir(parents=True)
    (old / "settings.json").write_text("{}", encoding="utf-8")
    blocker = home / "Library" / "Application Support"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder", encoding="utf-8")  # the new place cannot be created
    assert paths.config_dir() == blocker / "skydesk"
    assert "Could not move the settings" in caplog.text
    assert (old / "settings.json").exists()
