"""Rework the plan by prompt: the current plan goes to `POST /v1/music/plan` as the
source with an instruction ("make the chorus bigger"); the answer is shown section by
section and only the changes the user ticks go into the plan (one undoable step)."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.music_plan import Plan
from app.domain.music_plan_diff import SectionChange, plan_diff
from app.domain.music_request import MusicRequestError, plan_request_body
from app.ui.app_context import AppContext
from app.ui.app_style import outline_item_checks
from app.ui.keyboard import enter_pays_only_when_aimed, enter_stays_in
from app.ui.music.plan_commands import (
    EditSectionCommand,
    InsertSectionCommand,
    RemoveSectionCommand,
)
from app.ui.music.plan_editor import PlanEditor
from app.ui.qt_async import TaskRunner

ChangeRole = Qt.ItemDataRole.UserRole + 1


class ReworkDialog(QDialog):
    applied = Signal(int)  # how many changes went in

    TASK = "music.rework"

    def __init__(self, ctx: AppContext, runner: TaskRunner, editor: PlanEditor,
                 model_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("music.rework_dialog")
        self.setWindowTitle("Rework the plan by prompt")
        self._ctx, self._runner, self._editor, self._model_id = ctx, runner, editor, model_id
        self._source: Plan | None = None
        self.instruction = QLineEdit(self)
        self.instruction.setObjectName("music.rework_instruction")
        self.instruction.setAccessibleName("What to change")
        self.instruction.setPlaceholderText("e.g. make the chorus bigger, the intro shorter")
        # Rework may be paid: Enter in the instruction field (pressed at the end of the
        # sentence, out of habit) sent it at once. Now only the button does, aimed at
        # with Tab and pressed with Space or Enter, or Ctrl+Enter from the field, as its
        # label says (as Make new take and Transcribe from a link).
        self.send_button = self._button("music.rework_send", "Rework (Ctrl+Enter)",
                                        "Send the plan and your words to the server")
        self.send_button.setAccessibleName("Rework")
        self.cancel_button = self._button("music.rework_cancel", "Cancel", "Stop asking")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("music.rework_progress")
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.changes = QListWidget(self)
        self.changes.setObjectName("music.rework_changes")
        outline_item_checks(self.changes)  # each change is ticked to take it
        # Enter among the changes stays there: it reached Rework, the default, which
        # asked the server again and replaced the changes being looked at.
        enter_stays_in(self.changes)
        self.changes.setAccessibleName("Proposed changes, one a section")
        self.status = QLabel("Say what to change; you then choose which sections take it.",
                             self)
        self.status.setObjectName("music.rework_status")
        self.status.setWordWrap(True)
        self.accept_button = self._button("music.rework_accept", "Apply ticked changes",
                                          "Put the ticked sections' changes into the plan "
                                          "(Undo takes them back)")
        self.close_button = self._button("music.rework_close", "Close", "Keep the plan as is")
        top = QHBoxLayout()
        top.addWidget(self.instruction, 1)
        top.addWidget(self.send_button)
        top.addWidget(self.cancel_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.accept_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        self.send_button.clicked.connect(self.send)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.send_button.click)
        self.cancel_button.clicked.connect(self.cancel)
        self.accept_button.clicked.connect(self.apply_ticked)
        self.close_button.clicked.connect(self.close)
        runner.task_failed.connect(self._on_failed)
        enter_pays_only_when_aimed(self, self.send_button)
        runner.reports(self.TASK)
        self._set_busy(False)
        self.resize(560, 360)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        return button

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.send_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.accept_button.setEnabled(not busy and self.changes.count() > 0)

    def send(self) -> None:
        text = self.instruction.text().strip()
        if not text:
            self.status.setText("Write what to change first, e.g. “make the chorus bigger”.")
            return
        source = self._editor.model.plan
        try:
            body = plan_request_body(text, None, self._model_id, source)
        except MusicRequestError as exc:
            self.status.setText(f"{exc}.")
            return
        self._source = copy.deepcopy(source)  # what the answer is compared with
        self._set_busy(True)
        self.status.setText("Asking the server to rework the plan…")
        self._runner.restart(self.TASK, lambda: self._send(body))

    async def _send(self, body: dict[str, object]) -> None:
        self.show_changes(await self._ctx.music.written_plan(body))

    def cancel(self) -> None:
        self._runner.cancel(self.TASK)
        self._set_busy(False)
        self.status.setText("Stopped. The plan is unchanged.")

    def _on_failed(self, name: str, exc: object) -> None:
        if name == self.TASK:
            from app.ui.errors import describe_error

            self._set_busy(False)
            reason = describe_error(exc).as_text() if isinstance(exc, BaseException) else exc
            self.status.setText(f"The plan could not be reworked: {reason} The plan is "
                                "unchanged.")

    def show_changes(self, reworked: Plan) -> None:
        assert self._source is not None
        self.changes.clear()
        for change in plan_diff(self._source, reworked):
            item = QListWidgetItem(change.summary)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(ChangeRole, change)
            self.changes.addItem(item)
        count = self.changes.count()
        self.status.setText("Nothing would change: try other words." if not count else
                            f"{count} section{'s' * (count != 1)} would change. Tick the "
                            "ones to take, then Apply.")
        self._set_busy(False)

    def ticked(self) -> list[SectionChange]:
        return [self.changes.item(i).data(ChangeRole) for i in range(self.changes.count())
                if self.changes.item(i).checkState() == Qt.CheckState.Checked]

    def apply_ticked(self) -> int:
        """The ticked changes into the plan as one undoable step; how many went in."""
        chosen = self.ticked()
        model, stack = self._editor.model, self._editor.undo_stack
        if self._source is None or not chosen:
            self.status.setText("Tick at least one change to apply it.")
            return 0
        if model.plan.sections != self._source.sections:
            self.status.setText("The plan changed since it was sent: Rework again.")
            return 0
        stack.beginMacro(f"Rework: {self.instruction.text().strip()[:40]}")
        # Removals from the end first, so the rows of the others stay where they were.
        for change in sorted(chosen, key=lambda c: -c.index):
            if change.kind == "removed":
                stack.push(RemoveSectionCommand(model, change.index))
        for change in sorted(chosen, key=lambda c: c.index):
            if change.kind == "changed" and change.before and change.after:
                stack.push(EditSectionCommand(model, change.index, change.before,
                                              change.after, "Rework section"))
            elif change.kind == "added" and change.after is not None:
                at = min(change.index, len(model.plan.sections))
                stack.push(InsertSectionCommand(model, at, change.after, "Rework: add"))
        stack.endMacro()
        self.applied.emit(len(chosen))
        self.status.setText(f"Applied {len(chosen)} change{'s' * (len(chosen) != 1)}. "
                            "Undo in the plan takes them back.")
        self._source = None
        self.changes.clear()
        self._set_busy(False)
        return len(chosen)

    def done(self, result: int) -> None:
        # Not closeEvent: Escape (reject) closes a dialog without one, which left the
        # request running for a window already deleted.
        self._runner.cancel(self.TASK)
        super().done(result)


__all__ = ["ReworkDialog"]
