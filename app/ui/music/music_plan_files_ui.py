"""The Music tab's plan files: open a `.plan.json` (or a v1/v2 plan, or a request body)
into the plan editor, save the plan, and open a plan file dropped on the tab. Reading
and writing the files themselves is music_files.py. A part of MusicTab (a mixin over its
editor, output box and status line).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QWidget

from app.domain.music_plan_checks import length_text
from app.domain.music_plan_json import PlanFormatError
from app.ui.music.music_files import (
    plan_file_path,
    read_plan_source,
    user_message,
    write_plan_file,
)
from app.ui.widgets.file_dialogs import ask_open_path, ask_save_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QTabWidget

    from app.ui.app_context import AppContext
    from app.ui.music.output_box import OutputBox
    from app.ui.music.plan_editor import PlanEditor
    from app.ui.widgets.error_banner import ErrorBanner

    _Widget = QWidget
else:
    _Widget = object

PROMPT_PAGE, PLAN_PAGE = 0, 1  # the pages of the tab's `mode`


class MusicPlanFiles(_Widget):
    if TYPE_CHECKING:  # what it uses of the tab (music_tab.py)
        _ctx: AppContext
        editor: PlanEditor
        output: OutputBox
        mode: QTabWidget
        status: QLabel
        error_banner: ErrorBanner

    def load_plan_json(self, source: str | Path | dict[str, Any], *,
                       name: str | None = None) -> bool:
        """Open a plan: a `.plan.json` file, a v1 or v2 plan, or a request body (`name`:
        the file it was read from, for messages)."""
        try:
            opened = read_plan_source(source, name)
        except PlanFormatError as exc:
            self.error_banner.show_message(user_message(exc))
            return False
        if opened.model_id:
            self.output.select(self.output.model, opened.model_id)
        self.editor.set_plan(opened.plan, f"Open {opened.name}")
        self.mode.setCurrentIndex(PLAN_PAGE)
        self.status.setText(f"Opened {opened.name}: {len(opened.plan.sections)} sections, "
                            f"{length_text(opened.plan.total_ms)}. Ctrl+Z undoes this.")
        return True

    def save_plan_to(self, path: str | Path) -> Path:
        written = write_plan_file(path, self.editor.plan(), self.output.model_id())
        self.status.setText(f"Plan saved to {written}")
        return written

    def _on_open_plan_clicked(self) -> QFileDialog:
        return ask_open_path(self, "music.open_dialog", "Open a music plan",
                             str(self._ctx.paths.data_dir), self.load_plan_json,
                             "Music plans (*.plan.json *.json);;All files (*)")

    def _on_save_plan_clicked(self) -> QFileDialog:
        suggested = str(self._ctx.paths.data_dir / "song.plan.json")
        return ask_save_path(self, "music.save_dialog", "Save the plan", suggested,
                             lambda path: self.save_plan_to(plan_file_path(path)),
                             "Music plans (*.plan.json)")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.toLocalFile().lower().endswith(".json") for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls()[:1]:
            self.load_plan_json(url.toLocalFile())
        event.acceptProposedAction()
