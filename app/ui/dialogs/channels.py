"""Settings > Channels: where the workshop sells, how each channel's last sync went, and
the form that sets one up.

Each row has a status light (never, ok, working, warning, failed, refused) with the last
sync's counts, the next sync and the last error. Sync now and Preview run through the
sync scheduler, off the GUI thread. The editor is drawn from the kind's own fields
(app.channels.registry); its secrets go to the keyring and are never shown again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.channels.base import DriverStatus
from app.channels.registry import KINDS, Field
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.services import channels
from app.services.channels import FILE_KINDS, ChannelForm, ChannelSetup, ChannelView
from app.services.context import Backroom
from app.ui import formatting
from app.ui.ops import Job, JobContext, Ops
from app.ui.styles import BAD, GOOD, LEFT, MUTED, RIGHT
from app.ui.sync_scheduler import (
    OptionsFactory,
    cancellable_sleep,
    close_driver,
    default_http_options,
)
from app.ui.widgets.fit import fit_height, show_result

if TYPE_CHECKING:
    from app.ui.sync_scheduler import SyncScheduler

KEPT = "kept — leave empty to keep it"
# Settings the form edits itself; every other stored key (e.g. a test server's base_url)
# is handed back unchanged when the channel is saved.
OWN_KEYS = frozenset({"api", "watch_folder", "max_shown", "percent_shown"})

LIGHTS: Mapping[DriverStatus, tuple[str, str]] = {
    DriverStatus.NEVER: ("#9e9e9e", "Never synced"),
    DriverStatus.OK: ("#1e7a34", "OK"),
    DriverStatus.WORKING: ("#0b57d0", "Working"),
    DriverStatus.WARNING: ("#c77700", "Warning"),
    DriverStatus.FAILED: ("#b3261e", "Failed"),
    DriverStatus.REFUSED: ("#7b1fa2", "Refused"),
}
_ICONS: dict[str, QIcon] = {}


def light_icon(status: DriverStatus) -> QIcon:
    """A filled circle in the status's colour."""
    colour = LIGHTS[status][0]
    if colour not in _ICONS:
        pixmap = QPixmap(QSize(14, 14))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(colour).darker(130))
        painter.setBrush(QBrush(QColor(colour)))
        painter.drawEllipse(1, 1, 12, 12)
        painter.end()
        _ICONS[colour] = QIcon(pixmap)
    return _ICONS[colour]


# --- the list -------------------------------------------------------------------------------


def next_sync_words(view: ChannelView, running: bool, now: datetime | None = None) -> str:
    if not view.api:
        return "—"
    if not view.active:
        return "Switched off"
    if running:
        return "Now"
    if view.waits_for_owner:
        return "When its key is changed"
    due = view.next_sync()
    if due is None:
        return "Soon"
    if due <= (now or datetime.now(UTC)):
        return "Due now"
    return formatting.when(due)


COLUMNS = ("Status", "Channel", "Kind", "Orders", "Last sync", "Fetched", "New", "Updated",
           "Stock sent", "Failed", "Next sync", "Last error")
NUMERIC = frozenset({"Orders", "Fetched", "New", "Updated", "Stock sent", "Failed"})


