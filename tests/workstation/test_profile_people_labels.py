"""The user's own names for people (issue 9) follow a profile rename and go with its deletion."""

from __future__ import annotations

from skydesk.core import profiles as rules
from skydesk.core.settings import ConnectionProfile, Settings


def _profile(name: str) -> ConnectionProfile:
    return ConnectionProfile(
        name=name, api_url="https://api.acme.test", mqtt_host="mqtt.acme.test", realm="acme"
    )


def test_people_labels_follow_a_rename_and_go_with_a_delete() -> None:
    settings = Settings()
    rules.add_profile(settings, _profile("eu"))
    rules.add_profile(settings, _profile("lab"))
    settings.people_labels = {"eu": {"u-1": "Sam (north yard)"}, "lab": {"u-2": "Kim"}}
    rules.update_profile(settings, "eu", _profile("EU production"))
    assert settings.people_labels == {"EU production": {"u-1": "Sam (north yard)"}, "lab": {"u-2": "Kim"}}
    rules.delete_profile(settings, "lab")
    assert settings.people_labels == {"EU production": {"u-1": "Sam (north yard)"}}
