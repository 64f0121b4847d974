"""The section plan editor: global styles, the sections table with a detail pane, the
timeline, the song's total length and the problems that stop it from being composed.

Every edit is an undo step (Ctrl+Z / Ctrl+Shift+Z). The plan is validated for the chosen
model after each change; problems colour their cells and are listed below the table.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QStyle,
    QWidget,
)

from app.domain.music_plan import Plan, Section
from app.domain.music_plan_checks import Problem, errors_only, validate_plan
from app.domain.music_templates import TEMPLATES, template
from app.ui.icons import icon
from app.ui.music.chip_editor import ChipEditor
from app.ui.music.compose_request import KeepBase
from app.ui.music.music_files import problems_html
from app.ui.music.plan_commands import (
    EditGlobalsCommand,
    InsertSectionCommand,
    RemoveSectionCommand,
    ReplacePlanCommand,
)
from app.ui.music.plan_layout import DetailHeight, lay_out, table_height
from app.ui.music.plan_shortcuts import add_plan_shortcuts
from app.ui.music.section_detail import SectionDetailPane
from app.ui.music.section_model import (
    FIELD_COLUMNS,
    NAME,
    SectionTableModel,
)
from app.ui.music.sections_table import make_sections_table
from app.ui.music.timeline import TimelineSection, TimelineWidget
from app.ui.undo_history import bounded_undo_stack
from app.ui.widgets.fit_scroll_area import FitScrollArea
from app.ui.widgets.wrapping_label import WrappingLabel

NEW_SECTION_MS = 15_000
EMPTY_PLAN_HINT = ("Start with <b>+ Add</b>, a template above, or <b>Plan from "
                   "prompt</b>.")
EMPTY_PLAN_STATUS = ("Add a section, start from a template or write the plan from your "
                     "description; then press Compose.")
TEMPLATE_CHARS = 12


class PlanEditor(QWidget):
    plan_changed = Signal()
    problems_changed = Signal(list)  # list[Problem]
    plan_from_prompt_requested = Signal()
    seek_requested = Signal(int)  # ms from the song's start

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.plan_editor")
        self.undo_stack = bounded_undo_stack(self)
        self.model = SectionTableModel(self.undo_stack, self)
        self._model_id = "music_v2"
        self._problems: list[Problem] = []
        # What the server refused in the plan last sent; shown until the plan changes.
        self._server_problems: list[Problem] = []
        self._build()
        self._connect()
        self._refresh()

    # -- layout ----------------------------------------------------------------------------
    def _button(self, name: str, text: str, tip: str, icon_name: str | None = None,
                standard: QStyle.StandardPixmap | None = None) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        if icon_name:
            button.setIcon(icon(icon_name))
        elif standard is not None:
            button.setIcon(self.style().standardIcon(standard))
            button.setText("")  # arrows speak for themselves; the tooltip says more
        return button

    def _build(self) -> None:
        self.template = QComboBox(self)
        self.template.setObjectName("music.template")
        self.template.setToolTip("Start from a ready-made plan (you can undo this)")
        self.template.addItem("From a template…", None)
        # A few words wide (the titles are in its list): beside "Plan from prompt" (words
        # only), "Rework…" and "Your song…" the row fits the plan's column on a laptop
        # with History open.
        self.template.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.template.setMinimumContentsLength(TEMPLATE_CHARS)
        for item in TEMPLATES:
            self.template.addItem(item.title, item.key)
            self.template.setItemData(self.template.count() - 1, item.description,
                                      Qt.ItemDataRole.ToolTipRole)
        self.plan_from_prompt = self._button(
            "music.plan_from_prompt", "Plan from prompt",
            "Let the server turn the prompt (on the Prompt page) into sections")
        P = QStyle.StandardPixmap
        self.add_button = self._button("music.add_section", "Add", "Add a section after the "
                                       "selected one (Ctrl+N)", "add")
        self.duplicate_button = self._button("music.duplicate_section", "Duplicate",
                                             "Copy the selected section (Ctrl+D)", "duplicate")
        self.delete_button = self._button("music.delete_section", "Delete",
                                          "Delete the selected section (Delete)", "delete")
        self.up_button = self._button("music.move_up", "Up", "Move the section earlier "
                                      "(Alt+Up)", standard=P.SP_ArrowUp)
        self.down_button = self._button("music.move_down", "Down", "Move the section later "
                                        "(Alt+Down)", standard=P.SP_ArrowDown)
        self.keep_button = self._button(
            "music.keep_sections", "Keep selected",
            "Keep the selected sections exactly as they sounded in the earlier version; only "
            "the others are made anew")
        # Duplicate and Delete show their icons only (their names are in the tooltip and
        # for screen readers): with their words the row was wider than a laptop allows.
        for button in (self.duplicate_button, self.delete_button):
            button.setText("")
        tools = QHBoxLayout()
        for widget in (self.add_button, self.duplicate_button, self.delete_button,
                       self.up_button, self.down_button, self.keep_button):
            tools.addWidget(widget)
        tools.addStretch(1)
        starts = QHBoxLayout()
        starts.addWidget(self.template, 1)
        starts.addWidget(self.plan_from_prompt)
        self.starts_row = starts  # the Music tab adds "Rework…" and "Your song…" here

        self.table = make_sections_table(self.model, self)

        self.detail = SectionDetailPane(self.model, self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("music.plan_splitter")
        self.splitter.addWidget(self.table)
        # The section's fields scroll inside their pane rather than holding the sections
        # table to 3 rows on a 768 px screen (a 30-section plan showed 4-7 rows).
        self.detail_page = FitScrollArea(self.detail, self)
        self.detail_page.setObjectName("music.section_detail_page")
        DetailHeight(self.detail_page)
        self.splitter.addWidget(self.detail_page)
        # Extra height goes to the sections (a 30-section plan showed 4-7 rows).
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.table.setMinimumHeight(table_height(self.table))
        self.splitter.setSizes([260, 220])
        self.splitter.setChildrenCollapsible(False)

        self.timeline = TimelineWidget(self)
        # Made after the sections and the selected section, and so after them in the Tab
        # order: they are drawn under the timeline, and Tab should go down the page.
        self.global_positive = ChipEditor("music.global_positive",
                                          "Add a style for the whole song, press Enter", self)
        self.global_negative = ChipEditor("music.global_negative",
                                          "Add something the song should avoid", self)
        globals_form = QFormLayout()
        globals_form.addRow("Song styles", self.global_positive)
        globals_form.addRow("Avoid", self.global_negative)

        self.total = WrappingLabel(self)  # "Total length: … · 30 sections" wraps, never widens
        self.total.setObjectName("music.total")
        self.respect = QCheckBox("Keep section lengths exactly", self)
        self.respect.setObjectName("music.respect_durations")
        self.respect.setToolTip("Music v1 only: when off, the model may stretch or shorten "
                                "sections for a better song, keeping the total length.")
        self.undo_button = self._button("music.undo", "Undo", "Undo the last change (Ctrl+Z)",
                                        standard=QStyle.StandardPixmap.SP_ArrowBack)
        self.redo_button = self._button("music.redo", "Redo", "Redo (Ctrl+Shift+Z)",
                                        standard=QStyle.StandardPixmap.SP_ArrowForward)
        self.problems = WrappingLabel(self)
        self.problems.setObjectName("music.problems")
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        bottom = QHBoxLayout()
        bottom.addWidget(self.total, 1)
        bottom.addWidget(self.respect)
        # Undo and Redo sit here: in the tools row they made it wider than a laptop
        # screen leaves the plan beside History and the song's settings.
        bottom.addWidget(self.undo_button)
        bottom.addWidget(self.redo_button)

        # The song's styles under the timeline: a laptop has no height for them above.
        lay_out(self, [starts, tools, self.splitter, self.timeline, globals_form, bottom,
                       self.problems], stretch=self.splitter)

    def _connect(self) -> None:
        self.add_button.clicked.connect(self.add_section)
        self.duplicate_button.clicked.connect(self.duplicate_section)
        self.delete_button.clicked.connect(self.delete_section)
        self.up_button.clicked.connect(lambda: self.move_section(-1))
        self.down_button.clicked.connect(lambda: self.move_section(1))
        self.keep_button.clicked.connect(self.toggle_keep_selected)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.plan_from_prompt.clicked.connect(self.plan_from_prompt_requested)
        self.template.activated.connect(self._on_template_activated)
        self.global_positive.chips_changed.connect(lambda _c: self._commit_globals("Edit song "
                                                                                   "styles"))
        self.global_negative.chips_changed.connect(lambda _c: self._commit_globals("Edit styles "
                                                                                   "to avoid"))
        self.respect.toggled.connect(lambda _on: self._commit_globals("Keep section lengths"))
        self.model.plan_changed.connect(self._on_model_plan_changed)
        self.model.globals_changed.connect(self._show_globals)
        self.model.rowsMoved.connect(lambda *_a: self.detail.show_row(self.current_row()))
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.timeline.section_clicked.connect(self._on_timeline_section_clicked)
        add_plan_shortcuts(self)
        for button in (self.undo_button, self.redo_button):
            button.setEnabled(False)

    # -- the plan --------------------------------------------------------------------------
    def plan(self) -> Plan:
        """A copy of the plan being edited (pending text edits included)."""
        self.commit_pending_edits()
        return self.model.plan.copy()

    def set_plan(self, plan: Plan, text: str | None = "Replace plan") -> None:
        """Show `plan`: as an undo step (`text`), or afresh with no undo history (None)."""
        if text is None:
            self.model.apply_plan(plan)
            self.undo_stack.clear()
        else:
            self.undo_stack.push(ReplacePlanCommand(self.model, plan, text))
        self.select_row(0 if plan.sections else None)

    def set_model_id(self, model_id: str) -> None:
        if model_id != self._model_id:
            self._server_problems = []  # they were about the other model's shape
        self._model_id = model_id
        self.detail.set_model_id(model_id)
        self.respect.setEnabled(model_id == "music_v1")
        self._refresh()

    def set_keep_base(self, base: KeepBase | None) -> None:
        self.model.set_keep_base(base)
        self.detail.show_row(self.detail.row)
        self._update_buttons()

    def problems_list(self) -> list[Problem]:
        return list(self._problems)

    def show_server_problems(self, problems: list[Problem]) -> None:
        """Mark what the server refused (a 422 about this very plan) like the editor's
        own checks do, and bring the first refused section into view. Any change to the
        plan clears them: it is then a different plan."""
        self._server_problems = list(problems)
        self._refresh()
        first = next((p for p in problems if p.section_index is not None), None)
        if first is not None and first.section_index is not None:
            # Scrolled to, not selected: a selected row would hide the cell's red.
            self.table.scrollTo(self.model.index(first.section_index,
                                                 FIELD_COLUMNS.get(first.field, NAME)))

    def commit_pending_edits(self) -> None:
        if self.detail.row is not None and self.detail.isEnabled():
            self.detail.commit_lyrics()

    # -- actions ---------------------------------------------------------------------------
    def current_row(self) -> int | None:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        if not rows and self.current_row() is not None:
            rows = {self.current_row() or 0}
        return sorted(rows)

    def select_row(self, row: int | None) -> None:
        if row is None or not 0 <= row < self.model.rowCount():
            self.table.clearSelection()
            self.detail.show_row(None)
            return
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.detail.show_row(row)

    def add_section(self) -> None:
        row = self.current_row()
        at = self.model.rowCount() if row is None else row + 1
        name = f"Section {self.model.rowCount() + 1}"
        self.undo_stack.push(InsertSectionCommand(self.model, at, Section(name, NEW_SECTION_MS)))
        self.select_row(at)

    def duplicate_section(self) -> None:
        row = self.current_row()
        if row is None:
            return
        self.commit_pending_edits()
        self.undo_stack.push(InsertSectionCommand(self.model, row + 1, self.model.section(row),
                                                  "Duplicate section"))
        self.select_row(row + 1)

    def delete_section(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        self.undo_stack.beginMacro("Delete sections" if len(rows) > 1 else "Delete section")
        for row in reversed(rows):
            self.undo_stack.push(RemoveSectionCommand(self.model, row))
        self.undo_stack.endMacro()
        self.select_row(min(rows[0], self.model.rowCount() - 1))

    def move_section(self, step: int) -> None:
        row = self.current_row()
        if row is None:
            return
        target = row + step
        if not 0 <= target < self.model.rowCount():
            return
        destination = target + 1 if step > 0 else target
        self.model.moveRows(QModelIndex(), row, 1, QModelIndex(), destination)
        self.select_row(target)

    def toggle_keep_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        keep = not all(self.model.section(r).source is not None for r in rows)
        self.undo_stack.beginMacro("Keep sections" if keep else "Re-make sections")
        for row in rows:
            self.model.set_kept(row, keep)
        self.undo_stack.endMacro()

    def _commit_globals(self, text: str) -> None:
        plan = self.model.plan
        positive, negative = self.global_positive.chips(), self.global_negative.chips()
        respect = self.respect.isChecked()
        if (positive, negative, respect) == (plan.global_positive_styles,
                                             plan.global_negative_styles,
                                             plan.respect_sections_durations):
            return
        self.undo_stack.push(EditGlobalsCommand(self.model, positive, negative, respect, text))

    def _on_template_activated(self, index: int) -> None:
        key = self.template.itemData(index)
        self.template.setCurrentIndex(0)
        if key:
            chosen = template(key)
            self.set_plan(chosen.plan(), f"Use template “{chosen.title}”")

    # -- display ---------------------------------------------------------------------------
    def _show_globals(self) -> None:
        plan = self.model.plan
        self.global_positive.set_chips(plan.global_positive_styles)
        self.global_negative.set_chips(plan.global_negative_styles)
        self.respect.blockSignals(True)
        self.respect.setChecked(plan.respect_sections_durations)
        self.respect.blockSignals(False)

    def _on_model_plan_changed(self) -> None:
        self._server_problems = []
        self._refresh()

    def _refresh(self) -> None:
        plan = self.model.plan
        self._problems = validate_plan(plan, self._model_id) + self._server_problems
        self.model.set_problems(self._problems)
        errors = errors_only(self._problems)
        bad_rows = {p.section_index for p in errors}
        starts = plan.section_starts_ms()
        self.timeline.set_sections([
            TimelineSection(s.name, start, s.duration_ms, s.source is not None, i in bad_rows)
            for i, (s, start) in enumerate(zip(plan.sections, starts, strict=True))])
        count = len(plan.sections)
        self.total.setText(f"<b>Total length: {self.model.total_text()}</b> · {count} "
                           f"section{'s' if count != 1 else ''}")
        if not plan.sections:
            # Nothing is wrong with a plan not started yet: say how to start, not "✖".
            self.problems.setText(EMPTY_PLAN_HINT)
        else:
            self.problems.setText(problems_html(self._problems))
        self.problems.setVisible(bool(self._problems) or not plan.sections)
        self._update_buttons()
        self.problems_changed.emit(list(self._problems))
        self.plan_changed.emit()

    def _update_buttons(self) -> None:
        row = self.current_row()
        has = row is not None
        for button in (self.duplicate_button, self.delete_button):
            button.setEnabled(has)
        self.up_button.setEnabled(has and (row or 0) > 0)
        self.down_button.setEnabled(has and (row or 0) < self.model.rowCount() - 1)
        self.keep_button.setEnabled(has and (self.model.keep_base is not None or any(
            self.model.section(r).source is not None for r in self.selected_rows())))

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.commit_pending_edits()
        row = current.row() if current.isValid() else None
        self.detail.show_row(row)
        self.timeline.set_selected(row)
        self._update_buttons()

    def _on_timeline_section_clicked(self, row: int, start_ms: int) -> None:
        self.select_row(row)
        self.seek_requested.emit(start_ms)
