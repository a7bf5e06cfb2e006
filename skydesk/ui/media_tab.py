"""The Media tab of a session: filters, the list with thumbnails, the actions and the transfers."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSize, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from skydesk.models.media import ARCHIVED_CHOICES, COL_FILENAME, MediaQuery, MediaRole
from skydesk.models.media_controller import MediaController, can_preview
from skydesk.models.media_transfers import Transfer
from skydesk.ui.common import bound_line, confirm, name_widget
from skydesk.ui.errors import ProblemBanner
from skydesk.ui.media_dialogs import LABELS_TEXT_MAX, MediaFieldsDialog, split_labels
from skydesk.ui.media_preview import MediaPreviewDialog
from skydesk.ui.media_transfers import TransferList

if TYPE_CHECKING:
    from skydesk.api import Media, Session
    from skydesk.models.problems import Problem
    from skydesk.ui.errors import ProblemPresenter
    from skydesk.ui.workspace import SessionWorkspace

SORT_CHOICES = (
    ("Oldest first", None),
    ("Newest first", "-createdAt"),
    ("Filename A-Z", "filename"),
    ("Filename Z-A", "-filename"),
    ("Recently modified", "-modifiedAt"),
    ("Least recently modified", "modifiedAt"),
)
TYPE_CHOICES = ("", "image/*", "video/*", "audio/*", "application/pdf")
PathChooser = Callable[[Callable[[Path], object]], None]


class MediaTab(QWidget):
    """Browse, preview, add, download and manage the open session's media."""

    def __init__(self, controller: MediaController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.labels_edit = bound_line(QLineEdit(), LABELS_TEXT_MAX)
        self.exclude_edit = bound_line(QLineEdit(), LABELS_TEXT_MAX)
        self.type_box = QComboBox()
        self.archived_box = QComboBox()
        self.sort_box = QComboBox()
        self.table = QTableView()
        self.count_label = QLabel()
        self.banner = ProblemBanner("Media problem")
        self._wanted: tuple[str | None, str | None, bool] | None = None
        self.buttons: dict[str, QAction] = {}
        self.transfers = TransferList()
        self.preview: MediaPreviewDialog | None = None
        #: how the tab asks for files; tests put a function that answers at once
        self.choose_upload: PathChooser = self._choose_upload
        self.choose_download: Callable[[Media, Callable[[Path], object]], None] = self._choose_download
        self._setup_ui()
        controller.permissions_changed.connect(self._update_actions)
        controller.problem.connect(self._on_controller_problem)
        controller.transfer_started.connect(self._on_controller_transfer_started)
        controller.preview_ready.connect(self._on_controller_preview_ready)
        controller.preview_failed.connect(self._on_controller_preview_failed)
        for signal in (
            controller.model.totalChanged,
            controller.model.rowsInserted,
            controller.model.rowsRemoved,
            controller.model.modelReset,
        ):
            signal.connect(self._update_count)
        controller.model.modelReset.connect(self._update_actions)
        controller.model.dataChanged.connect(self._on_model_data_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self._update_actions()

    def _setup_ui(self) -> None:
        self.setAcceptDrops(True)
        filters = QGridLayout()  # two rows, so the tab never makes the detail pane wider
        for column, (label, edit) in enumerate(
            (("Labels", self.labels_edit), ("Without labels", self.exclude_edit))
        ):
            name_widget(edit, label)
            edit.setPlaceholderText(f"{label} (comma-separated)")
            edit.editingFinished.connect(self._on_filters_changed)
            filters.addWidget(edit, 0, column * 3, 1, 3)
        self.type_box.setEditable(True)
        self.type_box.addItems(TYPE_CHOICES)
        editor = self.type_box.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Any type")
        name_widget(self.type_box, "Content type")
        self.type_box.currentTextChanged.connect(self._on_filters_changed)
        self.archived_box.addItems(["Without archived", "With archived", "Only archived"])
        name_widget(self.archived_box, "Archived")
        self.archived_box.currentIndexChanged.connect(self._on_filters_changed)
        for text, _ in SORT_CHOICES:
            self.sort_box.addItem(text)
        name_widget(self.sort_box, "Sort")
        self.sort_box.currentIndexChanged.connect(self._on_filters_changed)
        for column, box in enumerate((self.type_box, self.archived_box, self.sort_box)):
            # Narrow when the pane is narrow (the texts are short enough to read cut).
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(3)
            filters.addWidget(box, 1, column * 2, 1, 2)

        self.table.setModel(self.controller.model)
        name_widget(self.table, "Media")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setIconSize(QSize(48, 48))
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(52)  # fixed rows: no measuring while scrolling
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(COL_FILENAME, 240)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

        # A toolbar: when the pane is narrow, the actions that do not fit go to its overflow menu.
        actions = QToolBar("Media actions")
        actions.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for key, text, slot in (
            ("add", "Add…", self._on_add_clicked),
            ("preview", "Preview", self._on_preview_clicked),
            ("download", "Download…", self._on_download_clicked),
            ("edit", "Edit…", self._on_edit_clicked),
            ("archive", "Archive", self._on_archive_clicked),
            ("delete", "Delete…", self._on_delete_clicked),
            ("resume", "Resume upload", self._on_resume_clicked),
        ):
            action = QAction(text, self)
            action.triggered.connect(slot)
            actions.addAction(action)
            name_widget(actions.widgetForAction(action), text.rstrip("…"))  # a tool button drops the …
            self.buttons[key] = action
        self.actions_bar = actions

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(actions, 1)
        bottom.addWidget(self.count_label)
        layout.addLayout(bottom)
        layout.addWidget(self.banner)
        layout.addWidget(self.transfers)
        self.transfers.open_requested.connect(lambda t: self.open_external(t.path))
        self.banner.setVisible(False)

    # ------------------------------------------------------------------ state
    def selected(self) -> Media | None:
        """The selected item."""
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(MediaRole) if rows else None

    def query(self) -> MediaQuery:
        """The filters and sort as set in the bar."""
        type_text = self.type_box.currentText().strip()
        return MediaQuery(
            labels=tuple(split_labels(self.labels_edit.text())),
            exclude_labels=tuple(split_labels(self.exclude_edit.text())),
            content_types=tuple(split_labels(type_text)),
            archived=ARCHIVED_CHOICES[self.archived_box.currentIndex()],
            sort=SORT_CHOICES[self.sort_box.currentIndex()][1],
        )

    def _update_actions(self, *_args: object) -> None:
        media = self.selected()
        refusal = self.controller.write_refusal()
        none = "Select an item first."
        incomplete = "The upload of this item is not complete." if media and not media.is_complete else ""
        preview = (can_preview(media) if media else none) or ""
        self._enable("add", refusal)
        self._enable("preview", preview)
        self._enable("download", none if media is None else incomplete)
        for key in ("edit", "delete"):
            self._enable(key, none if media is None else refusal)
        self.buttons["archive"].setText("Unarchive" if media is not None and media.archived else "Archive")
        self._enable("archive", none if media is None else refusal)
        finished = "This upload is complete." if media is not None and media.is_complete else ""
        self._enable("resume", none if media is None else (refusal or finished))

    def _on_model_data_changed(self, _top: QModelIndex, _bottom: QModelIndex, roles: list[int]) -> None:
        # A thumbnail arriving changes no action: skip the refresh for each one (B10's rows in view).
        if roles and all(int(role) == int(Qt.ItemDataRole.DecorationRole) for role in roles):
            return
        self._update_actions()

    def _enable(self, key: str, reason: str) -> None:
        """Enabled when there is no reason against it; else disabled, saying why."""
        button = self.buttons[key]
        button.setEnabled(not reason)
        button.setToolTip(reason)

    def _update_count(self, *_args: object) -> None:
        shown, total = self.controller.model.rowCount(), self.controller.model.total
        self.count_label.setText(f"{shown} of {total}" if shown < total else f"{total} items")

    def _on_filters_changed(self, *_args: object) -> None:
        query = self.query()
        if query != self.controller.query:
            self.controller.set_query(query)

    def _on_controller_problem(self, problem: Problem) -> None:
        self.show_banner(problem)

    # ------------------------------------------------------------------ the presenter's surface ("media")
    def show_banner(self, problem: Problem | None) -> None:
        """Show a media problem above the actions (None hides it)."""
        if problem is None:
            self.banner.setVisible(False)
        else:
            self.banner.show_problem(problem)

    def show_field_problem(self, field: str, problem: Problem | None) -> bool:
        """The tab has no fields of its own: the dialogs check theirs before sending."""
        return False

    # ------------------------------------------------------------------ which session
    def set_session(self, app_id: str | None, session_id: str | None, *, closed: bool = False) -> None:
        """The session to show; its media load only once the tab is visible (no request otherwise)."""
        self._wanted = (app_id, session_id, closed)
        if self.isVisible() or session_id is None:
            self._open_wanted()

    def showEvent(self, event: QShowEvent) -> None:
        """The tab came into view: load what it should show."""
        super().showEvent(event)
        self._open_wanted()

    def _open_wanted(self) -> None:
        if self._wanted is not None:
            app_id, session_id, closed = self._wanted
            self._wanted = None
            self.controller.open(app_id, session_id, closed=closed)

    def _on_controller_transfer_started(self, transfer: Transfer) -> None:
        self.transfers.add(transfer)

    # ------------------------------------------------------------------ adding
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept local files when adding is allowed."""
        if event.mimeData().hasUrls() and not self.controller.write_refusal():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """A dropped file is added like a picked one."""
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files and files[0].is_file():
            event.acceptProposedAction()
            self.add_file(files[0])

    def _on_add_clicked(self) -> None:
        self.choose_upload(self.add_file)

    def add_file(self, path: Path) -> MediaFieldsDialog:
        """Ask for the metadata of ``path``, then upload it."""
        dialog = MediaFieldsDialog(path=Path(path), parent=self)
        dialog.accepted.connect(
            lambda: self.controller.upload(Path(path), dialog.content_type, dialog.fields())
        )
        dialog.open()
        return dialog

    def _choose_upload(self, then: Callable[[Path], object]) -> None:
        dialog = QFileDialog(self, "Add a file to the session")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: then(Path(name)))
        dialog.open()

    def _on_resume_clicked(self) -> None:
        media = self.selected()
        if media is None:
            return
        if self.controller.can_resume(media):
            self.controller.resume(media)
        else:  # the file is not known in this run of the app: ask for it (its size is checked)
            self.choose_upload(lambda path: self.controller.resume(media, path))

    # ------------------------------------------------------------------ viewing and downloading
    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        if self.buttons["preview"].isEnabled():
            self._on_preview_clicked()

    def _on_preview_clicked(self) -> None:
        media = self.selected()
        if media is None:
            return
        self.preview = MediaPreviewDialog(media, lambda: self.open_with_system_viewer(media), parent=self)
        self.preview.open()
        if media.content_type.lower().startswith("image/"):
            self.preview.show_message("Loading…")
            self.controller.load_preview(media)
        else:
            self.preview.view.setVisible(False)
            self.preview.show_message("Download the file to open it with the system viewer.")

    def _on_controller_preview_ready(self, media_id: str, image: object) -> None:
        if self.preview is not None and self.preview.media.media_id == media_id:
            self.preview.show_image(image)  # type: ignore[arg-type]

    def _on_controller_preview_failed(self, media_id: str, message: str) -> None:
        if self.preview is not None and self.preview.media.media_id == media_id:
            self.preview.show_message(message)

    def open_with_system_viewer(self, media: Media) -> Transfer:
        """Download to a temporary folder, then hand the file to the desktop's viewer."""
        folder = Path(tempfile.mkdtemp(prefix="skydesk-media-"))
        transfer = self.controller.download(media, folder / Path(media.filename).name)
        transfer.finished.connect(lambda path: self.open_external(path))
        return transfer

    def open_external(self, path: Path | None) -> None:
        """Open a downloaded file with the system's viewer."""
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _on_download_clicked(self) -> None:
        media = self.selected()
        if media is not None:
            self.choose_download(media, lambda path: self.controller.download(media, path))

    def _choose_download(self, media: Media, then: Callable[[Path], object]) -> None:
        dialog = QFileDialog(self, f"Download {media.filename}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(Path(media.filename).name)
        dialog.fileSelected.connect(lambda name: then(Path(name)))
        dialog.open()

    # ------------------------------------------------------------------ managing
    def _on_edit_clicked(self) -> None:
        media = self.selected()
        if media is None:
            return
        dialog = MediaFieldsDialog(media=media, parent=self)
        dialog.accepted.connect(lambda: self.controller.edit(media, **dialog.changed_fields()))
        dialog.open()

    def _on_archive_clicked(self) -> None:
        media = self.selected()
        if media is not None:
            self.controller.set_archived(media, not media.archived)

    def _on_delete_clicked(self) -> None:
        media = self.selected()
        if media is None:
            return
        confirm(
            self,
            "Delete media",
            f"Delete “{media.filename}” from this session? The file is removed for everyone; "
            "this cannot be undone.",
            f"Delete {media.filename}",
            lambda: self.controller.delete(media),
        )


def attach_media_tab(
    workspace: SessionWorkspace, controller: MediaController, presenter: ProblemPresenter
) -> MediaTab:
    """Add the Media tab to the detail pane: it follows the open session and shows the media problems."""
    tab = MediaTab(controller)
    workspace.detail_pane.tabs.addTab(tab, "Media")
    presenter.register("media", tab)

    def follow(session: Session | None) -> None:
        if session is None:
            tab.set_session(None, None)
        else:
            tab.set_session(session.application_id, session.session_id, closed=not session.is_open)

    workspace.detail.session_loaded.connect(follow)
    return tab
