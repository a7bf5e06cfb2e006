"""The sign-in page: connection profile, credentials and "Remember me" (the re-auth prompt: reauth.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from skydesk.core.settings import ConnectionProfile
from skydesk.ui.common import bound_line, form_label, name_widget, set_error_text
from skydesk.ui.connection_form import ConnectionFields, align_labels

if TYPE_CHECKING:
    from PySide6.QtWidgets import QFileDialog

NEW_PROFILE = "New profile…"


class SignInPage(QWidget):
    """Collects a connection profile and credentials; emits ``sign_in_requested`` and shows the outcome."""

    sign_in_requested = Signal(object, str, str, bool)  # ConnectionProfile, username, password, remember
    cancel_requested = Signal()  # the user gave up waiting for a sign-in
    manage_profiles_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profiles: list[ConnectionProfile] = []
        self._busy = False
        self._remember_available = True
        self.profile_combo = QComboBox()
        self.manage_button = QPushButton("Profiles…")
        self.profile_name = bound_line(QLineEdit(), 255)
        self.connection = ConnectionFields(self)
        self.api_url = self.connection.api_url
        self.mqtt_host = self.connection.mqtt_host
        self.mqtt_port = self.connection.mqtt_port
        self.realm = self.connection.realm
        self.ca_file = self.connection.ca_file
        self.ca_browse = self.connection.ca_browse
        self.region = self.connection.region
        self.username = bound_line(QLineEdit(), 255)
        self.password = bound_line(QLineEdit(), 1024)
        self.remember = QCheckBox("Remember me on this computer")
        self.remember_reason = QLabel()
        self.sign_in_button = QPushButton("Sign in")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress_label = QLabel()
        self.error = QLabel()
        self._error_ready = False
        self._setup_ui()

    @property
    def ca_dialog(self) -> QFileDialog | None:
        """The CA file chooser while it is open."""
        return self.connection.ca_dialog

    def _setup_ui(self) -> None:
        self.setAccessibleName("Sign in")
        title = QLabel("Sign in to Skylight")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)

        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        name_widget(self.manage_button, self.manage_button.text())
        self.manage_button.setToolTip("Add, edit, import or export connection profiles")
        name_widget(self.remember, self.remember.text())
        name_widget(self.sign_in_button, "Sign in")
        name_widget(self.cancel_button, "Cancel")
        self.cancel_button.setToolTip("Stop signing in")
        self.sign_in_button.setDefault(True)
        self.cancel_button.hide()
        self.remember_reason.setWordWrap(True)
        self.remember_reason.setEnabled(False)
        self.remember_reason.setAccessibleName("Why remembering is unavailable")
        self.remember_reason.hide()
        self.progress.setRange(0, 0)  # indeterminate: a sign-in has no measurable progress
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height() // 2 + 4)
        self.progress.setAccessibleName("Signing in")
        # Opaque: a busy bar repaints itself ~60 times a second, and a bar that is not would make Qt repaint
        # the card and the page behind it each time (0.5-1.5 ms of the GUI thread while a sign-in is on its
        # way, B2). Its background is the window colour it stands on.
        self.progress.setAutoFillBackground(True)
        self.progress_label.hide()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in error")
        # The error and the progress bar keep their room while hidden, so nothing jumps when they appear.
        self.error.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        for widget in (self.error, self.progress):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        self.error.hide()
        self.progress.hide()

        connection = QGroupBox("Connection")
        conn_form = QFormLayout(connection)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile_combo, 1)
        profile_row.addWidget(self.manage_button)
        labels = [form_label("&Profile:", self.profile_combo)]
        labels.append(form_label("Profile &name:", self.profile_name))
        conn_form.addRow(labels[0], profile_row)
        conn_form.addRow(labels[1], self.profile_name)
        labels += self.connection.add_rows(conn_form)

        account = QGroupBox("Account")
        account_form = QFormLayout(account)
        labels += [form_label("&Username:", self.username), form_label("Pass&word:", self.password)]
        account_form.addRow(labels[-2], self.username)
        account_form.addRow(labels[-1], self.password)
        account_form.addRow("", self.remember)
        account_form.addRow("", self.remember_reason)
        align_labels(labels)

        buttons = QHBoxLayout()
        buttons.addWidget(self.progress_label, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_in_button)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 42)
        inner = QVBoxLayout(card)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(connection)
        inner.addWidget(account)
        inner.addWidget(self.error)
        inner.addWidget(self.progress)
        inner.addLayout(buttons)

        content = QWidget()
        row = QHBoxLayout(content)
        row.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(card)
        column.addStretch(2)
        row.addLayout(column, 3)
        row.addStretch(1)
        # In a scroll area, so the form never makes the window taller than a small screen allows.
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.profile_combo.currentIndexChanged.connect(self._on_profile_combo_changed)
        self.manage_button.clicked.connect(self.manage_profiles_requested)
        self.sign_in_button.clicked.connect(self._on_sign_in_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.password.returnPressed.connect(self._on_sign_in_clicked)
        self.username.returnPressed.connect(self._on_sign_in_clicked)
        # A stale error must not stay next to what the user is correcting.
        self.connection.edited.connect(self._on_field_edited)
        for edit in (self.profile_name, self.username, self.password):
            edit.textEdited.connect(self._on_field_edited)

    # ------------------------------------------------------------------ state

    def set_profiles(
        self, profiles: list[ConnectionProfile], current: str | None, shown: ConnectionProfile | None = None
    ) -> None:
        """Offer the saved profiles (plus "New profile…") and select ``current``.

        ``shown`` (a profile from command-line options) fills the form instead, with its saved namesake
        selected, or "New profile…" when it has none.
        """
        self._profiles = list(profiles)
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for profile in self._profiles:
            self.profile_combo.addItem(profile.name, profile.name)
        self.profile_combo.addItem(NEW_PROFILE, None)
        if shown is not None:
            index = self.profile_combo.findData(shown.name)
            self.profile_combo.setCurrentIndex(index if index >= 0 else self.profile_combo.count() - 1)
        else:
            index = self.profile_combo.findData(current) if current else -1
            self.profile_combo.setCurrentIndex(index if index >= 0 else 0)
        self.profile_combo.blockSignals(False)
        self._on_profile_combo_changed(self.profile_combo.currentIndex())
        if shown is not None:
            self.show_profile(shown)

    def show_profile(self, profile: ConnectionProfile) -> None:
        """Fill the fields from ``profile``."""
        self.profile_name.setText(profile.name)
        self.connection.show_values(
            profile.api_url, profile.mqtt_host, profile.mqtt_port, profile.realm, profile.ca_file
        )
        if profile.username:
            self.username.setText(profile.username)

    def profile(self) -> ConnectionProfile:
        """The profile as currently entered (host names trimmed, trailing slashes dropped)."""
        saved = next((p for p in self._profiles if p.name == self.profile_combo.currentData()), None)
        entered = self.connection.profile(
            self.profile_name.text().strip() or self.api_url.text().strip(),
            self.username.text().strip(),
            saved.color if saved is not None else "",
        )
        if saved is not None and saved.api_url == entered.api_url:
            # Set in the profile file on purpose; it stays with that URL only.
            entered.allow_plain_http = saved.allow_plain_http
        return entered

    def set_remember_available(self, available: bool, reason: str) -> None:
        """Offer "Remember me" only with a secure keyring; otherwise say why."""
        self.remember.setEnabled(available)
        if not available:
            self.remember.setChecked(False)
            text = reason or "No secure keyring is available on this computer."
            self.remember.setToolTip(text)
            self.remember_reason.setText(text)
        self.remember_reason.setVisible(not available)
        self._remember_available = available

    def set_busy(self, busy: bool, host: str = "") -> None:
        """Show progress while signing in, lock every field against changes and offer Cancel."""
        self._busy = busy
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)
        self.progress_label.setText(f"Signing in to {host}…" if host else "Signing in…")
        self.sign_in_button.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        self.connection.set_locked(busy)
        for widget in (self.profile_combo, self.manage_button, self.profile_name, self.username):
            widget.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.remember.setEnabled(not busy and self._remember_available)
        if busy:
            self.show_error(None)
            self.cancel_button.setFocus()
        elif self.cancel_button.hasFocus() or self.focusWidget() is None:
            self.password.setFocus()

    def show_error(self, message: str | None) -> None:
        """Show why the sign-in failed, under the form (the message names the host)."""
        if message and not self._error_ready:
            # Set when the first error shows, not when the page is built: the page is the first thing a
            # start paints, and Qt's namespace of enums costs PySide 20-45 ms to build (benchmark B1).
            from PySide6.QtCore import Qt

            self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self._error_ready = True
        set_error_text(self.error, message)
        if message:
            self.password.setFocus()
            self.password.selectAll()

    def focus_first_empty(self) -> None:
        """Put the cursor where the user has to type next."""
        for edit in (self.api_url, self.username, self.password):
            if not edit.text():
                edit.setFocus()
                return
        self.password.setFocus()

    # ------------------------------------------------------------------ slots

    def _on_field_edited(self, *_args: object) -> None:
        if self.error.isVisible():
            set_error_text(self.error, None)

    def _on_profile_combo_changed(self, index: int) -> None:
        name = self.profile_combo.itemData(index)
        profile = next((p for p in self._profiles if p.name == name), None)
        if profile is not None:
            self.show_profile(profile)
        else:
            self.profile_name.clear()
            self.connection.clear()
        self._on_field_edited()

    def _on_cancel_clicked(self) -> None:
        if self._busy:
            self.cancel_requested.emit()

    def _on_sign_in_clicked(self) -> None:
        if not self.sign_in_button.isEnabled() or self._busy:
            return
        profile = self.profile()
        missing = [
            label
            for label, value in (
                ("API URL", profile.api_url),
                ("MQTT host", profile.mqtt_host),
                ("realm", profile.realm),
                ("username", profile.username),
                ("password", self.password.text()),
            )
            if not value
        ]
        if missing:
            self.show_error("Please fill in the " + ", ".join(missing) + ".")
            return
        if not profile.api_url.startswith(("https://", "http://")):
            self.show_error("The API URL must start with https://")
            return
        self.sign_in_requested.emit(
            profile, profile.username, self.password.text(), self.remember.isChecked()
        )

    def clear_password(self) -> None:
        """Forget the typed password once it has been used."""
        self.password.clear()