class ChannelsDialog(QDialog):
    """The list of channels, with Add, Edit, Switch off/on, Remove, Sync now, Preview and
    the sync log."""

    def __init__(self, scheduler: SyncScheduler, parent: QWidget | None = None):
        super().__init__(parent)
        self.scheduler = scheduler
        self.setWindowTitle("Channels")
        self.resize(1280, 480)
        self.views: tuple[ChannelView, ...] = ()
        self.editor: ChannelEditor | None = None

        intro = QLabel("Where you sell. Shopify and WooCommerce shops are synced through "
                       "their API every few minutes; Etsy, Amazon, eBay and other channels "
                       "are read from their report files (File > Import orders…).",
                       wordWrap=True)
        intro.setStyleSheet(MUTED)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setDefaultAlignment(LEFT)
        for i, title in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(i).setTextAlignment(
                RIGHT if title in NUMERIC else LEFT)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit())
        self.detail = QLabel(wordWrap=True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(36)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.add_button = QPushButton("Add…")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit)
        self.active_button = QPushButton("Switch off")
        self.active_button.clicked.connect(self.toggle_active)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_now)
        self.preview_button = QPushButton("Preview…")
        self.preview_button.setToolTip("Fetch and show what a sync would create, update and "
                                       "send; nothing is written")
        self.preview_button.clicked.connect(self.preview)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop this channel's sync; it carries on from there "
                                    "next time")
        self.stop_button.clicked.connect(self.stop)
        self.log_button = QPushButton("Sync log…")
        self.log_button.clicked.connect(self.show_log)
        row = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.active_button, self.remove_button):
            row.addWidget(b)
        row.addSpacing(16)
        for b in (self.sync_button, self.preview_button, self.stop_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.log_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(row)
        layout.addWidget(close)
        for signal in (scheduler.started, scheduler.synced, scheduler.failed):
            signal.connect(self._reload_if_shown)
        self.reload()

    def _backroom(self) -> Backroom | None:
        return self.scheduler.backroom()

    def _reload_if_shown(self, *_args: object) -> None:
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        chosen = self.selected()
        self.views = backroom.read(channels.channel_list)
        self.table.setRowCount(len(self.views))
        for r, view in enumerate(self.views):
            self._fill(r, view)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for i in range(len(COLUMNS) - 1):
            header.resizeSection(i, min(header.sectionSize(i) + 8, 200))
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        ids = [v.id for v in self.views]
        if chosen is not None and chosen.id in ids:
            self.table.selectRow(ids.index(chosen.id))
        elif self.views and chosen is None:
            self.table.selectRow(0)
        self._selection_changed()

    def light(self, view: ChannelView) -> DriverStatus:
        return DriverStatus.WORKING if self.scheduler.is_running(view.id) else view.light

    def error_of(self, view: ChannelView) -> str:
        problem = self.scheduler.problems.get(view.id)
        if problem:
            return problem
        return (view.last.error or "") if view.last is not None else ""

    def _fill(self, r: int, view: ChannelView) -> None:
        last = view.last
        light = self.light(view)
        words = LIGHTS[light][1]
        if self.scheduler.is_previewing(view.id):
            words = "Previewing"
        error = self.error_of(view)
        values = {
            "Status": words,
            "Channel": view.name + ("" if view.active else " (off)"),
            "Kind": view.title + (" API" if view.api else ""),
            "Orders": f"{view.orders:,}",
            "Last sync": formatting.when(last.ended_at or last.started_at) if last else "",
            "Fetched": f"{last.fetched:,}" if last else "",
            "New": f"{last.created:,}" if last else "",
            "Updated": f"{last.updated:,}" if last else "",
            "Stock sent": f"{last.pushed:,}" if last else "",
            "Failed": f"{last.failed:,}" if last else "",
            "Next sync": next_sync_words(view, self.scheduler.is_running(view.id)),
            "Last error": error.replace("\n", " "),
        }
        for c, title in enumerate(COLUMNS):
            item = QTableWidgetItem(values[title])
            if title in NUMERIC:
                item.setTextAlignment(RIGHT)
            if title == "Status":
                item.setIcon(light_icon(light))
            if title == "Last error" and error:
                item.setForeground(QBrush(QColor("#b3261e")))
                item.setToolTip(error)
            if title == "Failed" and last and last.failed:
                item.setForeground(QBrush(QColor("#b3261e")))
            if not view.active:
                item.setForeground(QBrush(QColor("#6b6b6b")))
            self.table.setItem(r, c, item)

    def selected(self) -> ChannelView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.views):
            return None
        return self.views[rows[0].row()]

    def select(self, channel_id: int) -> None:
        ids = [v.id for v in self.views]
        if channel_id in ids:
            self.table.selectRow(ids.index(channel_id))

    def _selection_changed(self) -> None:
        view = self.selected()
        has = view is not None
        running = has and self.scheduler.is_running(view.id)  # type: ignore[union-attr]
        api = has and view.api  # type: ignore[union-attr]
        for b in (self.edit_button, self.active_button, self.remove_button):
            b.setEnabled(has)
        self.active_button.setText("Switch on" if has and not view.active else "Switch off")  # type: ignore[union-attr]
        self.sync_button.setEnabled(bool(api and view.active and not running))  # type: ignore[union-attr]
        self.preview_button.setEnabled(bool(api and not running))
        self.stop_button.setEnabled(bool(running))
        files = ("Read from report files: use File > Import orders… or its watch folder."
                 if has and not api else "")
        self.sync_button.setToolTip(files or "Fetch its orders and send its stock now")
        self.detail.setText(self._detail(view) if view is not None else "")

    def _detail(self, view: ChannelView) -> str:
        parts = [f"<b>{_esc(view.name)}</b> — {_esc(view.title)}"
                 f"{' API' if view.api else ' (report files)'}, {view.currency}"]
        if view.api:
            parts.append(f"syncs every {formatting.count(view.interval_minutes, 'minute')}")
        parts.append(f"keeps {view.stock_buffer:,} back" if view.stock_buffer else
                     "no stock buffer")
        if view.watch_folder:
            parts.append(f"watches {_esc(view.watch_folder)}")
        text = ", ".join(parts) + "."
        if view.last is not None:
            text += (f"<br>Last sync {formatting.when(view.last.started_at)}: "
                     f"{view.last.fetched:,} fetched, {view.last.created:,} new, "
                     f"{view.last.updated:,} updated, {view.last.pushed:,} stock levels sent, "
                     f"{view.last.failed:,} failed.")
        error = self.error_of(view)
        if error:
            text += f"<br><span style='{BAD}'>{_esc(error)}</span>"
        return text

    # --- actions ------------------------------------------------------------------------

    def _changed(self) -> None:
        self.scheduler.window.changed.emit(Changes(orders=True))  # channel names and filters
        self.reload()

    def add(self) -> int | None:
        return self._edit(None)

    def edit(self) -> int | None:
        view = self.selected()
        return self._edit(view.id) if view is not None else None

    def _edit(self, channel_id: int | None) -> int | None:
        backroom = self._backroom()
        if backroom is None:
            return None
        try:
            self.editor = ChannelEditor(self._backroom, self.scheduler.window.ops, channel_id,
                                        self, options=self.scheduler.http_options)
        except DomainError as exc:
            QMessageBox.information(self, "Channels", str(exc))
            self.reload()
            return None
        saved = self.editor.exec()
        made = self.editor.saved_id
        self.editor = None
        if saved and made is not None:
            self._changed()
            self.select(made)
        return made

    def toggle_active(self) -> bool:
        backroom, view = self._backroom(), self.selected()
        if backroom is None or view is None:
            return False
        try:
            backroom.act(channels.set_channel_active, view.id, not view.active)
        except DomainError as exc:
            QMessageBox.information(self, f"{view.name} was not changed", str(exc))
            return False
        self._changed()
        return True

    def remove(self) -> bool:
        backroom, view = self._backroom(), self.selected()
        if backroom is None or view is None:
            return False
        if QMessageBox.question(
                self, "Remove channel",
                f"Remove {view.name}? Its sync log and the secrets kept for it go too."
        ) != QMessageBox.StandardButton.Yes:
            return False
        try:
            backroom.act(channels.remove_channel, view.id)
        except DomainError as exc:
            QMessageBox.information(self, f"{view.name} was not removed", str(exc))
            return False
        self._changed()
        return True

    def sync_now(self) -> Job | None:
        view = self.selected()
        return self.scheduler.sync_now(view.id, view.name) if view is not None else None

    def preview(self) -> Job | None:
        view = self.selected()
        return self.scheduler.preview(view.id, view.name) if view is not None else None

    def stop(self) -> None:
        view = self.selected()
        if view is not None:
            self.scheduler.cancel(view.id)

    def show_log(self) -> None:
        view = self.selected()
        self.scheduler.show_log(view.id if view is not None else None)


