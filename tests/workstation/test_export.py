"""Export of the session list (CSV and JSON, every page) and of one session, against the real sandbox."""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import json
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QTimer

from skydesk.models.collector import MainThreadCollector
from skydesk.models.export import ExportController
from skydesk.models.export_format import CSV, JSON, ExportSpec, SessionWriter
from skydesk.models.filters import SessionFilters
from tests.models.helpers import sign_in
from tests.support.qt import SignalRecorder, wait_until

SESSIONS = 10_000  # Field Inspection gets about half of the seeded sessions: ~5,000 to export
COLUMNS = ("Name", "Status", "Participants", "Modified", "site", "priority")


@pytest.fixture(scope="module")
def big_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from skydesk.sandbox import Sandbox, SandboxConfig

    cfg = SandboxConfig(
        state_dir=tmp_path_factory.mktemp("export-sandbox"), api_port=0, mqtt_port=0, seed=SESSIONS
    )
    with Sandbox(cfg) as sb:
        yield sb


async def _signed_in(make_services: Any, profile_of: Any, sb: Any) -> tuple[Any, ExportController, Any]:
    services = make_services()
    await sign_in(services, profile_of(sb), "dispatch")
    client = services.auth.client
    apps = await client.get_applications()
    app = next(a for a in apps if a.name == "Field Inspection")
    return services, ExportController(services.ops, services), app


async def _server_sessions(client: Any, app: Any, filters: SessionFilters) -> list[Any]:
    return [s async for s in client.iter_sessions(app.application_id, page_size=200, **filters.to_kwargs())]


async def _export(controller: ExportController, path: Path, app: Any, filters: Any, spec: ExportSpec) -> Any:
    rec = SignalRecorder(controller.finished, controller.failed, controller.cancelled)
    controller.export_sessions(path, app, filters, spec)
    await rec.wait_any(("finished", "failed", "cancelled"), within=180)
    assert not rec.args("failed"), rec.args("failed")
    return rec


async def test_csv_and_json_exports_match_the_server_page_for_page(
    make_services: Any, profile_of: Any, big_sandbox: Any, tmp_path: Path
) -> None:
    services, controller, app = await _signed_in(make_services, profile_of, big_sandbox)
    filters = SessionFilters(sort="-modifiedAt")
    expected = await _server_sessions(services.auth.client, app, filters)
    assert len(expected) >= 4_500

    # CSV with a byte-order mark, as a spreadsheet wants it.
    target = tmp_path / "sessions.csv"
    progress = SignalRecorder(controller.progress)
    await _export(controller, target, app, filters, ExportSpec(COLUMNS, CSV, bom=True))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    assert raw.count(b"\r\n") >= len(expected) + 1  # RFC 4180: every record ends with CRLF
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Id", *COLUMNS]
    assert len(rows) - 1 == len(expected)
    for row, session in zip(rows[1:], expected, strict=True):
        assert row[0] == session.session_id and row[1] == session.name and row[2] == session.status
        assert row[3] == "; ".join(p.id for p in session.participants)
        assert row[5] == str(session.properties.get("site", ""))
        assert row[6] == str(session.properties.get("priority", ""))
    assert progress.args("progress")[-1] == (len(expected), len(expected))

    # JSON: the same sessions in the same order, with the filters written at the top.
    target = tmp_path / "sessions.json"
    await _export(controller, target, app, filters, ExportSpec(COLUMNS, JSON))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["application"]["name"] == "Field Inspection"
    assert document["filters"]["sort"] == "-modifiedAt" and document["columns"] == list(COLUMNS)
    assert document["count"] == len(expected)
    for item, session in zip(document["sessions"], expected, strict=True):
        assert item["id"] == session.session_id and item["Name"] == session.name
        assert item["Participants"] == [p.to_json() for p in session.participants]
        wanted = {k: session.properties[k] for k in ("site", "priority") if k in session.properties}
        assert item["properties"] == wanted


async def test_a_filtered_export_has_only_the_matching_sessions(
    make_services: Any, profile_of: Any, big_sandbox: Any, tmp_path: Path
) -> None:
    services, controller, app = await _signed_in(make_services, profile_of, big_sandbox)
    filters = SessionFilters(status="closed", properties={"priority": ["urgent"]}, sort="name")
    expected = await _server_sessions(services.auth.client, app, filters)
    assert 0 < len(expected) < 2_000
    target = tmp_path / "urgent.csv"
    await _export(controller, target, app, filters, ExportSpec(COLUMNS, CSV))
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))[1:]
    assert [r[0] for r in rows] == [s.session_id for s in expected]
    assert {r[2] for r in rows} == {"closed"} and {r[6] for r in rows} == {"urgent"}


