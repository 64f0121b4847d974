"""Files from the command line, File → Open, another launch or a drop on the window, each
sent to the tab that handles its kind: scripts (and CSV/TSV or dialogue-like text) to
Scripts, other text to Speech, audio and video to Transcripts (to transcribe or review),
JSON to Music or Transcripts depending on what it holds. Several recordings at once, or
a folder, are queued in the Transcripts tab.
Anything else is refused in plain words on the status bar, never silently.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

TEXT_SUFFIXES = {".txt", ".md"}
AUDIO_SUFFIXES = {".mp3", ".wav", ".ogg", ".opus", ".flac", ".m4a", ".aac", ".wma", ".aiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi"}
SCRIPT_SUFFIXES = {".csv", ".tsv", ".fountain"}  # and *.xiscript.json
MESSAGE_MS = 8000


def open_dialog_patterns() -> str:
    """Every kind the router takes, as a file dialog's name filter patterns."""
    return " ".join(f"*{s}" for s in sorted(
        TEXT_SUFFIXES | AUDIO_SUFFIXES | VIDEO_SUFFIXES | SCRIPT_SUFFIXES | {".json"}))


class FileRouter:
    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def _say(self, message: str) -> None:
        self._window.statusBar().showMessage(message, MESSAGE_MS)

    def open_paths(self, paths: list[Path]) -> None:
        from app.library.bounded_read import not_regular_message
        from app.ui.scripts.script_files import is_script_file

        window = self._window
        media = [p for p in paths if p.is_dir() or (
            p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES | VIDEO_SUFFIXES)]
        if len(media) > 1 or any(p.is_dir() for p in media):
            # Several recordings or a folder: queued, transcribed one after another.
            window.tabs.setCurrentWidget(window.transcripts_tab)
            window.transcripts_tab.queue_paths(media)
            paths = [p for p in paths if p not in media]
        for path in paths:
            suffix = path.suffix.lower()
            if path.exists() and not path.is_file() and not path.is_dir():
                # A device or a named pipe (even one named chapter.txt): reading it would
                # never end, or block until something writes to it.
                self._say(f"{not_regular_message(path)}. Choose a saved file instead.")
            elif not path.is_file():
                self._say(f"File not found: {path}")
            elif is_script_file(path):
                window.tabs.setCurrentWidget(window.scripts_tab)
                window.scripts_tab.open_path(path)
            elif suffix in TEXT_SUFFIXES:
                self._open_text(path)
            elif suffix == ".json":
                self._open_json(path)
            elif suffix in AUDIO_SUFFIXES or suffix in VIDEO_SUFFIXES:
                window.tabs.setCurrentWidget(window.transcripts_tab)
                window.transcripts_tab.open_path(path)
            else:
                self._say(f"XI Studio cannot open {path.name}: it opens text, audio, video, "
                          "transcript, music-plan and script files.")

    def _open_text(self, path: Path) -> None:
        """A text file into the Speech tab, read off the window's thread: UTF-8, UTF-16
        with its mark, or Windows-1252 (read with replacement characters before, a UTF-16
        file became NULs and '\ufffd'; those would have been spoken and paid for)."""
        self._window.runner.restart("files.open_text", lambda: self._read_text(path))

    async def _read_text(self, path: Path) -> None:
        from app.domain.text_file import NotTextError
        from app.library.text_files import read_text_file

        window = self._window
        try:
            text = await asyncio.to_thread(read_text_file, path)
        except OSError as exc:
            self._say(f"{path.name} could not be opened: {exc.strerror or exc}")
            return
        except NotTextError as exc:
            self._say(f"{path.name} was not opened: {exc}")
            return
        from app.ui.widgets.undoable_text import BRING_BACK, replace_text_undoably

        window.tabs.setCurrentWidget(window.speech_tab)
        if replace_text_undoably(window.speech_tab.text, text):
            self._say(f"Opened {path.name} in place of your text. {BRING_BACK}")

    def _open_json(self, path: Path) -> None:
        """What the file holds is read off the window's thread (a transcript of hours is
        megabytes of JSON), then it goes to its tab; one task a file, so several opened
        at once are all routed."""
        self._window.runner.restart(f"files.open_json:{path}", lambda: self._route_json(path))

    async def _route_json(self, path: Path) -> None:
        from app.library.json_files import JsonFileError, read_json_file

        window = self._window
        try:  # read once: the tab is handed what was parsed here
            kind, parsed = await asyncio.to_thread(read_json_file, path)
        except JsonFileError as exc:
            self._say(str(exc))
            return
        if kind == "plan":
            window.tabs.setCurrentWidget(window.music_tab)
            window.music_tab.load_plan_json(parsed, name=path.name)
        elif kind == "transcript":
            window.tabs.setCurrentWidget(window.transcripts_tab)
            window.transcripts_tab.open_path(path, parsed=parsed)
        else:
            self._say(f"{path.name} is neither a transcript nor a music plan.")
