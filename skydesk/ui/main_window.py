"""The main window: sign-in, start-up progress and the workspace, with actions, status bar and persistence."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMainWindow, QStackedWidget, QWidget

from skydesk import __version__
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.ui import window_layout
from skydesk.ui.common import app_icon, name_widget, open_message, standard_icon
from skydesk.ui.progress import ProgressPage
from skydesk.ui.signin import SignInPage
from skydesk.ui.status import StatusWidgets
from skydesk.ui.themes import theme_manager

# The workspace, its hooks and the problem presenter (which pulls in the SDK and httpx) are imported by
# attach(): the sign-in page is shown without them, so a cold start paints it sooner (benchmark B1).
if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QToolBar

    from skydesk.api import Application
    from skydesk.models.services import AppServices
    from skydesk.ui.content_views import ContentViews
    from skydesk.ui.errors import ProblemPresenter
    from skydesk.ui.media_tab import MediaTab
    from skydesk.ui.people_hooks import PeopleHooks
    from skydesk.ui.reauth import ReauthDialog
    from skydesk.ui.workspace import SessionWorkspace
    from skydesk.ui.workstation import WorkstationHooks

log = logging.getLogger(__name__)

PAGE_SIGN_IN, PAGE_PROGRESS, PAGE_WORKSPACE = range(3)
# After signing in, the page that was shown stays (busy) until the first page of sessions is in, or for a
# remembered application until its request has left (see _on_browser_first_page_sent), at most this long.
WORKSPACE_WAIT_MS = 250
LIST_TARGET = "list"  # skydesk.models.browser.LIST_TARGET (not imported: it loads the SDK)
LOADING_APPLICATIONS = "Loading…"  # the application box until the list is in (its label says of what)


class MainWindow(QMainWindow):
    """skydesk's one window; app.py owns its life (``quit_requested`` starts the orderly shutdown).

    ``MainWindow(services)`` builds all of it. ``MainWindow(settings=...)`` builds only what the sign-in and
    progress pages show, so app.py can show it before the rest is imported; ``attach(services)`` then adds
    the workspace and connects the controllers (what the user did meanwhile is replayed then).
    """

    quit_requested = Signal()
    services: AppServices
    presenter: ProblemPresenter
    workspace: SessionWorkspace
    media_tab: MediaTab
    workstation: WorkstationHooks
    content_views: ContentViews
    people_hooks: PeopleHooks
    toolbar: QToolBar  # made by attach()

    def __init__(
        self,
        services: AppServices | None = None,
        *,
        settings: Settings | None = None,
        subtitle: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        chosen = services.settings if services is not None else settings
        assert chosen is not None, "MainWindow needs its services or, until attach(), the settings"
        self.settings = chosen
        self.subtitle = subtitle
        self.attached = False
        self._pending: list[Callable[[], None]] = []  # the user's requests made before attach()
        self._size_given: tuple[int, int] | None = None
        self.status = StatusWidgets(self.statusBar())
        self.pages = QStackedWidget()
        self.sign_in_page = SignInPage()
        self.progress_page = ProgressPage()
        self.app_combo = QComboBox()
        self.reauth_dialog: ReauthDialog | None = None
        self._allow_close = False
        self._applications: list[Application] = []
        self._given_profile: ConnectionProfile | None = None  # from the command line, until signed in
        self._workspace_due = False  # signed in; the workspace shows once the first page is in or asked for
        self._listed = False  # the applications of this sign-in are in the combo box
        self._setup_ui()
        self._setup_actions()
        for signal in (self.sign_in_page.sign_in_requested, self.sign_in_page.manage_profiles_requested):
            self._replay_after_attach(signal)
        theme_manager().apply_first(self.settings.theme)  # before the first paint: no flash of the other
        window_layout.restore_window(self)
        if services is not None:
            self.attach(services)

    def attach(self, services: AppServices) -> None:
        """Add the workspace, the workstation hooks and the controllers' connections (once)."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QDockWidget, QStyle

        from skydesk.models.collector import program_loaded
        from skydesk.ui.content_views import ContentViews
        from skydesk.ui.errors import ProblemPresenter
        from skydesk.ui.media_tab import attach_media_tab
        from skydesk.ui.people_hooks import PeopleHooks
        from skydesk.ui.workspace import SessionWorkspace
        from skydesk.ui.workstation import WorkstationHooks

        assert not self.attached and services.settings is self.settings
        self.services = services
        services.opens_application = True  # the list's first application (or the remembered one) opens
        self.presenter = ProblemPresenter(self, self.statusBar())
        self.workspace = SessionWorkspace(services.browser, services.detail, self.presenter)
        self.media_tab = attach_media_tab(self.workspace, services.media, self.presenter)
        self.workspace.detail_pane.user_label = services.labels.label
        self.workspace.participants.is_me = services.labels.is_me
        self.pages.addWidget(self.workspace)
        # Made only here: the first page shows neither the toolbar nor the menus' contents, and the classes
        # they need (Qt's namespace, QStyle, QIcon, QKeySequence, the toolbar's) cost PySide 20-60 ms of
        # building their enums the first time they are reached (B1).
        self.setWindowIcon(app_icon())
        self._setup_toolbar()
        for act, shortcut in self._shortcuts:
            act.setShortcuts([QKeySequence(shortcut)])
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        for act, icon in (
            (self.new_session_action, QStyle.StandardPixmap.SP_FileIcon),
            (self.refresh_action, QStyle.StandardPixmap.SP_BrowserReload),
            (self.sign_out_action, QStyle.StandardPixmap.SP_DialogCancelButton),
        ):
            act.setIcon(standard_icon(self, icon))
        self.sign_in_page.set_remember_available(services.credentials.available, services.credentials.reason)
        window_layout.share_panes(self, *window_layout.default_size(self))
        self._connect()
        if self.settings.load_problem:  # a corrupt settings file was set aside: say so once, at start
            QTimer.singleShot(0, self._say_settings_were_reset)
        self.workstation = WorkstationHooks(self)  # profiles, export, themes, shortcuts, View menu, title
        # The data editor, timeline and Event log (before the layout restores).
        self.content_views = ContentViews(self)
        self.people_hooks = PeopleHooks(self)  # names, the people picker and the user's rights (issue 9)
        for dock in self.findChildren(QDockWidget):
            self.restoreDockWidget(dock)  # its state from restore_window(), which ran before it existed
        window_layout.restore_workspace(self)
        if self._size_given is not None:
            window_layout.share_panes(self, *self._size_given)
        self.attached = True
        program_loaded()  # the collector stops scanning the program's own objects from now on
        pending, self._pending = self._pending, []
        for replay in pending:
            replay()

    def _replay_after_attach(self, signal: SignalInstance) -> None:
        """Keep what ``signal`` asks for until attach() has connected its receivers, then emit it again."""

        def keep(*args: object) -> None:
            if not self.attached:
                self._pending.append(lambda: signal.emit(*args))

        signal.connect(keep)

    # ------------------------------------------------------------------ construction

    def _setup_ui(self) -> None:
        self.setWindowTitle(f"skydesk — {self.subtitle}" if self.subtitle else "skydesk")
        self.setObjectName("mainWindow")
        self.pages.addWidget(self.sign_in_page)
        self.pages.addWidget(self.progress_page)
        self.setCentralWidget(self.pages)
        self.app_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.app_combo.setMinimumContentsLength(16)
        self.resize(*window_layout.default_size(self))

    def set_size(self, width: int, height: int) -> None:
        """Resize the window and share the space between the panes in their usual proportions."""
        if self.attached:
            window_layout.apply_size(self, width, height)
        else:
            self.resize(width, height)
            self._size_given = (width, height)

    def _setup_actions(self) -> None:
        def action(text: str, shortcut: str | None) -> QAction:
            # QAction(parent) and setShortcuts([...]): QAction(text, parent) and setShortcut(...) are
            # overloaded with QIcon and Qt's namespace, whose enums PySide would build for it (B1).
            act = QAction(self)
            act.setText(text)
            if shortcut is not None:
                self._shortcuts.append((act, shortcut))
            self.addAction(act)  # shortcuts work whichever page or pane has focus
            return act

        # The shortcuts are set by attach(): the first page has no use for them (it has its own mnemonics,
        # and the actions with shortcuts are disabled until signed in, apart from Quit).
        self._shortcuts: list[tuple[QAction, str]] = []

        self.new_session_action = action("&New session…", "Ctrl+N")
        self.refresh_action = action("&Refresh", "F5")
        self.find_action = action("&Find sessions", "Ctrl+F")
        self.sign_out_action = action("Sign &out", None)
        self.quit_action = action("&Quit", "Ctrl+Q")
        self.about_action = action("&About skydesk", None)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.new_session_action)
        file_menu.addAction(self.refresh_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sign_out_action)
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(self.find_action)
        self.menuBar().addMenu("&View")  # filled by the workstation hooks and the content views
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)

        self._set_signed_in_ui(False)

    def _setup_toolbar(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QToolBar

        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        label = QLabel("&Application:")
        label.setBuddy(self.app_combo)
        name_widget(self.app_combo, "Application")
        label.setContentsMargins(4, 0, 4, 0)
        toolbar.addWidget(label)
        toolbar.addWidget(self.app_combo)
        toolbar.addSeparator()
        toolbar.addAction(self.new_session_action)
        toolbar.addAction(self.refresh_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.sign_out_action)
        for act in (self.new_session_action, self.refresh_action, self.sign_out_action):
            widget = toolbar.widgetForAction(act)
            if isinstance(widget, QAbstractButton):
                # The button shows the action's text without "&" and "…"; its name must match it.
                name_widget(widget, widget.text() or act.text())
        toolbar.setVisible(self.sign_out_action.isEnabled())
        self.toolbar = toolbar
        self.addToolBar(toolbar)

    def _connect(self) -> None:
        auth, browser = self.services.auth, self.services.browser
        self.new_session_action.triggered.connect(self._on_new_session_triggered)
        self.refresh_action.triggered.connect(self._on_refresh_triggered)
        self.find_action.triggered.connect(self._on_find_triggered)
        self.sign_out_action.triggered.connect(self._on_sign_out_triggered)
        self.quit_action.triggered.connect(self.request_quit)
        self.about_action.triggered.connect(self._on_about_triggered)
        self.app_combo.currentIndexChanged.connect(self._on_app_combo_changed)
        self.sign_in_page.sign_in_requested.connect(self._on_sign_in_page_sign_in_requested)
        auth.signing_in.connect(self._on_auth_signing_in)
        auth.signed_in.connect(self._on_auth_signed_in)
        auth.sign_in_failed.connect(self._on_auth_sign_in_failed)
        auth.signed_out.connect(self._on_auth_signed_out)
        auth.reauth_required.connect(self._on_auth_reauth_required)
        auth.reauthenticated.connect(self._on_auth_reauthenticated)
        auth.keyring_problem.connect(self._on_auth_keyring_problem)
        browser.applications_loaded.connect(self._on_browser_applications_loaded)
        browser.applications_failed.connect(self._on_browser_applications_failed)
        browser.first_page_sent.connect(self._on_browser_first_page_sent)
        browser.busy.connect(self._on_browser_busy)
        browser.stale_changed.connect(self._on_browser_busy)
        self.services.ops.problem_raised.connect(self.presenter.present)
        self.services.ops.problem_resolved.connect(self.presenter.resolve)
        self.services.bridge.state_changed.connect(self.status.set_live_state)

    # ------------------------------------------------------------------ start-up (called by app.py)

    def show_progress(self, message: str) -> None:
        """Show the progress page (starting the sandbox, restoring a sign-in)."""
        self.progress_page.set_message(message)
        self.pages.setCurrentIndex(PAGE_PROGRESS)

    def show_sign_in(self, profile_name: str | None = None, message: str | None = None) -> None:
        """Show the sign-in page: ``profile_name``, else the command line's profile, else the last one."""
        shown = self._given_profile if profile_name is None else None
        startup = self.settings.startup_profile()
        name = profile_name or (startup.name if startup is not None else None)
        self.sign_in_page.set_profiles(self.settings.profiles, name, shown)
        self.pages.setCurrentIndex(PAGE_SIGN_IN)
        self.sign_in_page.show_error(message)
        self.sign_in_page.focus_first_empty()

    def showing_sign_in(self) -> bool:
        """Whether the sign-in page is what the user sees."""
        return self.pages.currentIndex() == PAGE_SIGN_IN

    def start(self, profile: ConnectionProfile | None) -> None:
        """Restore a remembered sign-in silently, or ask for one with ``profile`` in the form."""
        # Options may make a new profile or change a saved one: the form shows it as given, and a remembered
        # token is used only for the profile exactly as saved (never sent to a host the options changed).
        self._given_profile = profile
        restorable = profile is not None and may_restore(self.settings, profile)
        if profile is not None and restorable and self.services.auth.restore(profile):
            _hold_collections()
            self.show_progress(f"Signing in to {_host(profile)}…")
            return
        self.show_sign_in()

    def sign_in(self, profile: ConnectionProfile, username: str, password: str) -> None:
        """Sign in without the form (``--demo``), showing progress."""
        _hold_collections()
        self.show_progress(f"Signing in to {_host(profile)} as {username}…")
        self.services.auth.sign_in(profile, username, password, False)

    # ------------------------------------------------------------------ persistence

    def restore_layout(self) -> None:
        """Window geometry, toolbar state, splitter positions and hidden columns from the last run."""
        window_layout.restore_layout(self)

    def save_layout(self) -> None:
        """Record the layout in the settings (app.py saves the file during shutdown)."""
        window_layout.save_layout(self)

    def allow_close(self) -> None:
        """Let the next close really close (after the orderly shutdown)."""
        self._allow_close = True

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window is a request to quit: app.py shuts down in order, then closes for real."""
        if self._allow_close:
            event.accept()
            return
        event.ignore()
        self.request_quit()

    def request_quit(self) -> None:
        """Quit (Ctrl+Q, closing the window), after asking about unsaved edits in the detail pane."""
        if not self.attached:  # nothing can have been edited yet
            self.quit_requested.emit()
            return
        self.workspace.guard.check(self.quit_requested.emit, action="quitting")

    # ------------------------------------------------------------------ slots: actions

    def _on_new_session_triggered(self) -> None:
        if self.pages.currentIndex() == PAGE_WORKSPACE:
            self.workspace.new_session(self._current_application())

    def _on_refresh_triggered(self) -> None:
        if self.pages.currentIndex() == PAGE_WORKSPACE:
            self.workspace.refresh()

    def _on_find_triggered(self) -> None:
        if self.pages.currentIndex() == PAGE_WORKSPACE:
            self.workspace.sessions.filter_bar.focus_search()

    def _on_sign_out_triggered(self) -> None:
        # From the re-authentication prompt a save cannot go out, so only Discard or Cancel is offered.
        dialog = self.reauth_dialog
        self.workspace.guard.check(
            self.services.auth.sign_out,
            action="signing out",
            can_save=dialog is None,
            parent=dialog,
        )

    def _on_about_triggered(self) -> None:
        text = f"<b>skydesk {__version__}</b><p>A desktop client for the Skylight Integration API.</p>"
        self.about_box = open_message(self, "About skydesk", text, app_icon())

    def _on_app_combo_changed(self, index: int) -> None:
        app_id = self.app_combo.itemData(index)
        shown = self.services.browser.application_id
        if not app_id or app_id == shown:
            return

        def cancel() -> None:
            self.app_combo.blockSignals(True)
            self.app_combo.setCurrentIndex(max(0, self.app_combo.findData(shown)))
            self.app_combo.blockSignals(False)

        self.workspace.guard.check(
            lambda: self.workspace.show_application(app_id), cancel, action="switching application"
        )

    # ------------------------------------------------------------------ slots: controllers

    def _on_sign_in_page_sign_in_requested(
        self, profile: ConnectionProfile, username: str, password: str, remember: bool
    ) -> None:
        self._signing_in_host = _host(profile)
        _hold_collections()
        self.services.auth.sign_in(profile, username, password, remember)

    def _on_auth_signing_in(self, busy: bool) -> None:
        if busy and self.pages.currentIndex() != PAGE_WORKSPACE:
            QTimer.singleShot(0, self._prepare_workspace)
        if self.reauth_dialog is not None:
            self.reauth_dialog.set_busy(busy)
        elif self.pages.currentIndex() == PAGE_SIGN_IN and (busy or not self.services.auth.is_signed_in):
            # Signed in: the form stays locked until the workspace replaces it (_show_workspace).
            self.sign_in_page.set_busy(busy, getattr(self, "_signing_in_host", ""))
        self.status.set_api_state("working" if busy else self.status_api_idle())

    def status_api_idle(self) -> str:
        """The API state word when nothing is running."""
        return "online" if self.services.auth.is_signed_in else "signed_out"

    def _on_auth_signed_in(self, label: str) -> None:
        self._given_profile = None  # saved now; signing out shows the profile last used
        self.status.set_user(label)
        self.status.set_api_state("online")
        # The workspace is shown when the first page of sessions is in (_on_browser_applications_loaded),
        # or a remembered application's page has left (_on_browser_first_page_sent), or when there is none
        # to wait for, or after WORKSPACE_WAIT_MS. Shown at once, it was laid out and painted before the
        # applications were even asked for, which delayed them.
        self._workspace_due, self._listed = True, False
        self.app_combo.setPlaceholderText(LOADING_APPLICATIONS)
        QTimer.singleShot(WORKSPACE_WAIT_MS, self._show_workspace)

    def _prepare_workspace(self) -> None:
        """Polish and lay out the hidden workspace while the sign-in request is on its way.

        The GUI thread only waits for the server then. Left until the first page is in, this work (styling
        every widget of the workspace, sizing its panes) was about half of the ~5 ms that showing the
        workspace took before its rows could be painted (benchmark B2).
        """
        workspace = self.workspace
        if workspace.isVisible():
            return
        workspace.ensurePolished()
        workspace.resize(self.pages.size())
        layout = workspace.layout()
        if layout is not None:
            layout.activate()

    def _show_workspace(self) -> None:
        if not self._workspace_due or not self.services.auth.is_signed_in:
            return
        self._workspace_due = False
        self.sign_in_page.clear_password()
        self.sign_in_page.set_busy(False)
        self._set_signed_in_ui(True)
        self.pages.setCurrentIndex(PAGE_WORKSPACE)
        QTimer.singleShot(0, _release_collections)  # a Qt pass after this one, which paints the workspace
        if self.services.browser.model.session_count():
            self.workspace.sessions.table.setFocus()
            return
        # Focused while it shows only "Loading sessions…", the table would make that row current, and the
        # rows inserted above it would leave the current row at the end of the page (the last session
        # opened): the table takes the focus once they are in, unless the user put it elsewhere meanwhile.
        focus = QApplication.focusWidget()

        def focus_list() -> None:
            if QApplication.focusWidget() is focus and self.pages.currentIndex() == PAGE_WORKSPACE:
                self.workspace.sessions.table.setFocus()

        self.services.after_page(focus_list)

    def _on_auth_sign_in_failed(self, message: str) -> None:
        _release_collections()
        if self.reauth_dialog is not None:
            self.reauth_dialog.show_error(message)
            return
        if self.pages.currentIndex() != PAGE_SIGN_IN:
            self.show_sign_in(message=message)
        else:
            self.sign_in_page.show_error(message)
        self.status.set_api_state("error", message)

    def _say_settings_were_reset(self) -> None:
        self.presenter.expected("Settings could not be read", self.settings.load_problem or "")

    def _on_auth_keyring_problem(self, message: str) -> None:
        self.presenter.expected("Sign-in not remembered", message)

    def _on_auth_signed_out(self) -> None:
        self._workspace_due = False
        self._close_reauth_dialog()
        self.status.set_user("")
        self.status.set_api_state("signed_out")
        self._set_signed_in_ui(False)
        self.app_combo.blockSignals(True)
        self.app_combo.clear()
        self.app_combo.blockSignals(False)
        self.show_sign_in()

    def _on_auth_reauth_required(self, message: str) -> None:
        if self.reauth_dialog is not None:
            self.reauth_dialog.raise_()
            return
        from skydesk.ui.reauth import ReauthDialog

        dialog = ReauthDialog(message, self.services.auth.username, self)
        dialog.password_entered.connect(self.services.auth.reauthenticate)
        dialog.sign_out_requested.connect(self._on_sign_out_triggered)
        self.reauth_dialog = dialog
        self.status.set_api_state("error", message)
        dialog.open()
        dialog.password.setFocus()

    def _on_auth_reauthenticated(self) -> None:
        self._close_reauth_dialog()
        self.status.set_api_state("online")
        self.presenter.transient("Signed in again; continuing where you left off.", 5000)

    def _close_reauth_dialog(self) -> None:
        dialog, self.reauth_dialog = self.reauth_dialog, None
        if dialog is not None:
            dialog.done(0)
            dialog.deleteLater()

    def _on_browser_applications_loaded(self, applications: list[Application]) -> None:
        from PySide6.QtCore import Qt

        self._applications = list(applications)
        names = {a.application_id: a.name for a in applications}
        self.workspace.detail_pane.application_label = lambda app_id: names.get(app_id, app_id)
        wanted = self.services.browser.application_id or self.settings.last_application_id
        self.app_combo.blockSignals(True)
        self.app_combo.clear()
        self.app_combo.setPlaceholderText("")  # none: the status bar says why
        for app in applications:
            self.app_combo.addItem(app.name, app.application_id)
            self.app_combo.setItemData(
                self.app_combo.count() - 1, app.description or app.name, Qt.ItemDataRole.ToolTipRole
            )
        index = self.app_combo.findData(wanted) if wanted else -1
        self.app_combo.setCurrentIndex(index if index >= 0 else 0)
        self.app_combo.blockSignals(False)
        if not applications:
            self._show_workspace()
            self.presenter.transient("This account cannot read any application.")
            return
        app_id = self.app_combo.currentData()
        if not self.services.browser.is_showing(app_id):  # (the remembered one may be on its way)
            self.workspace.show_application(app_id)
        self._listed = True
        self.services.after_page(self._show_workspace)

    def _on_browser_applications_failed(self) -> None:
        self.app_combo.setPlaceholderText("")  # not loading any more
        self._show_workspace()  # the problem shows over the list

    def _on_browser_first_page_sent(self) -> None:
        # A remembered application's page, asked for with the list of applications: shown now, the
        # workspace is laid out and painted while the server answers both (the application box says
        # "Loading…" until the list is in). A page asked for after the list is in gets only the
        # server's time for that page, shorter than showing and painting the workspace twice (without
        # rows, then with them): that workspace is shown with its rows, once (benchmark B2).
        if not self._listed:
            self._show_workspace()

    def _on_browser_busy(self, _state: bool) -> None:
        if not self.services.auth.is_signed_in:
            return
        if self.services.ops.busy(LIST_TARGET):
            self.status.set_api_state("working")
        elif self.services.browser.stale:  # the last load failed: say so, not "online"
            problem = self.presenter.last
            self.status.set_api_state("error", problem.message if problem is not None else "")
        else:
            self.status.set_api_state("online")

    # ------------------------------------------------------------------ helpers

    def _current_application(self) -> Application | None:
        app_id = self.app_combo.currentData()
        return next((a for a in self._applications if a.application_id == app_id), None)

    def _set_signed_in_ui(self, signed_in: bool) -> None:
        for act in (self.new_session_action, self.refresh_action, self.find_action, self.sign_out_action):
            act.setEnabled(signed_in)
        if hasattr(self, "toolbar"):  # made by attach()
            self.toolbar.setVisible(signed_in)


def _hold_collections() -> None:
    # From the click until the workspace is painted (at most a second), the GUI thread's garbage collector
    # waits: one collection, 1.5-7 ms, fell into nearly every sign-in (benchmark B2).
    from skydesk.models.collector import hold_collections

    hold_collections()


def _release_collections() -> None:
    from skydesk.models.collector import release_collections

    release_collections()


def may_restore(settings: Settings, profile: ConnectionProfile) -> bool:
    """Whether a remembered sign-in may exist for ``profile``: exactly as saved, with its user remembered.

    A token is used only for the profile as saved (never sent to a host command-line options changed).
    """
    return (
        profile == settings.profile(profile.name)
        and bool(profile.username)
        and settings.remembered_username(profile.name) == profile.username
    )


def _host(profile: ConnectionProfile) -> str:
    return profile.api_url.split("://", 1)[-1].split("/", 1)[0]
