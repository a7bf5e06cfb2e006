"""The connection fields shared by the sign-in page and the profiles dialog: region, hosts, realm, CA file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from skydesk.core.profiles import CUSTOM_REGION, REGIONS, mqtt_host_for, region_of
from skydesk.core.settings import ConnectionProfile
from skydesk.ui.common import bound_line, form_label, name_widget

# The file chooser is imported when it opens: the sign-in page a cold start shows does not need its type.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QFileDialog

DEFAULT_MQTT_PORT = 8883


class ConnectionFields(QObject):
    """Region choice, API URL, MQTT host and port, realm and CA file, for one form layout.

    Choosing a region fills both hosts. The MQTT host follows a typed API URL (``api.`` becomes ``mqtt.``)
    until the user edits the MQTT host; clearing it makes it follow again.
    """

    edited = Signal()  # the user changed any field

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.region = QComboBox()
        self.api_url = bound_line(QLineEdit(), 2048)  # longer than any browser takes
        self.mqtt_host = bound_line(QLineEdit(), 253)  # the longest DNS name
        self.mqtt_port = QSpinBox()
        self.realm = bound_line(QLineEdit(), 255)
        self.ca_file = bound_line(QLineEdit())
        self.ca_browse = QPushButton("Browse…")
        self.ca_dialog: QFileDialog | None = None
        self._mqtt_follows = True
        for name in (*REGIONS, CUSTOM_REGION):
            self.region.addItem(name, name)
        self.mqtt_port.setRange(1, 65535)
        # Its line edit holds 32,767 characters by default: a 10 MB paste took ~90 ms to check and lay out.
        bound_line(self.mqtt_port.lineEdit(), 5)
        self.mqtt_port.setValue(DEFAULT_MQTT_PORT)
        self.api_url.setPlaceholderText(REGIONS["Default"][0])
        self.mqtt_host.setPlaceholderText(REGIONS["Default"][1])
        self.ca_file.setPlaceholderText("System certificates")
        name_widget(self.ca_browse, self.ca_browse.text())
        self.ca_browse.setToolTip("Choose a CA certificate file")
        self.region.setCurrentIndex(self.region.findData(CUSTOM_REGION))
        self.region.activated.connect(self._on_region_activated)
        self.api_url.textEdited.connect(self._on_api_url_edited)
        self.mqtt_host.textEdited.connect(self._on_mqtt_host_edited)
        self.ca_browse.clicked.connect(self._on_ca_browse_clicked)
        for edit in (self.realm, self.ca_file):
            edit.textEdited.connect(self.edited)
        self.mqtt_port.valueChanged.connect(self.edited)
        self.ca_file.textChanged.connect(self.edited)

    def add_rows(self, form: QFormLayout) -> list[QLabel]:
        """Add the rows to ``form``; returns their labels (for aligning with another form)."""
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_browse)
        rows: list[tuple[str, QWidget, QWidget | QHBoxLayout]] = [
            ("Re&gion:", self.region, self.region),
            ("&API URL:", self.api_url, self.api_url),
            ("&MQTT host:", self.mqtt_host, self.mqtt_host),
            ("MQTT p&ort:", self.mqtt_port, self.mqtt_port),
            ("&Realm:", self.realm, self.realm),
            ("&CA file:", self.ca_file, ca_row),
        ]
        labels = []
        for text, buddy, field in rows:
            label = form_label(text, buddy)
            form.addRow(label, field)
            labels.append(label)
        return labels

    def widgets(self) -> list[QWidget]:
        """Every input, in tab order (to lock them during a sign-in)."""
        return [
            self.region,
            self.api_url,
            self.mqtt_host,
            self.mqtt_port,
            self.realm,
            self.ca_file,
            self.ca_browse,
        ]

    def set_locked(self, locked: bool) -> None:
        """Disable every field (while signing in, the connection must not change under the request)."""
        for widget in self.widgets():
            widget.setEnabled(not locked)

    def show_values(
        self, api_url: str, mqtt_host: str, mqtt_port: int, realm: str, ca_file: str | None
    ) -> None:
        """Fill the fields (a saved profile, or blank for a new one)."""
        self.api_url.setText(api_url)
        self.mqtt_host.setText(mqtt_host)
        self.mqtt_port.setValue(mqtt_port)
        self.realm.setText(realm)
        self.ca_file.setText(ca_file or "")
        self._mqtt_follows = not mqtt_host or mqtt_host == mqtt_host_for(api_url)
        self._show_region()

    def clear(self) -> None:
        """Blank fields for a new profile, the MQTT host following the API URL again."""
        self.show_values("", "", DEFAULT_MQTT_PORT, "", None)

    def profile(self, name: str, username: str = "", color: str = "") -> ConnectionProfile:
        """A profile with these fields (trimmed, no trailing slash on the URL)."""
        return ConnectionProfile(
            name=name,
            api_url=self.api_url.text().strip().rstrip("/"),
            mqtt_host=self.mqtt_host.text().strip(),
            mqtt_port=self.mqtt_port.value(),
            realm=self.realm.text().strip(),
            ca_file=self.ca_file.text().strip() or None,
            username=username,
            color=color,
        )

    # ------------------------------------------------------------------ slots

    def _show_region(self) -> None:
        region = region_of(self.api_url.text()) if self.api_url.text() else CUSTOM_REGION
        self.region.setCurrentIndex(self.region.findData(region))

    def _on_region_activated(self, index: int) -> None:
        name = self.region.itemData(index)
        if name in REGIONS:
            api, mqtt = REGIONS[name]
            self.api_url.setText(api)
            self.mqtt_host.setText(mqtt)
            self.mqtt_port.setValue(DEFAULT_MQTT_PORT)
            self._mqtt_follows = True
        else:
            self.api_url.setFocus()
            self.api_url.selectAll()
        self.edited.emit()

    def _on_api_url_edited(self, text: str) -> None:
        if self._mqtt_follows:
            self.mqtt_host.setText(mqtt_host_for(text))
        self._show_region()
        self.edited.emit()

    def _on_mqtt_host_edited(self, text: str) -> None:
        # Typed by the user: stop following the API URL (an emptied field follows again).
        self._mqtt_follows = not text.strip()
        self.edited.emit()

    def _on_ca_browse_clicked(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QFileDialog

        # open(), not the static getOpenFileName(): its nested event loop would keep running inside this slot
        # while the app quits (or signs in) around it, and the window could be deleted under the dialog.
        dialog = QFileDialog(
            self._parent,
            "Choose a CA certificate",
            self.ca_file.text(),
            "Certificates (*.pem *.crt *.cer);;All files (*)",
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.ca_file.setText)
        self.ca_dialog = dialog
        dialog.open()


def align_labels(labels: Iterable[QLabel]) -> None:
    """Give labels of separate forms one width, so their fields start at the same x."""
    labels = list(labels)
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)
