"""The command line: options build or override the connection profile the window starts with."""

from __future__ import annotations

import pytest

from skydesk.app import build_parser, profile_from_args
from skydesk.core.settings import ConnectionProfile

SAVED = ConnectionProfile("work", "https://api.example.test", "mqtt.example.test", 8883, "acme", None, "tech")


def test_options_override_the_saved_profile() -> None:
    args = build_parser().parse_args(["--profile", "work", "--mqtt-port", "1883", "--ca-file", "/etc/ca.pem"])
    profile = profile_from_args(args, SAVED)
    assert profile == ConnectionProfile(
        "work", "https://api.example.test", "mqtt.example.test", 1883, "acme", "/etc/ca.pem", "tech"
    )


def test_options_alone_make_a_new_profile() -> None:
    args = build_parser().parse_args(["--api-url", "https://api.eu.skylight.test/", "--realm", "acme"])
    profile = profile_from_args(args, None)
    assert profile is not None
    assert (profile.name, profile.api_url, profile.mqtt_host, profile.mqtt_port, profile.realm) == (
        "api.eu.skylight.test",
        "https://api.eu.skylight.test",
        "mqtt.eu.skylight.test",
        8883,
        "acme",
    )


def test_no_profile_and_no_options_means_the_sign_in_form() -> None:
    assert profile_from_args(build_parser().parse_args([]), None) is None


def test_a_bad_window_size_is_refused_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--window-size", "big"])
    assert "expected WIDTHxHEIGHT" in capsys.readouterr().err
