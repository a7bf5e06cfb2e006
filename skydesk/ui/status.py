"""Status bar widgets: signed-in user, API state and the live-events indicator."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

#: Live-event states (``StreamState`` names, lower case) -> (dot colour, words shown to the user).
LIVE_STATES: dict[str, tuple[str, str]] = {
    "connected": ("#2e9d4f", "Live events: connected"),
    "connecting": ("#e0a000", "Live events: connecting…"),
    "reconnecting": ("#e0a000", "Live events: reconnecting…"),
    "offline": ("#d32f2f", "Live events: offline"),
    "auth_failed": ("#d32f2f", "Live events: sign-in refused"),
    "stopped": ("", "Live events: off"),
}

API_STATES: dict[str, str] = {
    "online": "API: online",
    "working": "API: working…",
    "error": "API: problem",
    "signed_out": "API: not signed in",
}
# "API: working…" waits this long before it shows: most requests answer sooner, and every change of the
# words lays out and repaints the whole status bar (twice per page of sessions while paging, B3 profile).
WORKING_DELAY_MS = 250
DOT_MARGIN = 2  # pixels of the live dot's label around its circle


class StatusDot(QLabel):
    """A small filled circle whose colour tells a state at a glance; sized from the font so it scales.

    It is in the status bar of the first window a start shows, so it is drawn without reaching Qt's namespace
    of enums (PySide builds them all on first use: 20-45 ms of a cold start, benchmark B1): its pixmap is as
    large as the label, with the circle in the middle, so there is no alignment to set.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = QColor()

    @property
    def color(self) -> QColor:
        """The current dot colour (invalid = neutral grey from the palette)."""
        return self._color

    def set_color(self, color: QColor) -> None:
        """Repaint the dot in ``color``; an invalid colour draws the palette's disabled text colour."""
        self._color = color
        side = max(8, int(self.fontMetrics().height() * 0.6))
        box = side + 2 * DOT_MARGIN
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(QSize(int(box * ratio), int(box * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(QColor(0, 0, 0, 0))
        fill = (
            color
            if color.isValid()
            else self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        )
        # A filled and stroked path rather than drawEllipse with a pen and a brush: the same pixels, but
        # QPainter.setPen/setBrush and QBrush(colour) would reach Qt's namespace of enums (see the class).
        circle = QPainterPath()
        circle.addEllipse(QRectF(DOT_MARGIN + 1, DOT_MARGIN + 1, side - 2, side - 2))
        pen = QPen()
        pen.setColor(fill)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(circle, pen.brush())  # a solid brush of the pen's colour
        pen.setColor(fill.darker(130))
        painter.strokePath(circle, pen)
        painter.end()
        self.setPixmap(pixmap)
        self.setFixedSize(box, box)


class StatusWidgets(QWidget):
    """The permanent right-hand part of the status bar."""

    def __init__(self, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self.user_label = QLabel("Not signed in")
        self.api_label = QLabel(API_STATES["signed_out"])
        self.live_dot = StatusDot()
        self.live_label = QLabel()
        self.live_state = "stopped"
        self._working_detail = ""
        self._working_timer = QTimer(self)
        self._working_timer.setSingleShot(True)
        self._working_timer.setInterval(WORKING_DELAY_MS)
        self._working_timer.timeout.connect(self._on_working_timer_timeout)
        self._setup_ui(status_bar)
        self.set_live_state("stopped", "")

    def _setup_ui(self, status_bar: QStatusBar) -> None:
        self.user_label.setAccessibleName("Signed-in user")
        self.api_label.setAccessibleName("API connection")
        self.live_label.setAccessibleName("Live events")
        live = QWidget()
        row = QHBoxLayout(live)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.live_dot)
        row.addWidget(self.live_label)
        for widget in (self.user_label, self.api_label, live):
            status_bar.addPermanentWidget(widget)

    def set_user(self, label: str) -> None:
        """Show who is signed in (``user@realm``), or that nobody is."""
        self.user_label.setText(label or "Not signed in")
        self.user_label.setToolTip(f"Signed in as {label}" if label else "")

    def set_api_state(self, state: str, detail: str = "") -> None:
        """Show the API connection state (``online``, ``working``, ``error``, ``signed_out``).

        ``working`` shows only once it has lasted ``WORKING_DELAY_MS``; any other state shows at once.
        """
        if state == "working":
            self._working_detail = detail
            if self.api_label.text() == API_STATES["working"]:
                self.api_label.setToolTip(detail)
            elif not self._working_timer.isActive():
                self._working_timer.start()
            return
        self._working_timer.stop()
        self._show_api_words(API_STATES.get(state, f"API: {state}"), detail)

    def _on_working_timer_timeout(self) -> None:
        self._show_api_words(API_STATES["working"], self._working_detail)

    def _show_api_words(self, words: str, detail: str) -> None:
        self.api_label.setText(words)
        self.api_label.setToolTip(detail)

    def set_live_state(self, state: str, detail: str = "") -> None:
        """Show the live-events state with its coloured dot; unknown states are shown as they come."""
        key = state.lower()
        self.live_state = key
        color, words = LIVE_STATES.get(key, ("", f"Live events: {state}"))
        self.live_dot.set_color(QColor(color) if color else QColor())
        self.live_label.setText(words)
        tip = words if not detail else f"{words}\n{detail}"
        self.live_label.setToolTip(tip)
        self.live_dot.setToolTip(tip)
