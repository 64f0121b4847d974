"""Undo commands for the plan editor: one per kind of edit.

Each command keeps deep copies of what it changes, so undo restores exactly what was
there (including fields a model does not show, such as v2 directions).
"""

from __future__ import annotations

import copy

from PySide6.QtGui import QUndoCommand

from app.domain.music_plan import Plan, Section
from app.ui.music.section_model import SectionTableModel


class EditSectionCommand(QUndoCommand):
    """Any change inside one section (a field, or several at once)."""

    def __init__(self, model: SectionTableModel, row: int, before: Section, after: Section,
                 text: str) -> None:
        super().__init__(text)
        self._model = model
        self._row = row
        self._before = copy.deepcopy(before)
        self._after = copy.deepcopy(after)

    def redo(self) -> None:
        self._model.apply_section(self._row, copy.deepcopy(self._after))

    def undo(self) -> None:
        self._model.apply_section(self._row, copy.deepcopy(self._before))


class InsertSectionCommand(QUndoCommand):
    """Add a new section, or a copy of one (duplicate)."""

    def __init__(self, model: SectionTableModel, row: int, section: Section,
                 text: str = "Add section") -> None:
        super().__init__(text)
        self._model = model
        self._row = row
        self._section = copy.deepcopy(section)

    def redo(self) -> None:
        self._model.apply_insert(self._row, copy.deepcopy(self._section))

    def undo(self) -> None:
        self._model.apply_remove(self._row)


class RemoveSectionCommand(QUndoCommand):
    def __init__(self, model: SectionTableModel, row: int) -> None:
        super().__init__("Delete section")
        self._model = model
        self._row = row
        self._section = copy.deepcopy(model.section(row))

    def redo(self) -> None:
        self._model.apply_remove(self._row)

    def undo(self) -> None:
        self._model.apply_insert(self._row, copy.deepcopy(self._section))


class MoveSectionCommand(QUndoCommand):
    """Move one section from `source` so that it ends up at row `target`."""

    def __init__(self, model: SectionTableModel, source: int, target: int) -> None:
        super().__init__("Move section")
        self._model = model
        self._source = source
        self._target = target

    def redo(self) -> None:
        self._model.apply_move(self._source, self._target)

    def undo(self) -> None:
        self._model.apply_move(self._target, self._source)


class EditGlobalsCommand(QUndoCommand):
    """The global styles and the "respect section durations" switch."""

    def __init__(self, model: SectionTableModel, positive: list[str], negative: list[str],
                 respect: bool, text: str) -> None:
        super().__init__(text)
        self._model = model
        plan = model.plan
        self._before = (list(plan.global_positive_styles), list(plan.global_negative_styles),
                        plan.respect_sections_durations)
        self._after = (list(positive), list(negative), respect)

    def redo(self) -> None:
        self._model.apply_globals(*self._after)

    def undo(self) -> None:
        self._model.apply_globals(*self._before)


class ReplacePlanCommand(QUndoCommand):
    """A whole new plan: a template, a plan written from a prompt, an opened file."""

    def __init__(self, model: SectionTableModel, plan: Plan, text: str) -> None:
        super().__init__(text)
        self._model = model
        self._before = model.plan.copy()
        self._after = plan.copy()

    def redo(self) -> None:
        self._model.apply_plan(self._after)

    def undo(self) -> None:
        self._model.apply_plan(self._before)
