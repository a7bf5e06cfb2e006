"""Never lose a user's unsaved edit: before the detail pane's session is replaced, ask Save/Discard/Cancel.

Every path that would replace or drop what the detail pane shows goes through ``UnsavedEditsGuard.check``:
choosing another session, switching application, signing out, quitting and closing the window. With no
unsaved edit it goes ahead at once. Otherwise a window-modal box (opened with ``open()``, so the asyncio
work keeps running) asks; "Save" waits for the server to confirm every changed field before going on, and
a failed save cancels the move, so the pane still shows the user's text and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from skydesk.ui.common import name_widget

if TYPE_CHECKING:
    from skydesk.models.detail import SessionDetailController
    from skydesk.ui.detail_pane import SessionDetailPane

FIELD_WORDS = {"name": "name", "description": "description", "properties": "properties"}


class UnsavedEditsGuard(QObject):
    """Asks before the detail pane's unsaved edits would be dropped; goes on only when nothing is lost."""

    def __init__(self, pane: SessionDetailPane, detail: SessionDetailController, parent: QWidget) -> None:
        super().__init__(parent)
        self._pane = pane
        self._widget = parent
        self.box: QMessageBox | None = None  # the open question (tests press its buttons)
        self._waiting: set[str] = set()  # fields whose save must be confirmed before going on
        self._proceed: Callable[[], None] | None = None
        self._cancel: Callable[[], None] | None = None
        # Other editors of the open session (the data editor): (what is unsaved, "" if nothing; discard it).
        self.others: list[tuple[Callable[[], str], Callable[[], None]]] = []
        detail.saved.connect(self._on_detail_saved)
        detail.save_failed.connect(self._on_detail_save_failed)

    @property
    def busy(self) -> bool:
        """True while a question is open or a save it started is on its way."""
        return self.box is not None or bool(self._waiting)

    def check(
        self,
        proceed: Callable[[], None],
        cancel: Callable[[], None] | None = None,
        *,
        action: str,
        can_save: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        """Run ``proceed`` now if nothing is unsaved; otherwise ask first (``cancel`` runs on Cancel).

        ``action`` completes the question "Save them before …?" (e.g. "opening another session").
        """
        dirty = self._pane.dirty_fields() if self._pane.session is not None else set()
        others = [(what, discard) for what, discard in ((w(), d) for w, d in self.others) if what]
        if not dirty and not others:
            proceed()
            return
        if self.busy:  # one question at a time; the new request is simply not carried out
            if cancel is not None:
                cancel()
            return
        session = self._pane.session
        label = (session.name or session.session_id) if session is not None else ""
        words = [FIELD_WORDS[f] for f in ("name", "description", "properties") if f in dirty]
        fields = ", ".join(words + [what for what, _ in others])
        # Data edits are saved after their review, never from this question: then only Discard or Cancel.
        savable = can_save and not others and self._pane.can_save()
        text = f"Your changes to the {fields} of “{label}” are not saved."
        if others:
            text += "\n\nSave the session data with “Review and save…” first, or discard the changes."
        elif savable:
            text += f"\n\nSave them before {action}?"
        elif self._pane.has_errors():
            text += "\n\nThey cannot be saved as they are (see the message under the field)."
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Unsaved changes", text, QMessageBox.StandardButton.NoButton
        )
        box.setParent(parent or self._widget, box.windowFlags())
        save = box.addButton(QMessageBox.StandardButton.Save) if savable else None
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        cancel_button = box.addButton(QMessageBox.StandardButton.Cancel)
        for button in (save, discard, cancel_button):
            if button is not None:
                name_widget(button, button.text())
        box.setDefaultButton(save or cancel_button)
        box.setEscapeButton(cancel_button)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def on_finished(_result: int) -> None:
            self.box = None
            clicked = box.clickedButton()
            if save is not None and clicked is save:
                self._save_then(proceed, cancel)
            elif clicked is discard:
                self._pane.discard_edits()
                for _what, throw_away in others:
                    throw_away()
                proceed()
            elif cancel is not None:
                cancel()

        box.finished.connect(on_finished)
        self.box = box
        box.open()

    def _save_then(self, proceed: Callable[[], None], cancel: Callable[[], None] | None) -> None:
        edits = self._pane.edits()
        self._waiting = set(edits)
        self._proceed, self._cancel = proceed, cancel
        self._pane.save_requested.emit(edits)

    def _on_detail_saved(self, fields: list[str]) -> None:
        if not self._waiting.intersection(fields):
            return
        self._waiting.difference_update(fields)
        if not self._waiting:
            proceed, self._proceed, self._cancel = self._proceed, None, None
            if proceed is not None:
                proceed()

    def _on_detail_save_failed(self, fields: list[str], _problem: object) -> None:
        if not self._waiting.intersection(fields):
            return
        # Stay where the user's text is: the pane shows it with the reason, ready for another try.
        self._waiting.clear()
        cancel, self._proceed, self._cancel = self._cancel, None, None
        if cancel is not None:
            cancel()
