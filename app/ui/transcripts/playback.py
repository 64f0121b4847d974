"""Keeps the transcript and its audio together: the playing word is highlighted and kept
in view, a clicked word plays from its start, and the keys move through the audio.

The player is shared with the other tabs, so this loads the transcript's clip back into
it whenever the user acts on the transcript and something else was loaded meanwhile.
A long recording (app/audio/recording_file.py) is never decoded whole: the player
streams it from disk (app/audio/file_stream.py) and seeks tell the stream where to read.
The position comes from PlayerBar.position_changed (the bar polls the player every 16 ms
while it plays; the audio thread never calls Qt) and WordIndex.word_at is O(log n).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.audio.player import Player, PlayerState
from app.domain.transcript import Transcript
from app.ui.transcripts.paragraph_model import ParagraphModel
from app.ui.transcripts.transcript_view import TranscriptView
from app.ui.widgets.player_bar import PlayerBar

if TYPE_CHECKING:  # numpy loads with the first clip, not with the window
    from app.audio.clip import SampleSource
    from app.audio.file_stream import FileStream
    from app.audio.recording_file import RecordingFile
    from app.ui.qt_async import TaskRunner

log = logging.getLogger(__name__)

#: Start a clicked word this much early, so its first sound is not cut off.
PRE_ROLL_MS = 40
#: Opening a long recording that takes longer than this is said in the status.
SAY_OPENING_MS = 300
OPENING = "Opening the recording…"
OPEN_TASK = "transcripts.open_recording"


class TranscriptPlayback(QObject):
    audio_changed = Signal()  # linked, or unlinked
    heard_ms = Signal(int)  # where in the clip the sound is, as it plays (ms)
    # A long recording that cannot be opened when it is to play (moved, deleted or
    # damaged since it was linked): the Path and what went wrong.
    cannot_play = Signal(object, object)
    # Words for the status: OPENING while a long recording takes a moment to open,
    # "" once it is open.
    says = Signal(str)

    def __init__(self, player_bar: PlayerBar, model: ParagraphModel, view: TranscriptView,
                 parent: QObject | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        # Opens a long recording in a worker thread (without one, on this thread).
        self._runner = runner
        self._opening: FileStream | None = None  # being opened in a worker thread
        # What the user asked for while it opened, done once it is open.
        self._wanted_ms: int | None = None
        self._wanted_play = False
        self._bar = player_bar
        self._player: Player = player_bar.player
        self._model = model
        self._view = view
        # A decoded AudioClip, or a long RecordingFile that stays on disk.
        self.clip: SampleSource | None = None
        self._file_stream: FileStream | None = None  # a long recording playing from disk
        self.peaks: Any = None  # numpy array of waveform peaks
        self.audio_path: Path | None = None
        self.follow_playhead = True
        self._ours = False
        self._pinned: tuple[int, int] | None = None  # (word, its start): clicked, pre-rolling
        # Review playback (review.py): set by ReviewControls; at another speed or looping,
        # play and seek go through it, and it says where in the clip the sound is.
        self.review: Any = None
        self._review_at_ms = 0  # where review playback starts next (a seek while paused)
        player_bar.position_changed.connect(self._on_bar_position_changed)

    @property
    def has_audio(self) -> bool:
        return self.clip is not None

    @property
    def transcript(self) -> Transcript | None:
        return self._model.transcript

    def set_audio(self, clip: SampleSource | None, peaks: Any, path: Path | None) -> None:
        """`peaks` None: still being read (see set_peaks)."""
        self._stop_file_stream()
        self.clip, self.peaks, self.audio_path = clip, peaks, path
        self._ours = False
        if clip is not None:
            self._claim()
        self.audio_changed.emit()

    def set_peaks(self, peaks: Any, path: Path) -> None:
        """The waveform of a long recording, read after it began to play."""
        if path != self.audio_path or self.clip is None:
            return
        self.peaks = peaks
        if self._review_streaming():
            self.stream_started(self.review.speed_value)
        elif self._ours:
            self._bar.show_clip(self._title(), peaks)

    @property
    def streams_from_disk(self) -> bool:
        from app.audio.recording_file import RecordingFile

        return isinstance(self.clip, RecordingFile)

    def _stop_file_stream(self) -> None:
        stream, self._file_stream = self._file_stream, None
        if stream is not None:
            stream.stop()
        opening, self._opening = self._opening, None
        if opening is not None:  # (its worker closes the file when it is open)
            opening.stop()
            self.says.emit("")

    @property
    def opening(self) -> bool:
        """A long recording is being opened; what the user asks meanwhile waits for it."""
        return self._opening is not None

    def _open_in_worker(self, clip: RecordingFile) -> None:
        """The file opened in a worker thread: on a sleeping USB disk or a network drive
        that takes seconds, and the window froze while the header was read."""
        from app.audio.file_stream import FileStream

        assert self._runner is not None
        stream = self._opening = FileStream(self._player, clip.path)
        self._wanted_ms, self._wanted_play = None, False

        def say_opening() -> None:
            if self._opening is stream:
                self.says.emit(OPENING)

        QTimer.singleShot(SAY_OPENING_MS, self, say_opening)

        async def open_it() -> None:
            try:
                await asyncio.to_thread(stream.open)
            except asyncio.CancelledError:
                stream.stop()  # (the tab closed: the worker closes the file)
                raise
            except Exception as exc:  # moved or deleted since it was linked
                if self._opening is stream:
                    self._opening = None
                    self.says.emit("")
                    log.warning("cannot play %s", clip.path, exc_info=True)
                    self.cannot_play.emit(clip.path, exc)
                return
            if self._opening is not stream:  # replaced or stopped meanwhile
                stream.stop()
                return
            self._opening = None
            self.says.emit("")
            if not stream.begin():
                return
            self._file_stream = stream
            self._show_ours()
            wanted_ms, wanted_play = self._wanted_ms, self._wanted_play
            if wanted_ms is not None:
                self._seek(wanted_ms)
            if wanted_play:
                self._bar.toggle_play()

        self._runner.restart(OPEN_TASK, open_it)

    def _load_into_player(self) -> bool:
        from app.audio.clip import AudioClip
        from app.audio.file_stream import FileStream
        from app.audio.recording_file import RecordingFile

        clip = self.clip
        self._stop_file_stream()
        if isinstance(clip, RecordingFile) and self._runner is not None:
            self._open_in_worker(clip)
            return False  # not yet: the rest is done once it is open
        if isinstance(clip, RecordingFile):
            stream = FileStream(self._player, clip.path)
            try:
                stream.start()  # opens the file (its header); the reading is a thread's
            except Exception as exc:  # moved or deleted since it was linked
                log.warning("cannot play %s", clip.path, exc_info=True)
                self.cannot_play.emit(clip.path, exc)
                return False
            self._file_stream = stream
        elif isinstance(clip, AudioClip):
            self._player.load(clip)
        else:
            return False
        return True

    def _title(self) -> str:
        return self.audio_path.name if self.audio_path else "Transcript audio"

    def _claim(self) -> bool:
        """Make sure the player holds our clip; False when there is no audio."""
        if self.clip is None or self._opening is not None:
            return False
        if not self._ours or self._player.duration_ms != self.clip.duration_ms:
            if not self._load_into_player():
                return False
            self._show_ours()
        return True

    def _show_ours(self) -> None:
        if self.peaks is None:
            import numpy as np

            self.peaks = np.zeros(0, np.float32)
        self._bar.show_clip(self._title(), self.peaks)
        self._ours = True

    # -- for review playback ---------------------------------------------------------
    @property
    def player(self) -> Player:
        return self._player

    @property
    def model(self) -> ParagraphModel:
        return self._model

    @property
    def view(self) -> TranscriptView:
        return self._view

    def is_ours(self) -> bool:
        return self._ours

    def follow_bar(self) -> None:
        self._bar.follow()

    def stream_started(self, speed: float) -> None:
        """The player now holds a review stream, not the clip: reload it when needed."""
        self._ours = False
        self._bar.show_clip(f"{self._title()} at {speed:g}×", self.peaks
                            if self.peaks is not None else (), timeline=self)

    # The player bar's Timeline while a review stream plays (app/ui/widgets/player_bar.py):
    # its time, waveform clicks and Play are the recording's.
    def position_ms(self) -> int:
        return self.heard_clip_ms()

    def length_ms(self) -> int:
        return self.clip.duration_ms if self.clip is not None else 0

    def _review_streaming(self) -> bool:
        return self.review is not None and self.review.is_streaming()

    def heard_clip_ms(self) -> int:
        """Where in the clip the sound is (or review playback would start)."""
        if self._review_streaming():
            at = self.review.clip_ms(self._player.position_ms)
            return self._review_at_ms if at is None else int(at)
        if self._ours:
            return self._player.position_ms
        return self._review_at_ms

    def current_word_at(self, ms: int) -> int | None:
        transcript = self.transcript
        if transcript is None:
            return None
        current = self._model.current_word
        return current if current is not None else transcript.word_index.last_started(ms)

    # -- actions ---------------------------------------------------------------------
    def seek(self, ms: int) -> None:
        self._pinned = None
        self._seek(ms)

    def _seek(self, ms: int) -> None:
        review = self.review
        if review is not None and self.clip is not None and review.wants_stream():
            self._review_at_ms = max(0, min(ms, self.clip.duration_ms))
            if self._review_streaming():
                if self._player.state in (PlayerState.PLAYING, PlayerState.BUFFERING):
                    review.play_from(self._review_at_ms)
                else:  # paused or ended: the next Play starts here (it resumed the old
                    review.stop_stream()  # stream, where it was, and the seek was lost)
            return
        if review is not None:
            review.stop_stream()
        if not self._claim():
            if self._opening is not None:
                self._wanted_ms = ms  # sought once the recording is open
            return
        assert self.clip is not None
        self._player.seek(max(0, min(ms, self.clip.duration_ms)))
        self._bar.follow()

    def seek_to_word(self, word_index: int) -> None:
        transcript = self.transcript
        if transcript is None or not 0 <= word_index < len(transcript.words):
            return
        self._model.set_current_word(word_index)
        start = transcript.words[word_index].start_ms
        self._pinned = (word_index, start)  # the pre-roll must not light the word before
        self._seek(max(0, start - PRE_ROLL_MS))

    def toggle(self) -> None:
        review = self.review
        if review is not None and self.clip is not None and (
                review.wants_stream() or self._review_streaming()):
            review.toggle()
            return
        if self._claim():
            self._bar.toggle_play()
        elif self._opening is not None:  # played (or not) once the recording is open
            self._wanted_play = not self._wanted_play

    def pause(self) -> None:
        self._wanted_play = False  # (a Play pressed while the recording opened)
        playing = self._player.state in (PlayerState.PLAYING, PlayerState.BUFFERING)
        if (self._ours or self._review_streaming()) and playing:
            self._player.pause()
            self._bar.follow()

    def shuttle(self, delta_ms: int) -> None:
        if self.clip is not None:
            self.seek(self.heard_clip_ms() + delta_ms)

    def step(self, direction: int) -> int | None:
        """Move to the previous/next word; returns its index."""
        transcript = self.transcript
        if transcript is None or not transcript.words:
            return None
        index = transcript.word_index
        current = self._model.current_word
        if current is None:
            current = index.last_started(self.heard_clip_ms())
        if current is None:
            target = index.next_word(-1)
        else:
            target = index.next_word(current) if direction > 0 else index.previous_word(current)
        if target is None:
            return None
        self.seek_to_word(target)
        self._view.show_word(target)
        return target

    # -- following -------------------------------------------------------------------
    def _on_bar_position_changed(self, ms: int) -> None:
        transcript = self.transcript
        if transcript is None or self.clip is None:
            return
        if self._review_streaming():
            at = self.review.clip_ms(ms)
            if at is None:
                return
            ms = int(at)
        elif not self._ours:
            return
        elif self._player.duration_ms != self.clip.duration_ms:
            self._ours = False  # another tab loaded something else
            return
        self.heard_ms.emit(ms)
        if self._pinned is not None:
            if ms < self._pinned[1]:  # still in the pre-roll of the word clicked
                return
            self._pinned = None
        word = transcript.word_index.word_at(ms)
        if word is None:
            return  # a pause: keep the last word lit, it reads better than flicker
        if word != self._model.current_word:
            self._model.set_current_word(word)
            playing = self._player.state in (PlayerState.PLAYING, PlayerState.BUFFERING)
            if self.follow_playhead and playing:
                self._view.show_word(word)
