"""The Pronunciation dialog's `.pls` files: import a lexicon as a new dictionary, export
the chosen one. Reading is bounded and parsing runs in a worker (a damaged file of
gigabytes must not be read whole, nor its XML parsed on the window's thread). A part of
DictionariesDialog (a mixin over its service, its task and its message line).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog

from app.domain.pronunciation import PlsError, read_pls
from app.library.atomic import atomic_write_bytes
from app.library.bounded_read import read_bounded
from app.ui.widgets.file_dialogs import ask_open_path, ask_save_path

if TYPE_CHECKING:
    from app.api.dictionaries import DictionariesService
    from app.domain.dictionary_wire import DictionaryWithRules

    _Dialog = QDialog
else:
    _Dialog = object

# A lexicon of 100,000 words is about 20 MB of XML; a larger file is not one.
MAX_PLS_BYTES = 50 * 1024 * 1024


class PlsFiles(_Dialog):
    if TYPE_CHECKING:  # what it uses of the dialog (dictionaries_panel.py)
        _service: DictionariesService
        current: DictionaryWithRules | None

        def _run(self, doing: str, work: Callable[[], Awaitable[Any]]) -> None: ...
        async def _reload(self, select: str | None = None) -> None: ...
        def say(self, text: str, *, problem: bool = False) -> None: ...

    def _on_import_clicked(self) -> None:
        ask_open_path(self, "dictionaries.import_dialog", "Import a pronunciation lexicon",
                      str(Path.home()), self.import_file,
                      "Pronunciation lexicons (*.pls *.xml);;All files (*)")

    def import_file(self, path: str) -> None:
        name = Path(path).name

        async def work() -> None:
            # Bounded, and parsed in a worker: a damaged file of gigabytes was read whole,
            # and its XML parsed on the window's thread. A file that cannot be read was
            # called one that "could not be written".
            try:
                data = await asyncio.to_thread(read_bounded, Path(path), MAX_PLS_BYTES)
            except OSError as exc:
                raise PlsError(f"{name} could not be imported: {exc.strerror or exc}. "
                               "Choose the lexicon file (.pls) itself.") from None
            try:
                rules = await asyncio.to_thread(read_pls, data)
            except PlsError as exc:
                raise PlsError(f"{name} could not be imported. {exc}") from None
            made = await self._service.create_from_file(Path(path).stem, data,
                                                        Path(path).name)
            await self._reload(made.id)
            self.say(f"Imported {len(rules)} rules from {name}.")
        self._run("Importing…", work)

    def _on_export_clicked(self) -> None:
        if self.current is not None:
            suggested = str(Path.home() / f"{self.current.name}.pls")
            ask_save_path(self, "dictionaries.export_dialog", "Export as .pls", suggested,
                          self.export_file, "Pronunciation lexicons (*.pls)")

    def export_file(self, path: str) -> None:
        current = self.current
        if current is None:
            return

        async def work() -> None:
            data = await self._service.download(current.id, current.latest_version_id)
            # Atomic: a failed save leaves no half file, and an older file untouched.
            await asyncio.to_thread(atomic_write_bytes, path, data)
            self.say(f"Saved {Path(path).name}.")
        self._run("Exporting…", work)
