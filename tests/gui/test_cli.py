"""The command line: options build or override the connection profile the window starts with."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.app import build_parser, profile_from_args
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.ui.signin import NEW_PROFILE
from tests.gui.helpers import wait_loaded

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


def test_the_readme_command_line_example_makes_the_profile_it_describes() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = next(m.group(1) for m in re.finditer(r"```sh\n(skydesk --profile .*)\n```", readme))
    argv = shlex.split(line)
    profile = profile_from_args(build_parser().parse_args(argv[1:]), None)
    assert profile == ConnectionProfile(
        "eu", "https://api.skylight.eu.upskill.io", "mqtt.skylight.eu.upskill.io", 8883, "yourrealm", None
    )


def test_a_new_profile_name_alone_names_the_new_profile() -> None:
    profile = profile_from_args(build_parser().parse_args(["--profile", "lab"]), None)
    assert profile == ConnectionProfile("lab", "", "", 8883, "", None)


def test_no_profile_and_no_options_means_the_sign_in_form() -> None:
    assert profile_from_args(build_parser().parse_args([]), None) is None


def test_a_bad_window_size_is_refused_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--window-size", "big"])
    assert "expected WIDTHxHEIGHT" in capsys.readouterr().err


def _start_from_options(window: Any, argv: list[str]) -> None:
    """What app.py does with the command line: pick the saved profile, apply the options, start."""
    args = build_parser().parse_args(argv)
    saved = window.settings.profile(args.profile or window.settings.last_profile)
    window.start(profile_from_args(args, saved))


def _sandbox_options(sb: Any) -> list[str]:
    info = sb.info
    return ["--api-url", info.api_url, "--mqtt-host", info.mqtt_host, "--mqtt-port", str(info.mqtt_port),
            "--realm", info.realm, "--ca-file", info.ca_file]  # fmt: skip


async def test_a_new_profile_from_options_fills_the_form_and_signs_in(
    make_window: Any, sandbox: Any, tmp_path: Path
) -> None:
    # Another saved profile comes first in the list: the form must not show it instead.
    settings_path = tmp_path / "settings.json"
    office = {"name": "office", "api_url": "https://api.example.test", "mqtt_host": "mqtt.example.test",
              "realm": "acme", "username": "someone"}  # fmt: skip
    settings_path.write_text(json.dumps({"profiles": [office]}))
    window = make_window(settings_path)
    _start_from_options(window, ["--profile", "lab", *_sandbox_options(sandbox)])

    page = window.sign_in_page
    assert window.showing_sign_in()
    assert page.profile_combo.currentText() == NEW_PROFILE
    info = sandbox.info
    shown = (page.profile_name.text(), page.api_url.text(), page.mqtt_host.text(), page.mqtt_port.value(),
             page.realm.text(), page.ca_file.text(), page.username.text())  # fmt: skip
    assert shown == ("lab", info.api_url, info.mqtt_host, info.mqtt_port, info.realm, info.ca_file, "")

    page.username.setText("tech")
    page.password.setText("tech-demo-pw")
    QTest.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_loaded(window)
    await window.services.saver.flush()
    saved = Settings.load(settings_path)
    assert [p.name for p in saved.profiles] == ["office", "lab"]
    assert saved.profile("lab") == ConnectionProfile(
        "lab", info.api_url, info.mqtt_host, info.mqtt_port, info.realm, info.ca_file, "tech"
    )


async def test_options_overriding_a_saved_profile_show_in_the_form(make_window: Any, tmp_path: Path) -> None:
    settings_path = tmp_path / "settings.json"
    work = {"name": "work", "api_url": "https://api.example.test", "mqtt_host": "mqtt.example.test",
            "mqtt_port": 8883, "realm": "acme", "username": "tech"}  # fmt: skip
    other = {**work, "name": "other", "username": "someone"}
    settings_path.write_text(json.dumps({"profiles": [other, work], "last_profile": "other"}))
    window = make_window(settings_path)
    _start_from_options(window, ["--profile", "work", "--mqtt-port", "1883", "--realm", "acme-eu"])

    page = window.sign_in_page
    assert page.profile_combo.currentText() == "work"
    assert (page.api_url.text(), page.mqtt_port.value(), page.realm.text(), page.username.text()) == (
        "https://api.example.test",
        1883,
        "acme-eu",
        "tech",
    )
    # Choosing another profile and coming back shows what is saved, as for any saved profile.
    page.profile_combo.setCurrentIndex(page.profile_combo.findText("other"))
    page.profile_combo.setCurrentIndex(page.profile_combo.findText("work"))
    assert (page.mqtt_port.value(), page.realm.text()) == (8883, "acme")
