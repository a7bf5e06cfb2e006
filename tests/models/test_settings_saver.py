"""Settings are written on a worker thread, in order, and everything asked for is on disk after a quit."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from skydesk.core import settings as settings_module
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.models.settings_saver import SettingsSaver
from tests.models.helpers import sign_in


@pytest.fixture
def writer_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that wrote a settings file (the real write still happens)."""
    threads: list[str] = []
    real = settings_module._write_atomic

    def recording(path: Path, text: str) -> None:
        threads.append(threading.current_thread().name)
        real(path, text)

    monkeypatch.setattr(settings_module, "_write_atomic", recording)
    return threads


def _profile(name: str) -> ConnectionProfile:
    return ConnectionProfile(name=name, api_url="https://api.example.test", mqtt_host="mqtt.example.test")


async def test_a_save_returns_at_once_and_writes_off_the_gui_thread(
    tmp_path: Path, writer_threads: list[str]
) -> None:
    settings = Settings.load(tmp_path / "settings.json")
    saver = SettingsSaver(settings)
    settings.upsert_profile(_profile("one"))
    saver.save()
    assert saver.pending and writer_threads == []  # nothing written yet: the GUI thread went on
    await saver.flush()
    assert not saver.pending and saver.writes == 1
    assert writer_threads and threading.main_thread().name not in writer_threads
    assert Settings.load(settings.path).profile("one") is not None


async def test_saves_while_one_is_written_end_with_the_latest_state_on_disk(
    tmp_path: Path, writer_threads: list[str]
) -> None:
    settings = Settings.load(tmp_path / "settings.json")
    saver = SettingsSaver(settings)
    for n in range(20):
        settings.upsert_profile(_profile(f"p{n}"))
        settings.last_profile = f"p{n}"
        saver.save()
        if n % 5 == 0:
            await asyncio.sleep(0)
    await saver.flush()
    saved = Settings.load(settings.path)
    assert saved.last_profile == "p19" and len(saved.profiles) == 20
    assert 1 <= saver.writes < 20  # saves asked for meanwhile became one write of the latest state
    assert threading.main_thread().name not in writer_threads


async def test_another_instances_changes_are_merged_and_ours_made_meanwhile_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    ours, theirs = Settings.load(path), Settings.load(path)
    theirs.upsert_profile(_profile("theirs"))
    theirs.save()
    saver = SettingsSaver(ours)
    ours.upsert_profile(_profile("ours"))
    saver.save()
    ours.theme = "dark"  # changed while the write is on its way: kept, and written by the next save
    await saver.flush()
    assert {p.name for p in ours.profiles} == {"ours", "theirs"} and ours.theme == "dark"
    saver.save()
    await saver.flush()
    again = Settings.load(path)
    assert {p.name for p in again.profiles} == {"ours", "theirs"} and again.theme == "dark"


async def test_a_failed_write_is_logged_and_the_next_save_still_goes_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the settings directory should be")
    settings = Settings.load(blocker / "settings.json")
    saver = SettingsSaver(settings)
    saver.save()
    await saver.flush()
    assert "Could not save settings" in caplog.text and saver.writes == 0
    blocker.unlink()
    saver.save()
    await saver.flush()
    assert saver.writes == 1 and (blocker / "settings.json").exists()


async def test_sign_in_writes_the_profile_off_the_gui_thread_and_quitting_flushes_later_changes(
    sandbox: Any, make_services: Any, profile_of: Any, writer_threads: list[str]
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    await svc.saver.flush()
    assert writer_threads and threading.main_thread().name not in writer_threads
    assert Settings.load(svc.settings.path).last_profile == "test"

    svc.settings.theme = "dark"  # e.g. the layout app.py records just before shutting down
    svc.settings.upsert_profile(_profile("late"))
    svc.saver.save()  # still on its way when the quit begins
    await svc.shutdown()
    assert not svc.saver.pending
    saved = Settings.load(svc.settings.path)
    assert saved.theme == "dark" and saved.profile("late") is not None
    assert threading.main_thread().name not in writer_threads


async def test_with_the_executor_already_shut_down_the_settings_are_still_saved(tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=1)
    loop.set_default_executor(executor)
    executor.shutdown()
    settings = Settings.load(tmp_path / "settings.json")
    saver = SettingsSaver(settings)
    settings.theme = "dark"
    saver.save()
    await saver.flush()
    assert Settings.load(settings.path).theme == "dark"


async def test_a_profile_added_in_the_profiles_dialog_is_written_off_the_gui_thread(
    make_services: Any, writer_threads: list[str]
) -> None:
    svc = make_services()
    assert svc.profiles.add(_profile("lab"))
    assert writer_threads == []  # the click returned before anything was written
    await svc.saver.flush()
    assert writer_threads and threading.main_thread().name not in writer_threads
    assert Settings.load(svc.settings.path).profile("lab") is not None