async def test_each_next_page_is_asked_for_before_this_one_is_decoded(
    make_services: Any, profile_of: Any, big_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server produces page n+1 while page n is decoded, built and written; every page is asked once."""
    services, controller, app = await _signed_in(make_services, profile_of, big_sandbox)
    client = services.auth.client
    sent: list[str | None] = []

    async def hook(request: httpx.Request) -> None:
        if request.method == "GET" and request.url.path.endswith("/sessions"):
            sent.append(request.url.params.get("nextCursor"))

    client._http.event_hooks["request"].append(hook)
    asked_when_built: list[int] = []
    build = type(client)._session_page

    def counted_build(self: Any, body: Any) -> Any:
        asked_when_built.append(len(sent))
        return build(self, body)

    monkeypatch.setattr(type(client), "_session_page", counted_build)
    await _export(controller, tmp_path / "ahead.csv", app, SessionFilters(), ExportSpec(COLUMNS, CSV))
    pages = len(asked_when_built)
    assert pages >= 20 and len(sent) == len(set(sent)) == pages  # each page asked for once, none beyond
    # Page k (from 0) is decoded once the request for page k+1 has left; only the last has none after it.
    assert asked_when_built == [*range(2, pages + 1), pages], asked_when_built


async def test_the_file_is_written_off_the_gui_thread(
    make_services: Any, profile_of: Any, big_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Formatting, writing and fsync of the file never run on the GUI thread (a slow disk never stalls it)."""
    _services, controller, app = await _signed_in(make_services, profile_of, big_sandbox)
    threads: list[str] = []
    for name in ("header", "write", "footer"):
        real = getattr(SessionWriter, name)
        monkeypatch.setattr(
            SessionWriter,
            name,
            lambda self, *a, real=real: (threads.append(threading.current_thread().name), real(self, *a))[1],
        )
    real_fsync = os.fsync
    monkeypatch.setattr(
        os, "fsync", lambda fd: (threads.append(threading.current_thread().name), real_fsync(fd))[1]
    )
    filters = SessionFilters(status="closed", properties={"priority": ["urgent"]})
    await _export(controller, tmp_path / "off.csv", app, filters, ExportSpec(COLUMNS, CSV))
    assert len(threads) >= 4 and threading.main_thread().name not in threads


async def test_memory_stays_flat_and_the_window_keeps_painting(
    make_services: Any, profile_of: Any, big_sandbox: Any, tmp_path: Path
) -> None:
    _services, controller, app = await _signed_in(make_services, profile_of, big_sandbox)

    async def peak(filters: SessionFilters, name: str) -> tuple[int, int]:
        # Garbage is collected as the app does it (from a GUI-thread timer; the suite turns gc off):
        # httpx responses sit in reference cycles until a collection runs.
        collector = MainThreadCollector(interval_ms=100)
        tracemalloc.start()
        collector.start()
        try:
            rec = await _export(controller, tmp_path / name, app, filters, ExportSpec(COLUMNS, JSON))
            return rec.args("finished")[0][1], tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            collector.stop()
            gc.disable()  # as the suite had it
            collector.deleteLater()

    # The GUI thread must keep running while pages arrive: a 20 ms timer never waits long.
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    small_count, small_peak = await peak(
        SessionFilters(status="closed", properties={"priority": ["high"]}), "s"
    )
    big_count, big_peak = await peak(SessionFilters(), "b")
    timer.stop()
    assert big_count >= 4 * small_count
    # Streaming: 25 times the sessions must not need anywhere near 25 times the memory.
    assert big_peak < small_peak * 1.5 + 1_000_000, (small_count, small_peak, big_count, big_peak)
    assert big_peak < 20_000_000
    assert max(gaps) < 2.0, f"the event loop stalled for {max(gaps):.2f} s"
    mb = 1e6
    print(
        f"\nexport peak: {small_count} sessions {small_peak / mb:.1f} MB, {big_count}: {big_peak / mb:.1f} MB"
    )


async def test_cancelled_halfway_leaves_no_file(
    make_services: Any, profile_of: Any, big_sandbox: Any, tmp_path: Path
) -> None:
    _services, controller, app = await _signed_in(make_services, profile_of, big_sandbox)
    target = tmp_path / "out" / "sessions.csv"
    target.parent.mkdir()
    target.write_text("the previous export\r\n", encoding="utf-8")  # an older file must survive untouched
    halfway: list[int] = []

    def on_progress(written: int, total: int) -> None:
        if total and written >= total // 2 and not halfway:
            halfway.append(written)
            controller.cancel()

    controller.progress.connect(on_progress)
    rec = SignalRecorder(controller.finished, controller.failed, controller.cancelled)
    controller.export_sessions(target, app, SessionFilters(), ExportSpec(COLUMNS, CSV))
    await rec.wait_any(("finished", "failed", "cancelled"), within=120)
    assert rec.args("cancelled") and not rec.args("finished")
    assert halfway and not controller.running
    await asyncio.sleep(0)
    assert sorted(p.name for p in target.parent.iterdir()) == ["sessions.csv"]  # no .part left behind
    assert target.read_bytes() == b"the previous export\r\n"


async def test_one_session_with_data_participants_and_media(
    make_services: Any, profile_of: Any, sandbox: Any, tmp_path: Path
) -> None:
    services, controller, app = await _signed_in(make_services, profile_of, sandbox)
    client = services.auth.client
    sessions = await _server_sessions(client, app, SessionFilters())
    chosen = None
    for session in sessions:
        media = await client.list_session_media(app.application_id, session.session_id, archived="include")
        if media.items:
            chosen, chosen_media = session, media.items
            break
    assert chosen is not None, "the seeded sandbox has a session with media"
    target = tmp_path / "one.json"
    rec = SignalRecorder(controller.finished, controller.failed)
    controller.export_session(target, app.application_id, chosen.session_id)
    await rec.wait_any(("finished", "failed"), within=30)
    assert not rec.args("failed")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["sessionId"] == chosen.session_id and document["name"] == chosen.name
    assert document["data"] == await client.get_session_data(app.application_id, chosen.session_id)
    assert [p["id"] for p in document["participants"]] == [p.id for p in chosen.participants]
    assert {m["mediaId"] for m in document["media"]} >= {m.media_id for m in chosen_media}
    first = next(m for m in document["media"] if m["mediaId"] == chosen_media[0].media_id)
    assert first["filename"] == chosen_media[0].filename and first["contentType"]
    await wait_until(lambda: not controller.running, 5)
