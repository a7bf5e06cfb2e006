"""Puts the content views into the window: data editor and timeline tabs, the Event log dock and its menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFrame, QMenu, QScrollArea, QWidget

from skydesk.ui.data_editor import DataEditor
from skydesk.ui.event_log_dock import EventLogDock
from skydesk.ui.timeline_tab import TimelineTab

CHANGED_CSS = "rgba(255, 214, 102, 110)"  # the same soft amber as changed fields in the data tree

if TYPE_CHECKING:
    from skydesk.api import Session
    from skydesk.ui.main_window import MainWindow


class ContentViews(QObject):
    """Builds the views of ``services.content`` and hooks them into ``window`` (before layout restore)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
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
        editing = content.data_editor
        window.workspace.guard.others.append(
            (lambda: "session data" if editing.is_dirty() else "", editing.revert)
        )
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
        self.dock.limit_changed.connect(self._on_dock_limit_changed)
        self.changed_fields = ChangedFields(window)
        services.bridge.state_changed.connect(self.dock.set_connection)
        services.labels.changed.connect(self._on_labels_changed)

    def _on_labels_changed(self) -> None:
        self.dock.table.viewport().update()

    def _on_dock_limit_changed(self, limit: int) -> None:
        self._window.services.settings.event_log_limit = limit  # saved with the other settings at exit


class ChangedFields(QObject):
    """Marks the detail pane's fields that someone else changed while the user looked, until another
    session is opened."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._last: Session | None = None
        self.marked: set[str] = set()
        window.services.detail.session_loaded.connect(self._on_detail_session_loaded)

    def _widgets(self) -> dict[str, QWidget]:
        pane = self._window.workspace.detail_pane
        return {
            "name": pane.name.editor,
            "description": pane.description.editor,
            "properties": pane.properties.table,
            "status": pane.status_value,
            "version": pane.version_value,
        }

    def _on_detail_session_loaded(self, session: Session | None) -> None:
        last, self._last = self._last, session
        if session is None or last is None or last.session_id != session.session_id:
            self._mark(set(), "")
            return
        client = self._window.services.auth.client
        if client is not None and session.modified_by == client.user_id:
            return  # the user's own save: nothing new to them
        fields = {f for f in self._widgets() if getattr(last, f) != getattr(session, f)}
        if fields:
            self._mark(self.marked | fields, self._window.services.labels.label(session.modified_by))

    def _mark(self, fields: set[str], who: str) -> None:
        for name, widget in self._widgets().items():
            on = name in fields
            if on or name in self.marked:
                widget.setStyleSheet(f"background-color: {CHANGED_CSS};" if on else "")
                widget.setAccessibleDescription(f"Changed by {who}" if on else "")
        self.marked = fields
