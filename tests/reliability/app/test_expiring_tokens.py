"""Two minutes of scripted use in the real window while access tokens live 5 seconds (issue 11, point 1).

Browse (select, F5), rename and save, patch the session data through the data editor, upload media, over and
over, against a sandbox whose access tokens expire every 5 s: no problem is ever shown, no password is asked
for, and every write the app sent is on the server exactly once (counted from the server's own events and
media). Then every token, the refresh token too, is expired (the sandbox's fault control) in the middle of
an edit: the password prompt appears, the edit stays on screen and is saved after signing in again.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from skydesk.api import Participant, SkylightClient
from skydesk.models.media_transfers import DONE
from skydesk.sandbox.seed import png_bytes
from tests.gui.helpers import signed_in_window
from tests.support.crash_hooks import CrashHooks
from tests.support.qt import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

RUN_FOR = 120.0  # seconds of scripted use
TOKEN_TTL = 5  # seconds an access token lives
SESSIONS = 3


async def _fresh_sessions(sb: Any) -> tuple[str, list[str]]:
    """Sessions only this test writes to (tech takes part), each with a small data document."""
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as dispatch:
        await dispatch.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        app_id = next(a.application_id for a in sb.info.applications if a.name == "Field Inspection")
        tech = sb.info.user("tech").id
        ids = []
        for n in range(SESSIONS):
            session = await dispatch.create_session(
                app_id, name=f"Token run {n}", participants=[Participant(tech)]
            )
            await dispatch.patch_session_data(app_id, session.session_id, {"counter": 0, "site": f"bay {n}"})
            ids.append(session.session_id)
    return app_id, ids


async def _server_writes(sb: Any, app_id: str, ids: list[str]) -> tuple[Counter[str], dict[str, Any]]:
    """What the server saw: renames, data patches and media items per session, and each session's state."""
    seen: Counter[str] = Counter()
    state: dict[str, Any] = {}
    async with SkylightClient(sb.info.api_url, ca_file=sb.info.ca_file) as dispatch:
        await dispatch.login(sb.info.realm, "dispatch", "dispatch-demo-pw")
        for sid in ids:
            cursor = None
            while True:
                page = await dispatch.list_session_events(app_id, sid, limit=200, next_cursor=cursor)
                for event in page.items:
                    if event.user_id == sb.info.user("tech").id:
                        seen[event.event_type] += 1
                cursor = page.next_cursor
                if not cursor or not page.items:
                    break
            # Every page: on a quiet machine two minutes upload more than one page (200) to a session.
            media = [m async for m in dispatch.iter_session_media(app_id, sid, page_size=200)]
            seen["media"] += len(media)
            session = await dispatch.get_session(app_id, sid)
            state[sid] = (session.name, await dispatch.get_session_data(app_id, sid), len(media))
    return seen, state


class Script:
    """The user's steps, through the window's widgets (and the media controller for the file upload)."""

    def __init__(self, window: Any, app_id: str, ids: list[str], tmp_path: Path) -> None:
        self.window, self.app_id, self.ids, self.tmp_path = window, app_id, ids, tmp_path
        self.sent: Counter[str] = Counter()
        self.expected: dict[str, list[Any]] = {sid: [None, None, 0] for sid in ids}  # name, data, media

    async def open(self, sid: str) -> None:
        window = self.window
        window.workspace.sessions.select_session(sid)
        pane = window.workspace.detail_pane
        editor = window.services.content.data_editor
        await wait_until(
            lambda: pane.session is not None and pane.session.session_id == sid and editor.session_id == sid,
            30,
            what=f"session {sid} open",
        )

    async def rename(self, sid: str, name: str) -> None:
        pane = self.window.workspace.detail_pane
        pane.name.editor.selectAll()
        QTest.keyClicks(pane.name.editor, name)
        await wait_until(pane.save_button.isEnabled, 10, what="Save enabled")
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: not pane.dirty_fields(), 30, what=f"the rename to {name!r} saved")
        self.sent["session_updated"] += 1
        self.expected[sid][0] = name

    async def patch_data(self, sid: str, counter: int) -> None:
        window = self.window
        editor, ctl = window.content_views.data_editor, window.services.content.data_editor
        window.workspace.detail_pane.tabs.setCurrentWidget(editor)
        document = {**ctl.edit(), "counter": counter}
        ctl.replace_edit(document)
        QTest.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        review = await wait_until(lambda: editor.review, 10, what="the review dialog")
        QTest.mouseClick(review.send_button, Qt.MouseButton.LeftButton)
        await wait_until(lambda: not ctl.saving and not ctl.is_dirty(), 30, what="the data patch saved")
        self.sent["session_data_updated"] += 1
        self.expected[sid][1] = document

    async def upload(self, sid: str, n: int) -> None:
        media = self.window.services.media
        if media.session != (self.app_id, sid):
            media.open(self.app_id, sid)
        source = self.tmp_path / f"photo-{n}.png"
        source.write_bytes(png_bytes(64, 48, seed=n))
        transfer = media.upload(source, "image/png", {"title": f"photo {n}"})
        assert transfer is not None
        await wait_until(lambda: transfer.state == DONE, 60, what=f"upload {n} ({transfer.summary()})")
        self.sent["media"] += 1
        self.expected[sid][2] += 1