def _hint(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet(MUTED)
    return label


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


# --- the editor -----------------------------------------------------------------------------


def kind_choices() -> list[tuple[str, str, bool]]:
    """(title, kind, api): the API kinds first, then the file channels."""
    api = [(f"{k.title} API", k.kind, True) for k in KINDS.values()]
    files = [(title, kind, False) for kind, title in FILE_KINDS.items()]
    return api + files


def choice_key(kind: str, api: bool) -> str:
    return f"{kind}:{'api' if api else 'files'}"


class ChannelEditor(QDialog):
    """Add a channel (`channel_id` None) or change one; every problem is listed at once and
    nothing is saved until all are fixed. After Save, `saved_id` is the channel's id."""

    def __init__(self, backroom: Callable[[], Backroom | None], ops: Ops,
                 channel_id: int | None = None, parent: QWidget | None = None, *,
                 options: OptionsFactory | None = None):
        super().__init__(parent)
        self._backroom, self._ops, self.channel_id = backroom, ops, channel_id
        self._options = options or default_http_options
        self.saved_id: int | None = None
        self.test_job: Job | None = None
        current = backroom()
        if current is None:
            raise DomainError("No database is open.")
        self.form: ChannelForm | None = (current.read(channels.channel_form, channel_id)
                                         if channel_id is not None else None)
        view = self.form.view if self.form is not None else None
        self.setWindowTitle("Add channel" if view is None else f"Edit channel — {view.name}")
        self.setMinimumWidth(620)

        self.name = QLineEdit(view.name if view else "", maxLength=channels.NAME_MAX,
                              placeholderText="e.g. Etsy shop")
        self.name.setMinimumWidth(460)
        self.kind = QComboBox()
        choices = kind_choices()
        if view is not None and (view.kind, view.api) not in [(k, a) for _t, k, a in choices]:
            choices.append((view.title, view.kind, view.api))  # as stored; saving says why
        for title, kind, api in choices:
            self.kind.addItem(title, choice_key(kind, api))
        self.kind.insertSeparator(len(KINDS))
        if view is not None:
            self.choose_kind(view.kind, view.api)
        self.currency = QLineEdit(view.currency if view else "GBP", maxLength=12,
                                  placeholderText="GBP")
        self.currency.setMaximumWidth(80)
        self.interval = QSpinBox(minimum=channels.MIN_INTERVAL, maximum=channels.MAX_INTERVAL,
                                 suffix=" minutes")
        self.interval.setValue(view.interval_minutes if view else 15)
        self.interval.setAlignment(RIGHT)
        self.interval.setToolTip("How often Backroom fetches new orders and sends stock")
        self.buffer = QSpinBox(minimum=0, maximum=1_000_000, suffix=" kept back")
        self.buffer.setValue(view.stock_buffer if view else 0)
        self.buffer.setAlignment(RIGHT)
        self.buffer.setToolTip("Pieces of each product never offered on this channel, so "
                               "two channels selling the last one at once is rarer")
        self.max_shown = QSpinBox(minimum=-1, maximum=1_000_000)
        self.max_shown.setSpecialValueText("No limit")
        self.max_shown.setValue(view.max_shown if view and view.max_shown is not None else -1)
        self.max_shown.setAlignment(RIGHT)
        self.max_shown.setToolTip("The most of any product this channel is told it may sell")
        self.percent = QSpinBox(minimum=0, maximum=100, suffix=" %")
        self.percent.setValue(view.percent_shown if view and view.percent_shown is not None
                              else 100)
        self.percent.setAlignment(RIGHT)
        self.percent.setToolTip("The share of the free stock this channel is told of")
        self.watch_folder = QLineEdit(view.watch_folder if view else "",
                                      placeholderText="where its report files are saved")
        self.watch_button = QPushButton("Choose…")
        self.watch_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.watch_folder, 1)
        folder_row.addWidget(self.watch_button)
        self.folder_box = QWidget()
        self.folder_box.setLayout(folder_row)
        self.active = QCheckBox("Switched on", checked=view.active if view else True)
        for spin in (self.interval, self.buffer, self.max_shown, self.percent):
            spin.setFixedWidth(170)

        self.connection = QGroupBox("Connection")
        self.kind_help = QLabel(wordWrap=True)
        self.kind_help.setStyleSheet(MUTED)
        self.connection_form = QFormLayout()
        self.fields: dict[str, QLineEdit | QCheckBox] = {}
        self.test_button = QPushButton("Test connection")
        self.test_button.setToolTip("Ask the channel who it is, with what this form says")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel(wordWrap=True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)
        box = QVBoxLayout(self.connection)
        box.addWidget(self.kind_help)
        box.addLayout(self.connection_form)
        box.addLayout(test_row)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind)
        form.addRow("Currency", self.currency)
        form.addRow(self.connection)
        form.addRow("Watch folder", self.folder_box)
        self.folder_label = form.labelForField(self.folder_box)
        form.addRow("Sync every", self.interval)
        form.addRow("Stock buffer", self.buffer)
        form.addRow("Most shown", self.max_shown)
        form.addRow("Share shown", self.percent)
        form.addRow("", _hint("The channel is told the free stock less the buffer, at most "
                              "the most shown and the share shown of it."))
        form.addRow("", self.active)

        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(BAD + " padding: 4px 0;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows for problems
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    # --- the kind's own fields ----------------------------------------------------------

    def chosen_kind(self) -> tuple[str, bool]:
        kind, _, how = str(self.kind.currentData()).partition(":")
        return kind, how == "api"

    def choose_kind(self, kind: str, api: bool) -> None:
        self.kind.setCurrentIndex(self.kind.findData(choice_key(kind, api)))

    def _kind_changed(self, _index: int = 0) -> None:
        kind, api = self.chosen_kind()
        spec = KINDS.get(kind) if api else None
        while self.connection_form.rowCount():
            self.connection_form.removeRow(0)  # deletes its widgets too
        self.fields = {}
        self.connection.setVisible(spec is not None)
        self.folder_box.setVisible(not api)
        self.folder_label.setVisible(not api)
        self.interval.setEnabled(api)
        self.test_result.clear()
        if spec is not None:
            self.kind_help.setText(spec.help)
            for field in spec.form_fields:
                widget = self._field_widget(field)
                self.fields[field.key] = widget
                label = "" if field.kind == "bool" else field.label
                self.connection_form.addRow(label, widget)
        self._fit_height()

    def _same_kind(self) -> bool:
        """Editing a channel and still of the kind it was saved as."""
        return self.form is not None and (self.form.view.kind,
                                          self.form.view.api) == self.chosen_kind()

    def _stored(self) -> Mapping[str, str]:
        return self.form.settings if self.form is not None and self._same_kind() else {}

    def _field_widget(self, field: Field) -> QLineEdit | QCheckBox:
        stored = self._stored()
        tip = field.help
        if field.kind == "bool":
            from app.channels.http import flag

            box = QCheckBox(field.label)
            box.setChecked(flag(stored.get(field.key), default=flag(field.default,
                                                                     default=False)))
            box.setToolTip(tip)
            return box
        edit = QLineEdit()
        edit.setToolTip(tip)
        edit.setAccessibleName(field.label)
        if field.kind == "secret":
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            kept = self._same_kind() and field.key in self.form.secrets_kept  # type: ignore[union-attr]
            edit.setPlaceholderText(KEPT if kept else field.placeholder)
        else:
            edit.setText(stored.get(field.key, field.default))
            edit.setPlaceholderText(field.placeholder or ("optional" if not field.required
                                                          else ""))
        return edit

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "The folder its report files are "
                                                  "saved in", self.watch_folder.text())
        if folder:
            self.watch_folder.setText(folder)

    # --- what the form says -------------------------------------------------------------

    def values(self) -> tuple[dict[str, str], dict[str, str]]:
        """The kind's settings and its typed secrets (empty secrets keep the kept ones)."""
        kind, api = self.chosen_kind()
        spec = KINDS.get(kind) if api else None
        settings: dict[str, str] = {}
        secrets: dict[str, str] = {}
        if self.form is not None:  # keys the form does not draw (of no kind) stay as they are
            known = {f.key for k in KINDS.values() for f in k.fields}
            settings.update({k: v for k, v in self.form.settings.items()
                             if k not in OWN_KEYS and k not in known})
        if spec is None:
            return settings, secrets
        for field in spec.fields:
            widget = self.fields[field.key]
            if isinstance(widget, QCheckBox):
                settings[field.key] = "true" if widget.isChecked() else "false"
            elif field.kind == "secret":
                secrets[field.key] = widget.text()
            else:
                settings[field.key] = widget.text()
        return settings, secrets

    def setup(self) -> ChannelSetup:
        kind, api = self.chosen_kind()
        settings, secrets = self.values()
        return ChannelSetup(
            name=self.name.text(), kind=kind, api=api, currency=self.currency.text(),
            interval_minutes=self.interval.value(), stock_buffer=self.buffer.value(),
            max_shown=None if self.max_shown.value() < 0 else self.max_shown.value(),
            percent_shown=None if self.percent.value() == 100 else self.percent.value(),
            watch_folder="" if api else self.watch_folder.text(),
            active=self.active.isChecked(), settings=settings, secrets=secrets)

    def save(self) -> bool:
        backroom = self._backroom()
        if backroom is None:
            return False
        try:
            self.saved_id = backroom.act(channels.save_channel, self.channel_id, self.setup())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            self._fit_height()
            return False
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit) and widget.echoMode() == QLineEdit.EchoMode.Password:
                widget.clear()
        self.accept()
        return True

    def _fit_height(self) -> None:
        fit_height(self)

    # --- test connection ----------------------------------------------------------------

    def test_connection(self) -> Job | None:
        """Ask the channel who it is, with what the form says now, off the GUI thread.

        A secret left empty is the one kept: then the saved channel is what is tested."""
        kind, api = self.chosen_kind()
        spec = KINDS.get(kind) if api else None
        if spec is None:
            return None
        settings, secrets = self.values()
        typed = {k: v.strip() for k, v in secrets.items() if v.strip()}
        kept = self.form.secrets_kept if self.form is not None else frozenset()
        use_saved = (self.channel_id is not None and self._same_kind()
                     and any(f.key not in typed and f.key in kept for f in spec.credentials))
        if not use_saved:
            problems = spec.problems(typed, settings)
            if problems:
                self._tested_badly("Fill in first: " + " ".join(problems))
                return None
        channel_id, options = self.channel_id, self._options

        def work(ctx: JobContext) -> str:
            from app.channels.base import ChannelError
            from app.channels.registry import build_driver

            cancelled = lambda: ctx.cancelled  # noqa: E731
            made = options(cancelled, cancellable_sleep(cancelled))
            driver = None
            try:
                if use_saved:
                    with ctx.backroom.sessions() as s:
                        driver = channels.driver_for(s, channel_id, options=made)  # type: ignore[arg-type]
                else:
                    driver = build_driver(kind, typed, settings, options=made)
                said = driver.test_connection()  # type: ignore[attr-defined]
            except ChannelError as exc:
                raise DomainError(str(exc)) from None
            finally:
                if driver is not None:
                    close_driver(driver)
            return said + (" (with the saved settings and the kept secrets)"
                           if use_saved else "")

        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet(MUTED)
        self.test_result.setText("Asking the channel…")
        self.test_job = self._ops.run("Testing the connection", work,
                                      on_finished=self._tested, on_failed=self._tested_badly)
        return self.test_job

    def _tested(self, said: str) -> None:
        self.test_job = None
        show_result(self, self.test_button, self.test_result, said, GOOD)

    def _tested_badly(self, message: str) -> None:
        self.test_job = None
        show_result(self, self.test_button, self.test_result, message, BAD)
