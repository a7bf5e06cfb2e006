"""End to end in the real window: the detail pane's Media tab follows the open session."""

from __future__ import annotations

from typing import Any

import shiboken6

from tests.gui.helpers import fill_sign_in, wait_loaded
from tests.media.conftest import annotated_media
from tests.support.qt import wait_until


async def test_media_tab_in_the_detail_pane_follows_the_session(
    make_services: Any, tech: Any, sandbox: Any
) -> None:
    from skydesk.ui.main_window import MainWindow

    seeded = await annotated_media(tech)  # a seeded session of the technician, with photos
    services = make_services()
    window = MainWindow(services)
    window.show()
    try:
        fill_sign_in(window, sandbox, "tech")
        window.sign_in_page.sign_in_button.click()
        await wait_loaded(window)
        tab = window.media_tab
        tabs = window.workspace.detail_pane.tabs
        assert tabs.tabText(tabs.indexOf(tab)) == "Media"
        window.workspace.open_session(seeded.application_id, seeded.session_id)
        await wait_until(lambda: window.workspace.detail_pane.session is not None, 60, what="session open")
        assert services.media.model.rowCount() == 0  # nothing is fetched while the tab is hidden
        tabs.setCurrentWidget(tab)
        await wait_until(lambda: seeded.media_id in [m.media_id for m in services.media.model.items], 60)
        await wait_until(lambda: services.thumbnails.ready_for(services.media.model.items[0]), 60)
        window.workspace.show_application(seeded.application_id)  # leaving the session empties the tab
        await wait_until(lambda: services.media.model.rowCount() == 0, 60, what="tab emptied")
    finally:
        window.save_layout()
        window.allow_close()
        window.close()
        shiboken6.delete(window)