async def test_two_minutes_of_use_with_5_second_tokens_lose_nothing(
    make_window: Any, make_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_sandbox(seed=4, token_ttl=TOKEN_TTL, refresh_ttl=3600)
    app_id, ids = await _fresh_sessions(sb)
    window = await signed_in_window(make_window, sb, "tech")
    problems: list[Any] = []
    window.services.ops.problem_raised.connect(problems.append)
    prompts: list[bool] = []
    hooks = CrashHooks()
    uninstall = hooks.install(asyncio.get_running_loop())
    client = window.services.auth.client
    tokens_seen: set[Any] = set()  # access tokens, by their expiry time (the tokens stay out of the test)
    script = Script(window, app_id, ids, tmp_path)
    steps = 0
    try:
        await wait_until(lambda: all(window.services.browser.model.row_of(s) >= 0 for s in ids), 30)
        started = time.monotonic()
        while time.monotonic() - started < RUN_FOR:
            sid = ids[steps % SESSIONS]
            await script.open(sid)
            await script.rename(sid, f"Renamed at step {steps}")
            await script.patch_data(sid, steps + 1)  # the documents start at 0
            if steps % 3 == 0:
                await script.upload(sid, steps)
            if steps % 4 == 0:
                window.refresh_action.trigger()  # F5
            tokens_seen.add(client.access_expires_at)
            prompts.append(window.reauth_dialog is not None)
            assert not problems, [p.message for p in problems]
            assert not hooks.seen, hooks.seen
            steps += 1
        ran_for = time.monotonic() - started

        # Now the refresh token dies too, in the middle of an edit: the password is asked for, and the edit
        # survives and is saved afterwards.
        sid = ids[steps % SESSIONS]
        await script.open(sid)
        sb.expire_tokens()
        pane = window.workspace.detail_pane
        pane.name.editor.selectAll()
        QTest.keyClicks(pane.name.editor, "Saved after signing in again")
        QTest.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
        dialog = await wait_until(lambda: window.reauth_dialog, 30, what="the password prompt")
        assert pane.name.text() == "Saved after signing in again" and pane.dirty_fields(), "the edit stays"
        dialog.password.setText("tech-demo-pw")
        dialog.sign_in_button.click()
        await wait_until(lambda: window.reauth_dialog is None, 30, what="the prompt to close")
        await wait_until(lambda: not pane.dirty_fields(), 30, what="the edit saved after signing in")
        script.sent["session_updated"] += 1
        script.expected[sid][0] = "Saved after signing in again"
        assert not hooks.seen, hooks.seen
    finally:
        uninstall()

    seen, state = await _server_writes(sb, app_id, ids)
    for sid in ids:
        name, data, media = script.expected[sid]
        assert state[sid] == (name, data, media), f"session {sid}: the server holds {state[sid]}"
    sent = dict(script.sent)
    assert {kind: seen[kind] for kind in sent} == sent, "every write reached the server exactly once"
    assert not any(prompts), "no password prompt while the refresh token lived"
    assert len(tokens_seen) >= ran_for / TOKEN_TTL / 2, f"only {len(tokens_seen)} access tokens were used"
    print(
        f"\n{ran_for:.0f} s of use with {TOKEN_TTL} s access tokens: {steps} rounds, "
        f"{len(tokens_seen)} access tokens, writes sent {sent}, seen on the server {dict(seen)}, "
        "problems shown 0, lost 0; "
        "then the refresh token expired mid-edit: asked for the password, the edit saved after"
    )
