"""The Pronunciation dialog: the account's dictionaries and their rules.

List, create and rename dictionaries, add / edit / remove rules (alias or phoneme),
import and export `.pls` files (dictionary_files.py), and tick up to three to attach to
the Speech tab's generations. Every server call runs as a task (never blocking the
window); what went wrong shows in the message line at the top, in plain words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.pronunciation import (
    MAX_LOCATORS,
    PHONEME_MODELS_NOTE,
    PhonemeRule,
    PlsError,
    Rule,
    RuleError,
)
from app.ui.app_style import outline_item_checks
from app.ui.errors import describe_error
from app.ui.keyboard import enter_stays_in
from app.ui.speech.dictionary_files import PlsFiles
from app.ui.speech.dictionary_models import Attachment, DictionaryListModel, RulesTableModel
from app.ui.speech.rule_editor import PreviewFn, RuleEditor
from app.ui.widgets.problem_text import show_as_problem

if TYPE_CHECKING:
    from app.api.dictionaries import DictionariesService
    from app.domain.dictionary_wire import DictionaryWithRules
    from app.ui.qt_async import TaskRunner

# A dictionary the rule preview uses as scratch space (never listed, never attached).
PREVIEW_DICTIONARY = "XI Studio preview (scratch)"
TASK = "pronunciation.dialog"


class DictionariesDialog(PlsFiles, QDialog):
    attachments_changed = Signal(list)  # list[Attachment]

    def __init__(self, service: DictionariesService, runner: TaskRunner,
                 attachments: list[Attachment], preview: PreviewFn | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dictionaries")
        self.setWindowTitle("Pronunciation dictionaries")
        self._service = service
        self._runner = runner
        self._preview = preview
        self.attachments = list(attachments)
        self.current: DictionaryWithRules | None = None
        self._build()
        self._connect()

    # -- layout ----------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"dictionaries.{name}")
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        return button

    def _build(self) -> None:
        self.message = QLabel(self)
        self.message.setObjectName("dictionaries.message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list_model = DictionaryListModel(self)
        self.list = QListView(self)
        self.list.setObjectName("dictionaries.list")
        outline_item_checks(self.list)  # the boxes that attach a dictionary
        self.list.setAccessibleName("Pronunciation dictionaries")
        self.list.setModel(self.list_model)
        self.name = QLineEdit(self)
        self.name.setObjectName("dictionaries.name")
        self.name.setAccessibleName("Dictionary name")
        self.name.setPlaceholderText("Name, e.g. “Brand names”")
        self.create_button = self._button("New", "create", "Make an empty dictionary with "
                                          "this name")
        self.rename_button = self._button("Rename", "rename", "Give the chosen dictionary "
                                          "this name")
        self.import_button = self._button("Import .pls…", "import",
                                          "Make a dictionary from a W3C pronunciation "
                                          "lexicon (.pls) file")
        self.export_button = self._button("Export .pls…", "export",
                                          "Save the chosen dictionary as a .pls file")
        self.refresh_button = self._button("Refresh", "refresh", "Read the list again "
                                           "from the server")
        self.attached_label = QLabel(self)
        self.attached_label.setObjectName("dictionaries.attached")
        self.attached_label.setWordWrap(True)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Tick up to 3 to use them when generating:", left))
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.attached_label)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.create_button)
        name_row.addWidget(self.rename_button)
        left_layout.addLayout(name_row)
        file_row = QHBoxLayout()
        for button in (self.import_button, self.export_button, self.refresh_button):
            file_row.addWidget(button)
        left_layout.addLayout(file_row)

        self.rules_model = RulesTableModel(self)
        self.rules = QTableView(self)
        self.rules.setObjectName("dictionaries.rules")
        self.rules.setAccessibleName("Rules of the chosen dictionary")
        self.rules.setModel(self.rules_model)
        self.rules.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.rules.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.rules.verticalHeader().hide()
        self.add_rule_button = self._button("Add rule…", "add_rule", "A new word and how "
                                            "to say it")
        self.edit_rule_button = self._button("Edit rule…", "edit_rule", "Change the chosen "
                                             "rule")
        self.remove_rule_button = self._button("Remove rule", "remove_rule",
                                               "Delete the chosen rule")
        self.note = QLabel(PHONEME_MODELS_NOTE, self)
        self.note.setObjectName("dictionaries.note")
        self.note.setWordWrap(True)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.rules, 1)
        rule_row = QHBoxLayout()
        for button in (self.add_rule_button, self.edit_rule_button, self.remove_rule_button):
            rule_row.addWidget(button)
        rule_row.addStretch(1)
        right_layout.addLayout(rule_row)
        right_layout.addWidget(self.note)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.close_button = self._button("Close", "close", "Close this window")
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.resize(900, 540)
        self._update_buttons()
        self._show_attached()

    def _connect(self) -> None:
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list_model.attach_toggled.connect(self._on_attach_toggled)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.refresh_button.clicked.connect(self.refresh)
        self.add_rule_button.clicked.connect(lambda: self.open_rule_editor())
        self.edit_rule_button.clicked.connect(self._on_edit_rule_clicked)
        self.remove_rule_button.clicked.connect(self._on_remove_rule_clicked)
        self.rules.selectionModel().selectionChanged.connect(
            lambda *_args: self._update_buttons())
        self.rules.doubleClicked.connect(lambda _i: self._on_edit_rule_clicked())
        # Enter in either list stays there: it reached New, the default button, which
        # made a copy of the chosen dictionary (its name fills the name field).
        enter_stays_in(self.list, self.rules)
        self.close_button.clicked.connect(self.accept)

    # -- running server work -----------------------------------------------------------
    def _run(self, doing: str, work: Callable[[], Awaitable[Any]]) -> None:
        """Run `work` as the dialog's one task, saying what happens and what failed."""
        async def task() -> None:
            try:
                await work()
            except (RuleError, PlsError, ValueError) as exc:
                self.say(str(exc), problem=True)
            except Exception as exc:  # shown to the user, in plain words
                self.say(describe_error(exc).as_text(), problem=True)
            finally:
                self._set_busy(False)

        if self._runner.start(TASK, task) is None:
            self.say("Still working on the last change; try again in a moment.")
            return
        self.say(doing)
        self._set_busy(True)  # now, not when the task first runs: no double clicks

    def say(self, text: str, *, problem: bool = False) -> None:
        self.message.setText(text)
        show_as_problem(self.message, problem)
        self.message.setProperty("problem", problem)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = getattr(self, "_busy", False)
        chosen = self.current is not None
        self.create_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy)
        self.refresh_button.setEnabled(not busy)
        for button in (self.rename_button, self.export_button, self.add_rule_button):
            button.setEnabled(chosen and not busy)
        # Enter in the name field does what the field is used for: with a dictionary
        # chosen it holds that dictionary's name, so Enter renames it; with none, Enter
        # makes a new one (Enter always meant New, and made a copy of a dictionary
        # being renamed). New stays a Tab away; the default button shows which it is.
        (self.rename_button if chosen else self.create_button).setDefault(True)
        self.name.setAccessibleDescription(
            "Enter renames the chosen dictionary" if chosen
            else "Enter makes a new dictionary with this name")
        has_rule = chosen and bool(self.rules.selectionModel().selectedRows())
        self.edit_rule_button.setEnabled(has_rule and not busy)
        self.remove_rule_button.setEnabled(has_rule and not busy)

    # -- loading -----------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        async def work() -> None:
            await self._reload(select)
            self.say(f"{self.list_model.rowCount()} dictionaries." if self.list_model.items
                     else "No dictionaries yet: type a name and press New, or import a "
                     ".pls file.")
        self._run("Loading dictionaries…", work)

    async def _reload(self, select: str | None = None) -> None:
        items = [d for d in await self._service.list_all() if d.name != PREVIEW_DICTIONARY]
        keep = select or (self.current.id if self.current else None)
        self.list_model.set_items(items, {a.dictionary_id for a in self.attachments})
        missing = [a for a in self.attachments
                   if self.list_model.row_of(a.dictionary_id) < 0]
        if missing:
            self.attachments = [a for a in self.attachments if a not in missing]
            self.attachments_changed.emit(list(self.attachments))
            self._show_attached()
        row = self.list_model.row_of(keep) if keep else -1
        row = row if row >= 0 else (0 if items else -1)
        if row >= 0:
            self.list.setCurrentIndex(self.list_model.index(row))
            await self._load_rules(items[row].id)
        else:
            self.current = None
            self.rules_model.set_rules([])
            self._update_buttons()
        if missing:
            names = ", ".join(f"“{a.name}”" for a in missing)
            raise ValueError(f"{names} no longer exists on the server, so it was detached "
                             "from your generations.")

    async def _load_rules(self, dictionary_id: str) -> None:
        self.current = await self._service.get(dictionary_id)
        self.rules_model.set_rules(self.current.domain_rules())
        self.name.setText(self.current.name)
        self._follow_latest_version()
        self._update_buttons()

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        dictionary_id = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        if dictionary_id and (self.current is None or self.current.id != dictionary_id):
            self._run("Loading rules…", lambda: self._load_rules(dictionary_id))

    # -- attaching -----------------------------------------------------------------------
    def _on_attach_toggled(self, dictionary_id: str, attach: bool) -> None:
        if not attach:
            self.attachments = [a for a in self.attachments if a.dictionary_id != dictionary_id]
        elif len(self.attachments) >= MAX_LOCATORS:
            self.say(f"At most {MAX_LOCATORS} dictionaries can be used at once: untick one "
                     "first.", problem=True)
            return
        else:
            row = self.list_model.row_of(dictionary_id)
            item = self.list_model.items[row]
            has_phonemes = (self.current is not None and self.current.id == dictionary_id
                            and any(isinstance(r, PhonemeRule) for r in self.rules_model.rules))
            self.attachments.append(Attachment(item.id, item.latest_version_id, item.name,
                                               has_phonemes))
        self.list_model.set_attached({a.dictionary_id for a in self.attachments})
        self._show_attached()
        self.attachments_changed.emit(list(self.attachments))

    def _follow_latest_version(self) -> None:
        """An attached dictionary that changed is used in its newest version."""
        current = self.current
        if current is None:
            return
        has_phonemes = any(isinstance(r, PhonemeRule) for r in self.rules_model.rules)
        changed = False
        for i, a in enumerate(self.attachments):
            if a.dictionary_id == current.id:
                new = Attachment(a.dictionary_id, current.latest_version_id, current.name,
                                 has_phonemes)
                changed = changed or new != a
                self.attachments[i] = new
        if changed:
            self._show_attached()
            self.attachments_changed.emit(list(self.attachments))

    def _show_attached(self) -> None:
        names = ", ".join(a.name for a in self.attachments)
        self.attached_label.setText(f"Used when generating: {names}" if names
                                    else "None used when generating.")

    # -- dictionaries ------------------------------------------------------------------
    def _on_create_clicked(self) -> None:
        name = self.name.text()

        async def work() -> None:
            made = await self._service.create_from_rules(name, [])
            await self._reload(made.id)
            self.say(f"Made “{made.name}”. Add rules with Add rule….")
        self._run("Making the dictionary…", work)

    def _on_rename_clicked(self) -> None:
        current, name = self.current, self.name.text()
        if current is None:
            return

        async def work() -> None:
            renamed = await self._service.rename(current.id, name)
            self.attachments = [Attachment(a.dictionary_id, a.version_id, renamed.name,
                                           a.has_phonemes) if a.dictionary_id == current.id
                                else a for a in self.attachments]
            self.attachments_changed.emit(list(self.attachments))
            await self._reload(current.id)
            self.say(f"Renamed to “{renamed.name}”.")
        self._run("Renaming…", work)

    # -- rules -------------------------------------------------------------------------
    def open_rule_editor(self, rule: Rule | None = None, word: str = "") -> RuleEditor:
        """Open the rule editor (window-modal, answered by signal); returns it."""
        return self._edit_rule(rule, word=word, replacing=rule)

    def _edit_rule(self, shown: Rule | None, *, word: str = "",
                   replacing: Rule | None) -> RuleEditor:
        editor = RuleEditor(self, rule=shown, word=word, preview=self._preview)
        editor.accepted.connect(lambda: self._save_rule(editor.rule(), replacing=replacing))
        editor.finished.connect(editor.deleteLater)
        editor.open()
        return editor

    def _save_rule(self, rule: Rule, replacing: Rule | None) -> None:
        current = self.current
        if current is None:
            self.say("Choose or make a dictionary first, then add the rule.", problem=True)
            return

        async def work() -> None:
            try:
                if replacing is None:
                    await self._service.add_rules(current.id, [rule])
                else:
                    rules = [rule if r == replacing else r for r in self.rules_model.rules]
                    await self._service.set_rules(current.id, rules)
            except Exception as exc:
                # The editor closed when Save rule was pressed: what the user typed comes
                # back in it, with why, to save again once the server answers (it was
                # lost, under a message saying "Your text is kept").
                editor = self._edit_rule(rule, replacing=replacing)
                editor.show_error(describe_error(exc).as_text())
                raise
            await self._reload(current.id)
            self.say(f"Saved the rule for “{rule.string_to_replace}”.")
        self._run("Saving the rule…", work)

    def _chosen_rule(self) -> Rule | None:
        rows = self.rules.selectionModel().selectedRows()
        return self.rules_model.rules[rows[0].row()] if rows else None

    def _on_edit_rule_clicked(self) -> None:
        rule = self._chosen_rule()
        if rule is not None:
            self.open_rule_editor(rule)

    def _on_remove_rule_clicked(self) -> None:
        rule, current = self._chosen_rule(), self.current
        if rule is None or current is None:
            return

        async def work() -> None:
            await self._service.remove_rules(current.id, [rule.string_to_replace])
            await self._reload(current.id)
            self.say(f"Removed the rule for “{rule.string_to_replace}”.")
        self._run("Removing the rule…", work)


__all__ = ["PREVIEW_DICTIONARY", "DictionariesDialog"]
