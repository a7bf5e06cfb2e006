"""Puts the content views into the window: data editor and timeline tabs, the Event log dock and its menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFrame, QMenu, QScrollArea

from skydesk.ui.data_editor import DataEditor
from skydesk.ui.event_log_dock import EventLogDock
from skydesk.ui.timeline_tab import TimelineTab

if TYPE_CHECKING:
    from skydesk.ui.main_window import MainWindow


class ContentViews(QObject):
    """Builds the views of ``services.content`` and hooks them into ``window`` (before layout restore)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        services = window.services
        content = services.content
        pane = window.workspace.detail_pane
        self.data_editor = DataEditor(content.data_editor)
        self.data_editor.user_label = services.labels.label  # type: ignore[method-assign]
        self.timeline = TimelineTab(content.timeline)
        pane.add_section("Session data", self.data_editor)
        scroll = QScrollArea()  # the tab may be shorter than the form and list need: it scrolls then
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.timeline)
        pane.add_section("Timeline", scroll)
        window.presenter.register("data", self.data_editor)
        window.presenter.register("timeline", self.timeline)

        self.dock = EventLogDock(content.event_log, window)
        self.dock.reconnect = content.reconnect_now
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()  # shown from View > Event log; it records events while hidden
        toggle = self.dock.toggleViewAction()
        toggle.setText("&Event log")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+E"))
        window.addAction(toggle)
        bar = window.menuBar()
        # One View menu: join the one already there (View > Columns, Theme), else make it.
        existing = next((a.menu() for a in bar.actions() if a.text() == "&View"), None)
        if isinstance(existing, QMenu):
            view_menu = existing
            view_menu.addSeparator()
        else:
            help_menu = next((a for a in bar.actions() if a.text() == "&Help"), None)
            view_menu = QMenu("&View", bar)
            if help_menu is not None:
                bar.insertMenu(help_menu, view_menu)
            else:
                bar.addMenu(view_menu)
        view_menu.addAction(toggle)
        self.view_menu = view_menu
        self.toggle_action = toggle
        services.bridge.state_changed.connect(self.dock.set_connection)
        services.labels.changed.connect(self._on_labels_changed)

    def _on_labels_changed(self) -> None:
        self.dock.table.viewport().update()
