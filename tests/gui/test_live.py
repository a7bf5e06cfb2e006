"""Live changes by another user, and a sign-in that expires in the middle of an edit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.api import SkylightClient
from skydesk.models.session_columns import COL_NAME
from skydesk.models.session_table import HighlightRole
from tests.gui.helpers import fill_sign_in, signed_in_window
from tests.support.qt import wait_until


async def test_change_by_another_user_updates_list_detail_and_participants(
    make_window: Any, sandbox: Any
) -> None:
    window = await signed_in_window(make_window, sandbox, "tech")
    await wait_until(lambda: window.status.live_state == "connected", 20, what="live events")
    model = window.services.browser.model
    session = next(s for s in model.sessions() if s.is_open)
    app_id, session_id = session.application_id, session.session_id
    window.workspace.sessions.select_session(session_id)
    pane, people = window.workspace.detail_pane, window.workspace.participants
    await wait_until(lambda: pane.session is not None and pane.session.session_id == session_id, 10)

    sam = sandbox.info.user("sam")
    new_name = f"Renamed by dispatch {datetime.now(UTC):%H%M%S%f}"
    async with SkylightClient(sandbox.info.api_url, ca_file=sandbox.info.ca_file) as other:
        await other.login(sandbox.info.realm, "dispatch", "dispatch-demo-pw")
        await other.update_session_name(app_id, session_id, new_name)
        await other.update_session_properties(app_id, session_id, {"priority": "urgent", "site": "Dock 3"})
        await other.add_participant(app_id, session_id, sam.id, "user")

    # No clicks, no F5: the events arrive over MQTT and every view follows.
    await wait_until(
        lambda: model.index(model.row_of(session_id), COL_NAME).data() == new_name, 15, what="row"
    )
    assert model.index(model.row_of(session_id), COL_NAME).data(HighlightRole) is not None, (
        "briefly highlighted"
    )
    await wait_until(lambda: pane.name.text() == new_name, 15, what="the detail pane's name")
    await wait_until(lambda: people.model.row_of(sam.id) >= 0, 15, what="sam in the participants pane")
    await wait_until(lambda: pane.properties.properties().get("priority") == "urgent", 15, what="properties")
    assert pane.properties.properties()["site"] == "Dock 3"


async def test_expired_sign_in_mid_edit_asks_for_the_password_and_keeps_the_edit(
    make_window: Any, make_sandbox: Any
) -> None:
    sb = make_sandbox(seed=6, token_ttl=3, refresh_ttl=5)
    window = await signed_in_window(make_window, sb, "tech")
    model = window.services.browser.model
    session = next(s for s in model.sessions() if s.is_open)
    window.workspace.sessions.select_session(session.session_id)
    pane = window.workspace.detail_pane
    await wait_until(lambda: pane.session is not None and pane.session.session_id == session.session_id, 10)

    pane.name.editor.selectAll()
    QTest.keyClicks(pane.name.editor, "Edited while the sign-in expired")
    client = window.services.auth.client

    def refresh_token_dead() -> bool:
        expires = client.refresh_expires_at
        return expires is not None and datetime.now(UTC) > expires + timedelta(seconds=0.5)

    await wait_until(refresh_token_dead, 30, interval=0.2, what="the refresh token to expire")
    QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)

    dialog = await wait_until(lambda: window.reauth_dialog, 15, what="the password prompt")
    assert "tech" in dialog.message.text()
    assert pane.name.text() == "Edited while the sign-in expired", "the edit is still on screen"
    dialog.password.setText("wrong")
    dialog.sign_in_button.click()
    await wait_until(dialog.error.isVisible, 15, what="the wrong-password message")
    assert window.reauth_dialog is dialog, "a wrong password keeps the prompt open"
    dialog.password.setText("tech-demo-pw")
    dialog.sign_in_button.click()

    await wait_until(lambda: window.reauth_dialog is None, 15, what="the prompt to close")
    await wait_until(lambda: not pane.dirty_fields(), 15, what="the pending edit to be saved")
    assert pane.name.text() == "Edited while the sign-in expired"
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as other:
        await other.login(sb.info.realm, "tech", "tech-demo-pw")
        server = await other.get_session(session.application_id, session.session_id)
    assert server.name == "Edited while the sign-in expired"
    await asyncio.sleep(0)


async def test_a_reconnect_that_lost_events_fetches_the_list_and_detail_again(
    make_window: Any, make_sandbox: Any
) -> None:
    sb = make_sandbox(seed=6)
    window = await signed_in_window(make_window, sb, "tech")
    await wait_until(lambda: window.status.live_state == "connected", 20, what="live events")
    model = window.services.browser.model
    session = next(s for s in model.sessions() if s.is_open)
    window.workspace.sessions.select_session(session.session_id)
    pane = window.workspace.detail_pane
    await wait_until(lambda: pane.session is not None and pane.session.session_id == session.session_id, 10)
    resyncs: list[bool] = []
    window.services.bridge.resync_needed.connect(lambda: resyncs.append(True))

    # The broker goes away and forgets the app's session: the change made meanwhile is never delivered.
    sb.stop_broker()
    await wait_until(lambda: window.status.live_state != "connected", 20, what="live events to drop")
    new_name = f"Renamed while offline {datetime.now(UTC):%H%M%S%f}"
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as other:
        await other.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        await other.update_session_name(session.application_id, session.session_id, new_name)
    await asyncio.sleep(0.5)
    assert pane.name.text() == session.name, "nothing arrived while offline"

    sb.start_broker()
    await wait_until(lambda: resyncs, 30, what="the stream to report lost events")
    await wait_until(lambda: pane.name.text() == new_name, 15, what="the detail pane fetched again")
    await wait_until(
        lambda: model.index(model.row_of(session.session_id), COL_NAME).data() == new_name,
        15,
        what="the list fetched again",
    )
    assert window.status.live_state == "connected"
    assert window.workspace.sessions.selected_session_id() == session.session_id, "the selection stays"


async def test_two_windows_of_one_user_on_one_computer_both_get_live_events(
    make_window: Any, make_sandbox: Any
) -> None:
    # The broker lets one connection hold a client id. Two windows of one user on one device used the
    # same id, so each connect threw the other window off (neither kept its events for long).
    sb = make_sandbox(seed=6)
    first = await signed_in_window(make_window, sb, "tech")
    await wait_until(lambda: first.status.live_state == "connected", 20, what="live events in the first")
    second = make_window()
    second.services.settings.device_id = first.services.settings.device_id  # one installation
    fill_sign_in(second, sb, "tech")
    QTest.mouseClick(second.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_until(lambda: second.status.live_state == "connected", 20, what="live events in the second")
    assert "Another skydesk window" in second.status.live_label.toolTip()
    assert "Another skydesk window" not in first.status.live_label.toolTip(), "the first keeps the queue"
    ids = sb._broker.connected_client_ids()
    assert len([i for i in ids if sb.info.user("tech").id in i]) == 2

    model = first.services.browser.model
    session = next(s for s in model.sessions() if s.is_open)
    for new_name in (f"Renamed for both windows {n} {datetime.now(UTC):%H%M%S%f}" for n in range(2)):
        async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as other:
            await other.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
            await other.update_session_name(session.application_id, session.session_id, new_name)
        for window in (first, second):
            shown = window.services.browser.model

            def name_shown(m: Any = shown, n: str = new_name) -> bool:
                return bool(m.index(m.row_of(session.session_id), COL_NAME).data() == n)

            await wait_until(name_shown, 15, what="the change in both windows")
    assert first.status.live_state == second.status.live_state == "connected"


async def test_a_stream_that_fails_to_start_gives_back_its_client_id(
    make_window: Any, make_sandbox: Any, monkeypatch: Any
) -> None:
    # A stream that cannot be built must not keep the claim on this device's client id: the next
    # sign-in would then take random digits and lose what the broker queued for the user.
    # The failure is faked (EventStream raising once): a real CA file bad enough to fail the MQTT TLS
    # context would fail the sign-in's REST connection first.
    from skydesk.core import paths
    from skydesk.core.claims import claim
    from skydesk.events import stable_client_suffix
    from skydesk.models import live

    sb = make_sandbox(seed=6)
    real_stream = live.EventStream
    failures: list[str] = []

    def failing_stream(*args: Any, **kwargs: Any) -> Any:
        failures.append(kwargs["client_suffix"])
        raise OSError("the CA file could not be read")

    monkeypatch.setattr(live, "EventStream", failing_stream)
    window = await signed_in_window(make_window, sb, "tech")
    await wait_until(lambda: "cannot start" in window.status.live_label.toolTip(), 20, what="the failure")
    user_id = sb.info.user("tech").id
    suffix = stable_client_suffix(window.services.settings.device_id, user_id)
    assert failures == [suffix], "the first stream of this user here asks for the stable id"
    name = f"{sb.info.realm}-{user_id}-{suffix}"
    taken = await asyncio.get_running_loop().run_in_executor(
        None, claim, paths.state_dir() / "client-ids", name
    )
    assert taken is not None, "the failed stream still holds the client id"
    taken.release()

    monkeypatch.setattr(live, "EventStream", real_stream)
    window.sign_out_action.trigger()
    await wait_until(window.showing_sign_in, 20, what="the sign-in page")
    fill_sign_in(window, sb, "tech")
    QTest.mouseClick(window.sign_in_page.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_until(
        lambda: window.status.live_state == "connected", 20, what="live events after signing in again"
    )
    assert any(i.endswith(f"-{suffix}") for i in sb._broker.connected_client_ids()), "the stable id is used"
    assert "Another skydesk window" not in window.status.live_label.toolTip()
