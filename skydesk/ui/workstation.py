"""The main window's workstation parts: profiles, export, themes, shortcuts, View > Columns, the title.

Kept apart from main_window.py (which owns pages, sign-in and the session flow) and attached to it with
one line; everything here reaches the window only through its public parts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMenu, QStyle, QWidget

from skydesk.core.settings import ConnectionProfile
from skydesk.ui.common import confirm, name_widget, standard_icon
from skydesk.ui.export_dialog import ExportDialog
from skydesk.ui.profiles_dialog import ProfilesDialog
from skydesk.ui.shortcuts_help import ShortcutsDialog
from skydesk.ui.themes import THEMES, theme_manager

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from skydesk.ui.main_window import MainWindow

LARGE_EDIT = 40  # characters changed (or property rows) above which Esc asks before reverting


def _changed_chars(old: str, new: str) -> int:
    """How many characters an edit changed: the differing middle once the common ends are set aside."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return max(len(old), len(new)) - start - end


def _contrast_text(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (#rrggbb)."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


class WorkstationHooks(QObject):
    """Adds the workstation actions, menus and shortcuts to a MainWindow and keeps its title current."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.services = window.services
        self.profiles_dialog: ProfilesDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.revert_box: QMessageBox | None = None
        self.session_file_dialog: QFileDialog | None = None
        self.color_tag = QLabel()
        self._switch_to: str | None = None
        self._focus_before_save: QWidget | None = None
        self._add_actions()
        self._add_menus()
        self._connect()
        theme_manager().apply(self.services.settings.theme)
        self.update_title()

    # ------------------------------------------------------------------ construction

    def _action(
        self, text: str, shortcut: str | None = None, icon: QStyle.StandardPixmap | None = None
    ) -> QAction:
        act = QAction(text, self.window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            act.setIcon(standard_icon(self.window, icon))
        self.window.addAction(act)
        return act

    def _add_actions(self) -> None:
        window = self.window
        self.save_action = self._action("&Save session", "Ctrl+S")
        save_icon = QStyle.StandardPixmap.SP_DialogSaveButton
        self.export_action = self._action("&Export sessions…", "Ctrl+E", save_icon)
        self.export_session_action = self._action("Export this session as &JSON…")
        self.copy_id_action = self._action("&Copy session ID", "Ctrl+Shift+C")
        self.profiles_action = self._action("Connection &profiles…")
        self.shortcuts_action = self._action("&Keyboard shortcuts", "F1")
        window.find_action.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("Ctrl+L")])
        # Esc belongs to the detail pane only: elsewhere it keeps closing popups and cancelling edits.
        self.revert_shortcut = QShortcut(QKeySequence("Esc"), window.workspace.detail_pane)
        self.revert_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toolbar = window.toolbar
        toolbar.insertAction(window.sign_out_action, self.export_action)
        button = toolbar.widgetForAction(self.export_action)
        if button is not None:
            name_widget(button, "Export sessions")
        self.color_tag.setAccessibleName("Profile")
        self.color_tag.setContentsMargins(6, 0, 6, 0)
        self.color_tag.hide()
        toolbar.insertWidget(toolbar.actions()[0], self.color_tag)

    def _add_menus(self) -> None:
        window, bar = self.window, self.window.menuBar()
        menus = {a.text(): a.menu() for a in bar.actions()}
        file_menu, edit_menu, view_menu, help_menu = (
            menus.get(title) for title in ("&File", "&Edit", "&View", "&Help")
        )
        assert isinstance(file_menu, QMenu) and isinstance(edit_menu, QMenu) and isinstance(help_menu, QMenu)
        # After New session and Refresh, before the separator above Sign out.
        separator = file_menu.actions()[2]
        file_menu.insertActions(separator, [self.save_action, self.export_action, self.export_session_action])
        self.switch_menu = QMenu("S&witch profile", window)
        file_menu.insertMenu(window.sign_out_action, self.switch_menu)
        file_menu.insertAction(window.sign_out_action, self.profiles_action)
        edit_menu.addAction(self.copy_id_action)
        if not isinstance(view_menu, QMenu):  # the window makes it, so the bar is whole before this runs
            view_menu = QMenu("&View", window)
            bar.insertMenu(help_menu.menuAction(), view_menu)
        self.columns_menu = view_menu.addMenu("&Columns")
        self.columns_menu.setAccessibleName("Columns")
        theme_menu = view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for mode, title in THEMES.items():
            act = theme_menu.addAction(title)
            act.setCheckable(True)
            act.setChecked(mode == self.services.settings.theme)
            act.triggered.connect(lambda _on=False, m=mode: self.set_theme(m))
            group.addAction(act)
            self.theme_actions[mode] = act
        help_menu.insertAction(help_menu.actions()[0], self.shortcuts_action)
        self.view_menu = view_menu

    def _connect(self) -> None:
        window, services = self.window, self.services
        self.save_action.triggered.connect(self.save)
        self.export_action.triggered.connect(self.open_export)
        self.export_session_action.triggered.connect(self.open_export_session)
        self.copy_id_action.triggered.connect(self.copy_session_id)
        self.profiles_action.triggered.connect(self.open_profiles)
        self.shortcuts_action.triggered.connect(self.open_shortcuts)
        self.revert_shortcut.activated.connect(self.revert)
        self.columns_menu.aboutToShow.connect(self._on_columns_menu_about_to_show)
        self.switch_menu.aboutToShow.connect(self._on_switch_menu_about_to_show)
        window.sign_in_page.manage_profiles_requested.connect(self.open_profiles)
        window.sign_in_page.cancel_requested.connect(self._on_sign_in_page_cancel_requested)
        services.auth.signed_in.connect(self._on_auth_changed)
        services.auth.signed_out.connect(self._on_auth_signed_out)
        services.detail.saved.connect(self._on_detail_saved)
        pane = window.workspace.detail_pane
        pane.save_requested.connect(self._on_detail_pane_save_requested)
        # A click on Save leaves the focus in the field being edited (Save is disabled while it saves).
        pane.save_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        services.export.finished.connect(self._on_export_finished)
        services.profiles.changed.connect(self.update_title)
        self._on_auth_changed()

    # ------------------------------------------------------------------ title and colour tag

    def update_title(self) -> None:
        """ "skydesk — EU production (acme)" while signed in, so production and test never look alike."""
        window, auth = self.window, self.services.auth
        profile = auth.profile if auth.is_signed_in else None
        saved = self.services.settings.profile(profile.name) if profile is not None else None
        if profile is None or window.subtitle:  # the demo names itself ("Demo sandbox (local)")
            window.setWindowTitle(f"skydesk — {window.subtitle}" if window.subtitle else "skydesk")
            self.color_tag.hide()
            return
        window.setWindowTitle(f"skydesk — {profile.name} ({profile.realm})")
        color = (saved or profile).color
        self.color_tag.setText(profile.name)
        self.color_tag.setToolTip(f"Connected with the profile “{profile.name}”")
        if color:
            self.color_tag.setStyleSheet(
                f"background: {color}; color: {_contrast_text(color)}; border-radius: 3px; padding: 2px 6px;"
            )
        self.color_tag.setVisible(bool(color))

    # ------------------------------------------------------------------ actions

    def _workspace_shown(self) -> bool:
        window = self.window
        return window.services.auth.is_signed_in and window.pages.currentWidget() is window.workspace

    def save(self) -> None:
        """Ctrl+S: save the detail pane's edits; the focus stays where it was."""
        pane = self.window.workspace.detail_pane
        if not self._workspace_shown() or not pane.can_save():
            return
        self._focus_before_save = QApplication.focusWidget()
        pane.save_button.click()

    def revert(self) -> None:
        """Esc in the detail pane: put the fields back, after asking when the edit is large."""
        pane = self.window.workspace.detail_pane
        if not pane.dirty_fields():
            return
        session = pane.session
        if session is None:
            return
        edits = pane.edits()
        changed = sum(_changed_chars(getattr(session, k), v) for k, v in edits.items() if k != "properties")
        if "properties" in edits:
            old, new = session.properties, edits["properties"]
            rows = {k for k in old.keys() | new.keys() if str(old.get(k)) != str(new.get(k))}
            changed += len(rows) * LARGE_EDIT // 4
        if changed < LARGE_EDIT:
            pane.discard_edits()
            return
        self.revert_box = confirm(
            self.window,
            "Revert changes",
            "Throw away the unsaved changes to this session?",
            "Revert",
            pane.discard_edits,
        )

    def copy_session_id(self) -> None:
        """Ctrl+Shift+C: the selected (or shown) session's id to the clipboard."""
        if not self._workspace_shown():
            return
        workspace = self.window.workspace
        session_id = workspace.sessions.selected_session_id()
        if not session_id and workspace.detail_pane.session is not None:
            session_id = workspace.detail_pane.session.session_id
        if not session_id:
            self.window.presenter.transient("Select a session first.")
            return
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(session_id)
        self.window.presenter.transient(f"Session ID {session_id} copied", 3000)

    def open_export(self) -> ExportDialog | None:
        """Ctrl+E: export the list as filtered, sorted and shown, from every page."""
        browser = self.services.browser
        app = next((a for a in browser.applications if a.application_id == browser.application_id), None)
        if not self._workspace_shown() or app is None:
            return None
        if self.export_dialog is not None:
            self.export_dialog.raise_()
            return self.export_dialog
        sessions = self.window.workspace.sessions
        header = sessions.table.horizontalHeader()
        model = browser.model
        ordered = sorted(range(model.columnCount()), key=header.visualIndex)
        titles = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in ordered]
        shown = [t for c, t in zip(ordered, titles, strict=True) if not header.isSectionHidden(c)]
        total = model.total
        what = f"{total:,} session{'s' if total != 1 else ''} of “{app.name}”, filtered and sorted as listed."
        dialog = ExportDialog(self.services.export, what, shown, titles, Path.home(), self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.export_requested.connect(
            lambda path, spec: self.services.export.export_sessions(path, app, browser.filters, spec)
        )
        dialog.finished.connect(self._on_export_dialog_finished)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def open_export_session(self) -> None:
        """Export the session in the detail pane as one JSON file (in the home folder, named after it)."""
        session = self.window.workspace.detail_pane.session
        if not self._workspace_shown() or session is None:
            self.window.presenter.transient("Open a session first.")
            return
        suggested = Path.home() / f"session-{session.session_id}.json"
        dialog = QFileDialog(self.window, "Export this session", str(suggested), "JSON files (*.json)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        app_id, session_id = session.application_id, session.session_id
        dialog.fileSelected.connect(
            lambda path: self.services.export.export_session(Path(path), app_id, session_id)
        )
        self.session_file_dialog = dialog
        dialog.open()  # not exec(): the loop keeps running (see ui/common.confirm)

    def open_profiles(self) -> ProfilesDialog:
        """The Profiles dialog (from the sign-in page or File > Connection profiles…)."""
        if self.profiles_dialog is not None:
            self.profiles_dialog.raise_()
            return self.profiles_dialog
        dialog = ProfilesDialog(self.services.profiles, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.profile_chosen.connect(self.switch_profile)
        dialog.finished.connect(self._on_profiles_dialog_finished)
        current = self.window.sign_in_page.profile_combo.currentData()
        if current:
            dialog.select(str(current))
        self.profiles_dialog = dialog
        dialog.open()
        return dialog

    def open_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts."""
        dialog = ShortcutsDialog(self.window.actions(), self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.open()
        return dialog

    def set_theme(self, mode: str) -> None:
        """View > Theme: apply and remember it."""
        self.services.settings.theme = mode
        theme_manager().apply(mode)
        self.theme_actions[mode].setChecked(True)

    def switch_profile(self, name: str) -> None:
        """Use another profile without restarting: leave this sign-in (kept remembered), sign in there."""
        profile = self.services.settings.profile(name)
        if profile is None:
            return
        auth = self.services.auth
        if not auth.is_signed_in:
            self.window.show_sign_in(name)
            return
        current = auth.profile
        if current is not None and current.name == name:
            return

        def leave() -> None:
            self._switch_to = name
            auth.sign_out(forget=False)

        self.window.workspace.guard.check(leave, action="switching profile")

    # ------------------------------------------------------------------ slots

    def _on_columns_menu_about_to_show(self) -> None:
        self.window.workspace.sessions.fill_column_menu(self.columns_menu)

    def _on_switch_menu_about_to_show(self) -> None:
        menu = self.switch_menu
        menu.clear()
        current = self.services.auth.profile.name if self.services.auth.profile is not None else None
        for profile in self.services.settings.profiles:
            act = menu.addAction(profile.name)
            act.setCheckable(True)
            act.setChecked(profile.name == current and self.services.auth.is_signed_in)
            act.triggered.connect(lambda _on=False, n=profile.name: self.switch_profile(n))
        if not self.services.settings.profiles:
            menu.addAction("No saved profiles").setEnabled(False)

    def _on_sign_in_page_cancel_requested(self) -> None:
        self.services.tasks.cancel("auth.sign_in")

    def _on_auth_changed(self, *_args: object) -> None:
        signed_in = self.services.auth.is_signed_in
        for act in (self.save_action, self.export_action, self.export_session_action, self.copy_id_action):
            act.setEnabled(signed_in)
        self.update_title()

    def _on_auth_signed_out(self) -> None:
        self._on_auth_changed()
        name, self._switch_to = self._switch_to, None
        profile: ConnectionProfile | None = self.services.settings.profile(name) if name else None
        if profile is not None:
            self.services.settings.last_profile = profile.name
            self.window.start(profile)  # restores a remembered sign-in, or asks for the password

    def _on_detail_pane_save_requested(self, _edits: object) -> None:
        if self._focus_before_save is None:
            self._focus_before_save = QApplication.focusWidget()

    def _on_detail_saved(self, _fields: list[str]) -> None:
        # Saving disables Save for a moment; Qt then moves the focus on. Put it back where the user was
        # (on the name when it was Save itself, which stays disabled until the next edit).
        pane = self.window.workspace.detail_pane
        widget, self._focus_before_save = self._focus_before_save, None
        if widget is pane.save_button:
            widget = pane.name.editor
        if widget is not None and widget.isVisible() and widget.isEnabled():
            widget.setFocus()

    def _on_export_finished(self, path: str, count: int) -> None:
        self.window.presenter.transient(f"{count:,} exported to {path}", 8000)

    def _on_export_dialog_finished(self, _result: int) -> None:
        self.export_dialog = None

    def _on_profiles_dialog_finished(self, _result: int) -> None:
        self.profiles_dialog = None
        if not self.services.auth.is_signed_in and self.window.showing_sign_in():
            current = self.window.sign_in_page.profile_combo.currentData()
            self.window.show_sign_in(str(current) if current else None)
