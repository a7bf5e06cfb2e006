"""Profile rules without Qt: regions, the MQTT host rule, renames and deletes, import/export."""

from __future__ import annotations

import json

import pytest

from skydesk.core import profiles as rules
from skydesk.core.settings import ConnectionProfile, Settings


def _profile(name: str, api: str = "https://api.skylight.eu.upskill.io", **kw: object) -> ConnectionProfile:
    data: dict[str, object] = {"mqtt_host": rules.mqtt_host_for(api), "realm": "acme", "username": "tech"}
    data.update(kw)
    return ConnectionProfile(name=name, api_url=api, **data)  # type: ignore[arg-type]


def test_regions_and_the_mqtt_host_rule() -> None:
    assert rules.region_of("https://api.skylight.eu.upskill.io/") == "EU"
    assert rules.region_of("https://api.skylight.upskill.io") == "Default"
    assert rules.region_of("https://skylight.example.com") == "Custom"
    assert rules.mqtt_host_for("https://api.skylight.eu.upskill.io") == "mqtt.skylight.eu.upskill.io"
    assert rules.mqtt_host_for("https://api.acme.test:8443/v1") == "mqtt.acme.test"
    assert rules.mqtt_host_for("https://127.0.0.1:8443") == "127.0.0.1"
    assert rules.mqtt_host_for("https://[::1]:8443") == "[::1]"
    assert rules.mqtt_host_for("") == ""


def test_rename_moves_the_remembered_sign_in_and_the_default(tmp_path: object) -> None:
    settings = Settings()
    rules.add_profile(settings, _profile("eu"))
    settings.remembered["eu"] = "tech"
    settings.default_profile = settings.last_profile = "eu"
    changes = rules.update_profile(settings, "eu", _profile("EU production"))
    assert changes == [rules.TokenChange("eu", "tech", "EU production")]
    assert settings.remembered == {"EU production": "tech"}
    assert settings.default_profile == settings.last_profile == "EU production"
    assert [p.name for p in settings.profiles] == ["EU production"]


def test_pointing_a_profile_at_another_server_forgets_its_sign_in() -> None:
    settings = Settings()
    rules.add_profile(settings, _profile("eu"))
    settings.remembered["eu"] = "tech"
    changes = rules.update_profile(settings, "eu", _profile("eu", api="https://api.evil.test"))
    assert changes == [rules.TokenChange("eu", "tech")]  # forget: the token must not reach another host
    assert settings.remembered == {}


def test_names_must_be_unique_and_not_empty() -> None:
    settings = Settings()
    rules.add_profile(settings, _profile("a"))
    rules.add_profile(settings, _profile("b"))
    with pytest.raises(ValueError, match="exists already"):
        rules.add_profile(settings, _profile("a"))
    with pytest.raises(ValueError, match="exists already"):
        rules.update_profile(settings, "b", _profile("a"))
    with pytest.raises(ValueError, match="needs a name"):
        rules.update_profile(settings, "b", _profile(" "))
    copy = rules.duplicate_profile(settings, "a")
    assert copy.name == "a (2)" and [p.name for p in settings.profiles] == ["a", "a (2)", "b"]


def test_delete_clears_default_last_and_returns_the_token_to_forget() -> None:
    settings = Settings()
    rules.add_profile(settings, _profile("a"))
    settings.remembered["a"] = "tech"
    rules.set_default_profile(settings, "a")
    settings.last_profile = "a"
    assert rules.delete_profile(settings, "a") == [rules.TokenChange("a", "tech")]
    assert settings.default_profile is None and settings.last_profile is None and settings.remembered == {}


def test_export_has_no_secrets_or_usernames_and_imports_back() -> None:
    profiles = [_profile("EU production", color="#1565c0"), _profile("local", api="https://127.0.0.1:8443")]
    text = rules.export_profiles(profiles)
    document = json.loads(text)
    assert document["format"] == "skydesk-profiles"
    assert all("username" not in p and "password" not in p and "token" not in p for p in document["profiles"])
    target = Settings()
    rules.add_profile(target, _profile("local", api="https://127.0.0.1:8443"))  # identical: skipped
    rules.add_profile(target, _profile("EU production", api="https://api.other.test"))  # clash: renamed
    added = rules.import_profiles(target, rules.parse_profiles(text))
    assert added == ["EU production (2)"]
    imported = target.profile("EU production (2)")
    assert imported is not None and imported.color == "#1565c0" and imported.username == ""
    assert imported.api_url == "https://api.skylight.eu.upskill.io" and imported.realm == "acme"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "not JSON"),
        ('{"profiles": []}', "not a skydesk profiles export"),
        ('{"format": "skydesk-profiles", "profiles": [{"name": "x"}]}', "Profile 1 in the file"),
    ],
)
def test_a_bad_import_file_is_refused_with_words(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        rules.parse_profiles(text)


def test_settings_keep_the_default_profile_and_colour(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "settings.json"
    settings = Settings.load(path)
    rules.add_profile(settings, _profile("eu", color="#1565c0"))
    rules.add_profile(settings, _profile("local", api="https://127.0.0.1:8443", color="red; x"))
    settings.default_profile, settings.last_profile = "eu", "local"
    settings.save()
    again = Settings.load(path)
    assert again.default_profile == "eu" and again.profiles[0] == settings.profiles[0]
    assert again.profiles[1].color == ""  # not a colour: dropped rather than passed to a style sheet
    startup = again.startup_profile()
    assert startup is not None and startup.name == "eu"  # the default wins over the last one used
    again.default_profile = None
    last = again.startup_profile()
    assert last is not None and last.name == "local"
