"""Uploads and downloads from the Media tab, with progress and Cancel, checked by checksum on the server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from skydesk.api import NotFound
from skydesk.api.media_content import UPLOAD_CHUNK_BYTES
from skydesk.models.media import COL_UPLOAD
from skydesk.models.media_transfers import CANCELLED, DONE, Transfer
from skydesk.ui.media_tab import MediaTab
from tests.media.helpers import add_media, dump_tasks, file_sha, new_session, server_sha, sha
from tests.support.qt import wait_until

MIB = 1024 * 1024


def _random_file(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        left = size
        while left:
            block = os.urandom(min(left, MIB))
            handle.write(block)
            left -= len(block)
    return path


def _cancel_once_past(transfer: Transfer, limit: int) -> None:
    """Press Cancel as soon as more than ``limit`` bytes went over (the SDK reports every 256 KiB)."""
    report = transfer.report

    def watching(done: int, total: int) -> None:
        report(done, total)
        if limit < done < total:
            transfer.cancel()

    transfer.report = watching  # type: ignore[method-assign]


async def _open_tab(services: Any, app_id: str, sid: str, qtbot: Any) -> MediaTab:
    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    tab.show()
    services.media.open(app_id, sid)
    try:
        await wait_until(lambda: services.ops.busy("media.list") == 0, 30, what="list")
    except AssertionError:
        dump_tasks()
        raise
    return tab


async def test_upload_shows_progress_and_lands_whole(
    services: Any, tech: Any, app_id: str, tmp_path: Path, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    tab = await _open_tab(services, app_id, sid, qtbot)
    source = _random_file(tmp_path / "site.mp4", 2 * UPLOAD_CHUNK_BYTES + 12345)
    dialog = tab.add_file(source)
    dialog.title_field.set_text("Pump room walk-through")
    dialog.labels_edit.setText("video, north")
    seen: list[int] = []
    services.media.transfer_started.connect(lambda t: t.progressed.connect(lambda d, _t: seen.append(d)))
    dialog.buttons.accepted.emit()  # Upload
    transfer = await wait_until(lambda: services.media.transfers and services.media.transfers[-1])
    await wait_until(lambda: transfer.state == DONE, 60, what=f"upload done ({transfer.summary()})")
    size = source.stat().st_size
    assert seen == sorted(seen) and seen[-1] == size and len(set(seen)) >= 3  # it moved, then finished
    row = tab.transfers.rows[-1]
    assert row.bar.value() == 1000 and "uploaded" in row.label.text()

    items = (await tech.list_session_media(app_id, sid)).items
    assert [(m.filename, m.title, m.labels, m.is_complete) for m in items] == [
        ("site.mp4", "Pump room walk-through", ("video", "north"), True)
    ]
    assert await server_sha(tech, items[0]) == file_sha(source)
    assert services.media.model.index(0, COL_UPLOAD).data() == "complete"


async def test_limits_are_checked_before_sending(
    services: Any, tech: Any, app_id: str, tmp_path: Path, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    tab = await _open_tab(services, app_id, sid, qtbot)
    dialog = tab.add_file(_random_file(tmp_path / "a.bin", 10))
    dialog.title_field.set_text("t" * 256)
    dialog.labels_edit.setText("a, " + "x" * 65)
    assert set(dialog.errors()) == {"title", "labels"}
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    assert "64" in dialog.labels_message.text()
    dialog.buttons.accepted.emit()
    assert dialog.result() == 0 and not services.media.transfers  # nothing was sent
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024**3 + 1)  # sparse: takes no disk space
    assert services.media.upload(huge, "video/mp4", {}) is None
    assert tab.banner.isVisibleTo(tab) and "2 GiB" in tab.banner.text()
    assert (await tech.list_session_media(app_id, sid)).items == []


async def test_cancelled_upload_is_shown_incomplete_then_resumed_to_one_whole_item(
    services: Any, tech: Any, app_id: str, tmp_path: Path, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    tab = await _open_tab(services, app_id, sid, qtbot)
    source = _random_file(tmp_path / "long.mp4", 3 * UPLOAD_CHUNK_BYTES + 999)
    armed = [True]

    def cancel_the_first(started: Transfer) -> None:
        if armed:
            armed.clear()
            _cancel_once_past(started, UPLOAD_CHUNK_BYTES + MIB)

    services.media.transfer_started.connect(cancel_the_first)
    transfer = services.media.upload(source, "video/mp4", {"title": "Long"})
    assert transfer is not None
    await wait_until(lambda: transfer.state == CANCELLED, 60, what=f"cancelled ({transfer.summary()})")

    model = services.media.model
    await wait_until(
        lambda: model.rowCount() == 1 and model.items[0].uploaded_bytes > 0, 60, what="partial row"
    )
    partial = model.items[0]
    assert 0 < partial.uploaded_bytes < partial.total_bytes  # what the server kept: whole chunks only
    assert model.index(0, COL_UPLOAD).data().startswith("incomplete:")
    tab.table.selectRow(0)
    assert tab.buttons["resume"].isEnabled() and not tab.buttons["download"].isEnabled()
    assert tab.buttons["download"].toolTip() == "The upload of this item is not complete."

    # As after a restart of the app: the file is not known any more, so Resume asks for it.
    services.media._sources.clear()
    asked: list[bool] = []

    def pick(then: Any) -> None:
        asked.append(True)
        then(source)

    tab.choose_upload = pick
    tab.buttons["resume"].trigger()
    assert asked == [True]
    resumed = services.media.transfers[-1]
    await wait_until(lambda: resumed.state == DONE, 60, what=f"resumed ({resumed.summary()})")
    items = (await tech.list_session_media(app_id, sid, archived="include")).items
    assert len(items) == 1 and items[0].is_complete and items[0].total_bytes == source.stat().st_size
    assert await server_sha(tech, items[0]) == file_sha(source)
    await wait_until(lambda: model.index(0, COL_UPLOAD).data() == "complete", 10, what="row complete")


async def test_download_has_the_right_bytes_and_cancel_leaves_no_file(
    services: Any, tech: Any, app_id: str, tmp_path: Path, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    payload = os.urandom(6 * MIB + 7)
    await add_media(tech, app_id, sid, "scan.bin", payload, content_type="application/octet-stream")
    tab = await _open_tab(services, app_id, sid, qtbot)
    tab.table.selectRow(0)
    first = tmp_path / "first"
    first.mkdir()
    tab.choose_download = lambda media, then: then(first / "scan.bin")
    tab.buttons["download"].trigger()
    transfer = services.media.transfers[-1]
    await wait_until(lambda: transfer.state == DONE, 30, what=f"download ({transfer.summary()})")
    assert sha((first / "scan.bin").read_bytes()) == sha(payload)
    assert os.listdir(first) == ["scan.bin"]

    second = tmp_path / "second"
    second.mkdir()
    media = services.media.model.items[0]
    services.media.transfer_started.connect(lambda t: _cancel_once_past(t, 0))
    cancelled = services.media.download(media, second / "scan.bin")
    await wait_until(lambda: cancelled.state == CANCELLED, 30, what=f"cancelled ({cancelled.summary()})")
    assert os.listdir(second) == []  # neither the file nor its temporary part


async def test_archive_unarchive_and_delete_reach_the_server(
    services: Any, tech: Any, app_id: str, qtbot: Any
) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    sid = await new_session(tech, app_id)
    media = await add_media(tech, app_id, sid, "gauge.png")
    tab = await _open_tab(services, app_id, sid, qtbot)
    tab.archived_box.setCurrentIndex(1)  # with archived: the row stays, marked
    await wait_until(lambda: services.ops.busy("media.list") == 0, 60)
    tab.table.selectRow(0)
    tab.buttons["archive"].trigger()
    await wait_until(lambda: (services.media.model.items or [None])[0].archived, 60, what="archived row")
    assert (await tech.get_session_media(app_id, sid, media.media_id)).archived
    tab.table.selectRow(0)
    assert tab.buttons["archive"].text() == "Unarchive"
    tab.buttons["archive"].trigger()
    await wait_until(lambda: not services.media.model.items[0].archived, 60, what="unarchived row")
    assert not (await tech.get_session_media(app_id, sid, media.media_id)).archived

    tab.table.selectRow(0)
    tab.buttons["delete"].trigger()
    box = await wait_until(
        lambda: next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None
        )
    )
    assert "gauge.png" in box.text()  # the confirmation names the file
    next(b for b in box.buttons() if b.text() == "Delete gauge.png").click()
    await wait_until(lambda: services.media.model.rowCount() == 0, 60, what="row gone")
    try:
        await tech.get_session_media(app_id, sid, media.media_id)
        raise AssertionError("still on the server")
    except NotFound:
        pass


async def test_actions_are_disabled_with_a_reason_on_a_closed_session(
    services: Any, tech: Any, app_id: str, qtbot: Any
) -> None:
    sid = await new_session(tech, app_id)
    await add_media(tech, app_id, sid, "done.png")
    tab = MediaTab(services.media)
    qtbot.addWidget(tab)
    services.media.open(app_id, sid, closed=True)
    await wait_until(lambda: services.media.model.rowCount() == 1, 60)
    tab.table.selectRow(0)
    for key in ("add", "edit", "archive", "delete", "resume"):
        assert not tab.buttons[key].isEnabled(), key
        assert "closed" in tab.buttons[key].toolTip() or key == "resume", key
    assert tab.buttons["download"].isEnabled() and tab.buttons["preview"].isEnabled()
    services.media.open(app_id, sid, closed=False)
    services.media.set_role_permission(False, "Your role (Viewer) does not include media:write.")
    assert not tab.buttons["edit"].isEnabled() and "media:write" in tab.buttons["edit"].toolTip()


async def test_resume_with_another_file_is_refused_and_said(
    services: Any, tech: Any, app_id: str, sandbox: Any, tmp_path: Path, qtbot: Any
) -> None:
    from skydesk.models.media_transfers import FAILED

    sid = await new_session(tech, app_id)
    half = await tech.create_session_media(
        app_id, sid, filename="half.bin", content_type="application/octet-stream", total_bytes=10
    )
    service = sandbox.service
    service.upload_content(
        service.actor_by_username("tech"), app_id, sid, half.media_id, b"12345", "bytes 0-4/10"
    )
    tab = await _open_tab(services, app_id, sid, qtbot)
    window_problems: list[Any] = []
    services.ops.problem_raised.connect(window_problems.append)
    tab.table.selectRow(0)
    tab.choose_upload = lambda then: then(_random_file(tmp_path / "other.bin", 7))
    tab.buttons["resume"].trigger()
    transfer = services.media.transfers[-1]
    await wait_until(lambda: transfer.state == FAILED, 60, what=transfer.summary())
    assert "exactly 10 bytes" in transfer.summary()
    assert window_problems and window_problems[-1].scope == "media"  # the presenter puts it on the tab
    assert (await tech.get_session_media(app_id, sid, half.media_id)).uploaded_bytes == 5  # untouched


async def test_a_role_without_media_write_disables_the_changes_with_its_reason(
    make_services: Any, sandbox: Any, app_id: str, qtbot: Any
) -> None:
    from skydesk.models.media_services import follow_permissions
    from skydesk.models.permissions import Permissions
    from tests.media.conftest import sign_in

    for user, allowed in (("viewer", False), ("tech", True)):
        services = make_services()
        await sign_in(services, sandbox, user)
        permissions = Permissions(services.auth, services.ops, parent=services)
        follow_permissions(services.media, permissions)
        tab = MediaTab(services.media)
        qtbot.addWidget(tab)
        services.media.open(app_id, "any-session")
        permissions.set_application(app_id, "Field Inspection")
        add = tab.buttons["add"]
        if allowed:
            await wait_until(lambda p=permissions: p.may("read_roles"), 60, what="the tech's rights")
            assert add.isEnabled(), add.toolTip()
        else:
            await wait_until(lambda a=add: not a.isEnabled(), 60, what="Add disabled for the viewer")
            assert add.toolTip() == "Your role in Field Inspection does not allow uploading media"
