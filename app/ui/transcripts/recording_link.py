"""The Transcripts tab's recording: the one opened with the transcript or chosen with
Link audio…, read in a worker, then played; and what the player has to say about it in
the tab's status line or banner."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.ui.transcripts import dialogs
from app.ui.transcripts.messages import recording_unplayable
from app.ui.transcripts.playback import OPENING

if TYPE_CHECKING:
    from app.ui.transcripts.transcripts_tab import TranscriptsTab


class RecordingLink:
    def __init__(self, tab: TranscriptsTab) -> None:
        self._tab = tab
        # A recording chosen with Link audio… and still loading: it becomes the
        # transcript's only once it has been read (a wrong pick keeps the old link).
        self.linking: Path | None = None
        tab.viewer.link_audio.clicked.connect(
            lambda: dialogs.choose_recording(tab, self.link_audio))
        tab.playback.cannot_play.connect(self._on_recording_unplayable)
        tab.playback.says.connect(self._on_playback_says)
        tab.controller.audio_loaded.connect(self._on_controller_audio_loaded)
        tab.controller.peaks_loaded.connect(self._on_controller_peaks_loaded)

    def link_audio(self, path: Path) -> None:
        self.linking = path
        self._tab.controller.load_audio(path)

    def forget(self) -> None:
        """The recording being linked is no longer wanted (another transcript opened, or
        it could not be read: the transcript keeps the recording it had)."""
        self.linking = None

    def _on_playback_says(self, words: str) -> None:
        status = self._tab.status
        if words:
            status.setText(words)
        elif status.text() == OPENING:  # open now: the words are no longer true
            status.clear()

    def _on_recording_unplayable(self, path: Path, error: object) -> None:
        self._tab.error_banner.show_message(recording_unplayable(path, error))
        self._tab.status.setText(f"{path.name} cannot be played.")

    def _on_controller_peaks_loaded(self, peaks: object, path: Path) -> None:
        tab = self._tab
        tab.playback.set_peaks(peaks, path)
        if tab.status.text().startswith("Reading the recording…"):
            tab.status.setText(f"{path.name} is read: its waveform is shown.")

    def _on_controller_audio_loaded(self, clip: object, peaks: object, path: Path) -> None:
        tab = self._tab
        tab.playback.set_audio(clip, peaks, path)  # type: ignore[arg-type]
        tab.strip_editing.refresh()  # the strip's waveform, now that there is sound
        if self.linking == path:  # chosen just now (not loaded with the transcript)
            self.linking = None
            tab.document.source.audio_path = path
            tab.save_edits_soon()
            tab.status.setText(f"Linked to {path.name}: click a word to play from there; "
                               "Space plays and pauses, J/L jump 5 s.")
        if peaks is None:  # a long recording: it plays from disk, its waveform comes
            tab.status.setText(f"Reading the recording… {path.name} plays from disk; "
                               "click a word to hear it while its waveform is read.")
