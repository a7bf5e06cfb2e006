"""settings.json survives corruption and two skydesk processes writing it at once (real processes)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from skydesk.core.settings import ConnectionProfile, Settings


def _profile(name: str) -> ConnectionProfile:
    return ConnectionProfile(name=name, api_url=f"https://{name}.example:8443", mqtt_host=f"{name}.example")


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out


# One skydesk-like writer: load once, then change its own things and save after each change.
WRITER = """
    import sys
    from skydesk.core.settings import ConnectionProfile, Settings
    path, who, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = Settings.load(path)
    for n in range(rounds):
        s.upsert_profile(ConnectionProfile(name=f"{who}-{n}", api_url="https://h:1", mqtt_host="h"))
        s.filters[who] = n
        s.splitters[who] = "x" * 2000  # a bigger file takes longer to write
        s.save()
    print(len(s.profiles))
"""

# A reader that loads the file as fast as it can and counts loads that found it damaged.
READER = """
    import json, sys, time
    path, seconds = sys.argv[1], float(sys.argv[2])
    bad = reads = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            continue
        reads += 1
        try:
            json.loads(text)
        except ValueError:
            bad += 1
    print(reads, bad)
"""


def test_two_instances_saving_at_once_keep_both_sets_of_changes_and_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    Settings.load(path).save()
    rounds = 60
    reader = _python(READER, str(path), "6")
    writers = [_python(WRITER, str(path), who, str(rounds)) for who in ("left", "right")]
    for writer in writers:
        _finish(writer)
    reads, bad = map(int, _finish(reader).split())

    final = Settings.load(path)
    assert final.load_problem is None
    names = {p.name for p in final.profiles}
    # Every profile either instance added is there: neither save threw away the other's.
    assert names == {f"{who}-{n}" for who in ("left", "right") for n in range(rounds)}
    assert final.filters == {"left": rounds - 1, "right": rounds - 1}
    assert reads > 0 and bad == 0, f"{bad} of {reads} reads saw a damaged file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]  # no temp file left


def test_an_instance_that_changed_nothing_keeps_the_others_changes(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    first, second = Settings.load(path), Settings.load(path)
    first.upsert_profile(_profile("added-by-first"))
    first.theme = "dark"
    first.save()
    second.window_geometry = "AAAA"  # only its window moved
    second.save()
    again = Settings.load(path)
    assert [p.name for p in again.profiles] == ["added-by-first"] and again.theme == "dark"
    assert again.window_geometry == "AAAA"
    assert second.profile("added-by-first") is not None  # the second instance now knows it too
    # A profile the first deletes stays deleted when the second (which did not touch it) saves.
    first.profiles = []
    first.save()
    second.save()
    assert Settings.load(path).profiles == []


@pytest.mark.parametrize("cut", [0.0, 0.1, 0.5, 0.99])
def test_a_truncated_file_is_kept_as_a_backup_and_defaults_are_used_and_said(
    tmp_path: Path, cut: float, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    good = Settings.load(path)
    good.upsert_profile(_profile("work"))
    good.save()
    whole = path.read_bytes()
    damaged = whole[: int(len(whole) * cut)]
    path.write_bytes(damaged)
    with caplog.at_level(logging.WARNING):
        s = Settings.load(path)
    assert s.profiles == [] and s.theme == "system"
    assert (tmp_path / "settings.json.bak").read_bytes() == damaged
    assert s.load_problem is not None and "settings.json.bak" in s.load_problem
    assert "default settings" in s.load_problem
    assert "unreadable" in caplog.text
    s.save()  # the next save writes a good file again
    assert Settings.load(path).load_problem is None


def test_a_second_corruption_does_not_overwrite_the_first_backup(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{first", encoding="utf-8")
    assert "settings.json.bak" in (Settings.load(path).load_problem or "")
    path.write_bytes(b"\xff\xfe not even text")
    problem = Settings.load(path).load_problem or ""
    assert "settings.json.bak.2" in problem
    assert (tmp_path / "settings.json.bak").read_text(encoding="utf-8") == "{first"
    assert (tmp_path / "settings.json.bak.2").read_bytes() == b"\xff\xfe not even text"


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "merged"),
    [
        ({"a": 1}, {"a": 2}, {"a": 1}, {"a": 2}),  # only we changed it
        ({"a": 1}, {"a": 1}, {"a": 3}, {"a": 3}),  # only they did
        ({"a": 1}, {"a": 2}, {"a": 3}, {"a": 2}),  # both: the later save (ours) wins
        ({"a": 1, "b": 1}, {"a": 1}, {"a": 1, "b": 1}, {"a": 1}),  # we removed b
        ({"a": 1, "b": 1}, {"a": 1, "b": 1}, {"a": 1}, {"a": 1}),  # they removed b
        ({}, {"a": 1}, {"b": 2}, {"a": 1, "b": 2}),  # both added something
        ({"d": {"x": 1, "y": 1}}, {"d": {"x": 2, "y": 1}}, {"d": {"x": 1, "y": 3}}, {"d": {"x": 2, "y": 3}}),
        (
            {"profiles": [{"name": "p", "v": 1}]},
            {"profiles": [{"name": "p", "v": 1}, {"name": "q", "v": 1}]},
            {"profiles": [{"name": "p", "v": 2}]},
            {"profiles": [{"name": "p", "v": 2}, {"name": "q", "v": 1}]},
        ),
    ],
)
def test_the_three_way_merge(base: dict, ours: dict, theirs: dict, merged: dict) -> None:
    from skydesk.core.settings_merge import merge

    assert merge(base, ours, theirs) == merged
