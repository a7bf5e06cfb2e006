"""Settings: typed JSON round trip, atomic writes, corrupt files, XDG paths, no secrets."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

import pytest

from skydesk.core import paths
from skydesk.core.settings import ConnectionProfile, Settings


def _profile(name: str = "demo") -> ConnectionProfile:
    return ConnectionProfile(
        name=name,
        api_url="https://127.0.0.1:8443",
        mqtt_host="127.0.0.1",
        mqtt_port=8883,
        realm="demo",
        ca_file="/tmp/ca.pem",
        username="tech",
    )


def test_paths_follow_xdg_variables_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.config_dir() == tmp_path / "cfg" / "skydesk"
    assert paths.data_dir() == tmp_path / "data" / "skydesk"
    assert paths.state_dir() == tmp_path / "state" / "skydesk"
    assert paths.log_dir() == tmp_path / "state" / "skydesk" / "logs"
    # A relative XDG value is invalid per the spec and must be ignored.
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    assert paths.config_dir() == Path.home() / ".config" / "skydesk"


def test_default_path_is_in_config_dir() -> None:
    settings = Settings.load()
    assert settings.path == paths.config_dir() / "settings.json"
    assert settings.profiles == [] and settings.last_profile is None
    assert len(settings.device_id) == 36


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "settings.json"
    s = Settings.load(path)
    s.upsert_profile(_profile())
    s.upsert_profile(_profile("eu"))
    s.last_profile = "eu"
    s.last_application_id = "app-1"
    s.filters = {"status": "open", "name": "pump"}
    s.window_geometry = "AdnQywADAAA="
    s.splitters = {"main": "AAAA/wAAAAE="}
    s.hidden_columns = ["Created", "assetId"]
    s.remembered = {"eu": "tech"}
    s.save()

    again = Settings.load(path)
    assert again.profiles == s.profiles
    assert again.profile("eu") == _profile("eu")
    assert again.last_profile == "eu" and again.last_application_id == "app-1"
    assert again.filters == {"status": "open", "name": "pump"}
    assert again.window_geometry == "AdnQywADAAA=" and again.splitters == {"main": "AAAA/wAAAAE="}
    assert again.remembered == {"eu": "tech"} and again.remembered_username("demo") == ""
    assert again.hidden_columns == ["Created", "assetId"]
    assert Settings.load(tmp_path / "fresh.json").hidden_columns is None, "None: the default columns"
    assert again.device_id == s.device_id  # created once, then stable
    assert [p.name for p in tmp_path.joinpath("nested").iterdir()] == ["settings.json"]  # no temp left


def test_the_old_global_remember_flag_becomes_the_last_profiles_user(tmp_path: Path) -> None:
    # Files written before "remembered" was kept per profile had one flag for the last sign-in.
    old = {"profiles": [asdict(_profile()), asdict(_profile("eu"))], "last_profile": "eu", "version": 1}
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({**old, "remember_me": True}), encoding="utf-8")
    migrated = Settings.load(path)
    assert migrated.remembered == {"eu": "tech"}
    migrated.save()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["remembered"] == {"eu": "tech"} and "remember_me" not in saved
    assert Settings.load(path).remembered == {"eu": "tech"}

    path.write_text(json.dumps({**old, "remember_me": False}), encoding="utf-8")
    assert Settings.load(path).remembered == {}
    # The new key wins over a stale old flag.
    path.write_text(json.dumps({**old, "remember_me": True, "remembered": {}}), encoding="utf-8")
    assert Settings.load(path).remembered == {}


def test_upsert_replaces_profile_with_same_name(tmp_path: Path) -> None:
    s = Settings.load(tmp_path / "s.json")
    s.upsert_profile(_profile())
    changed = ConnectionProfile(**{**_profile().__dict__, "mqtt_port": 1883})
    s.upsert_profile(changed)
    assert s.profiles == [changed]


def test_corrupt_file_gives_defaults_and_keeps_a_backup(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"profiles": [ {"name": ', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        s = Settings.load(path)
    assert s.profiles == []
    assert (tmp_path / "settings.json.bak").read_text(encoding="utf-8") == '{"profiles": [ {"name": '
    assert "unreadable" in caplog.text and "settings.json.bak" in caplog.text


def test_invalid_profile_is_reported_not_crashing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"profiles": [{"name": "x", "api_url": "", "mqtt_host": "h"}]}))
    with caplog.at_level(logging.WARNING):
        s = Settings.load(path)
    assert s.profiles == []
    assert "api_url" in caplog.text


def test_settings_file_never_holds_a_secret(tmp_path: Path) -> None:
    s = Settings.load(tmp_path / "settings.json")
    s.upsert_profile(_profile())
    s.save()
    text = (tmp_path / "settings.json").read_text(encoding="utf-8").lower()
    assert "password" not in text and "token" not in text
    assert set(json.loads(text)) == {
        "profiles", "last_profile", "default_profile", "last_application_id", "filters", "remembered",
        "window_geometry", "window_state", "splitters", "theme", "hidden_columns", "people_labels",
        "device_id", "event_log_limit", "version",
    }  # fmt: skip


def test_people_labels_are_kept_per_profile_and_bad_entries_dropped(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = Settings.load(path)
    s.people_labels = {"work": {"u-1": "Sam (north yard)"}, "lab": {"g-2": "Night crew"}}
    s.save()
    assert Settings.load(path).people_labels == s.people_labels
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["people_labels"] = {"work": {"u-1": "Sam", "u-2": 7, "u-3": ""}, "broken": "text"}
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert Settings.load(path).people_labels == {"work": {"u-1": "Sam"}}


def test_new_settings_get_a_random_version_4_device_id(tmp_path: Path) -> None:
    import uuid

    ids = {Settings.load(tmp_path / f"s{n}.json").device_id for n in range(50)}
    assert len(ids) == 50
    for device_id in ids:
        parsed = uuid.UUID(device_id)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == device_id
