"""A full disk (a real 256 KiB tmpfs) under the log, the settings, the thumbnail cache and an export: a clear
message, no crash or traceback, and nothing that was already saved is lost."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skydesk.core import logs
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.core.thumb_cache import ThumbnailCache
from skydesk.models.export import ExportController
from skydesk.models.export_format import CSV, ExportSpec
from skydesk.models.filters import SessionFilters
from tests.models.helpers import open_app, sign_in
from tests.support.prereq import require
from tests.support.qt import SignalRecorder


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs, filled up to its last byte by a filler file (remove it to free the space)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(disk)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    require(mounted, "root, to mount a small tmpfs (CI runs as root)")
    try:
        for name in ("logs", "config", "cache", "export"):
            (disk / name).mkdir()
        (disk / "export" / "sessions.csv").write_text("the previous export\r\n", encoding="utf-8")
        (disk / "config" / "settings.json").write_text("{}", encoding="utf-8")
        saved = Settings.load(disk / "config" / "settings.json")
        saved.upsert_profile(ConnectionProfile(name="kept", api_url="https://h", mqtt_host="h"))
        saved.save()
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as fh:
        for size in (4096, 512, 1):  # to the last byte
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError:
                continue
    return filler


def test_the_log_says_once_that_it_cannot_write_and_resumes(
    full_disk: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging(log_dir=full_disk / "logs")
    try:
        filler = _fill(full_disk)
        for n in range(200):
            logging.getLogger("skydesk.test").info("record %d %s", n, "x" * 200)
        for handler in root.handlers:
            handler.flush()  # the log's own thread has tried them all while the disk was full
        filler.unlink()
        logging.getLogger("skydesk.test").info("after the disk was freed")
    finally:
        logs.stop_logging()
        root.setLevel(level)
    err = capfd.readouterr().err
    assert err.count("cannot write the log file") == 1 and "No space left on device" in err
    assert "Traceback" not in err and "Logging error" not in err
    assert "writing the log file" in err and "after the disk was freed" in path.read_text(encoding="utf-8")


def test_settings_on_a_full_disk_keep_the_saved_file(full_disk: Path) -> None:
    path = full_disk / "config" / "settings.json"
    before = path.read_bytes()
    s = Settings.load(path)
    s.upsert_profile(ConnectionProfile(name="new", api_url="https://n", mqtt_host="n", realm="r" * 300_000))
    _fill(full_disk)
    with pytest.raises(OSError):
        s.save()  # the app's callers log "Could not save settings" and go on
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]  # no temp file left
    assert Settings.load(path).profile("kept") is not None


def test_the_thumbnail_cache_on_a_full_disk_only_misses(full_disk: Path) -> None:
    cache = ThumbnailCache(full_disk / "cache")
    cache.put("m1", "e1", b"png" * 100)
    _fill(full_disk)
    cache.put("m2", "e2", b"x" * 100_000)  # no exception: a cache that cannot grow is just a cache miss
    assert cache.get("m1", "e1") == b"png" * 100 and cache.get("m2", "e2") is None


async def test_an_export_to_a_full_disk_says_so_and_leaves_the_older_file(
    full_disk: Path, make_services: Any, profile_of: Any, sandbox: Any
) -> None:
    svc = make_services()
    await sign_in(svc, profile_of(sandbox))
    app_id = await open_app(svc, "Field Inspection")
    app = next(a for a in svc.browser.applications if a.application_id == app_id)
    _fill(full_disk)
    target = full_disk / "export" / "sessions.csv"
    controller: ExportController = svc.export
    rec = SignalRecorder(controller.finished, controller.failed)
    controller.export_sessions(target, app, SessionFilters(), ExportSpec(["name", "status"], CSV))
    await rec.wait_any(("finished", "failed"), within=60)
    (message,) = rec.args("failed")[0]
    assert message == "Could not write sessions.csv: No space left on device"
    assert target.read_bytes() == b"the previous export\r\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["sessions.csv"]
