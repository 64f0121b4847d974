"""Review playback for the Transcripts tab: speed, loop, doubtful words, skips, follow.

A row of controls above the transcript, each on a key (REVIEW_SHORTCUTS, for the
shortcut map). At 1x without a loop, playback is the tab's ordinary one. At another
speed, or looping the current sentence, the clip is played through a
StretchedPlayback (app/audio/stretch.py: pitch kept, stretched in a worker, a 3-hour
file no heavier than a short one) and TranscriptPlayback asks this object where in the
clip the sound is, so the highlighted word still follows what is heard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QToolButton,
    QWidget,
)

from app.audio.player import PlayerState
from app.audio.stretch import StretchedPlayback
from app.domain.review import next_flagged, sentence_span
from app.ui.shortcuts import SHORTCUTS, Shortcut
from app.ui.widgets.two_line_row import TwoLineRow

if TYPE_CHECKING:
    from app.ui.transcripts.playback import TranscriptPlayback

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
SKIP_MS = 5000


#: The review keys, by their names in the app's one shortcut map (app/ui/shortcuts.py,
#: which Help → Keyboard shortcuts shows).
REVIEW_SHORTCUTS: dict[str, Shortcut] = {
    name: SHORTCUTS[name] for name in (
        "review_slower", "review_faster", "review_loop", "review_next_flag",
        "review_prev_flag", "review_back", "review_forward", "review_follow")
}


def _button(parent: QWidget, name: str, text: str, accessible: str,
            checkable: bool = False) -> QToolButton:
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setText(text)
    button.setAccessibleName(accessible)
    keys = REVIEW_SHORTCUTS.get(name.rsplit(".", 1)[1])
    button.setToolTip(f"{accessible} ({keys.keys})" if keys else accessible)
    button.setCheckable(checkable)
    button.setAutoRaise(False)
    return button


class ReviewControls(QObject):
    """The controls, the keys and the stretched playback they start."""

    def __init__(self, tab: QWidget, playback: TranscriptPlayback) -> None:
        super().__init__(tab)
        self._tab = tab
        self._playback = playback
        self.active: StretchedPlayback | None = None
        self.max_loops: int | None = None  # None: loop until stopped
        self.free_loop: tuple[int, int] | None = None  # a range chosen on the strip
        self.bar = QWidget(tab)
        self.bar.setObjectName("transcripts.review_bar")
        # Two short rows beside the "Get a transcript" column (it must fit beside History
        # on a 1024 px screen); one row when the columns are stacked and this one has
        # the tab's whole width (a short laptop screen needs that row's height).
        self.rows = TwoLineRow()
        self.rows.setSpacing(2)
        self.bar.setLayout(self.rows)
        self.speed = QComboBox(self.bar)
        self.speed.setObjectName("transcripts.review_speed")
        self.speed.setAccessibleName("Playback speed")
        self.speed.setToolTip("Playback speed; the pitch stays the same (Ctrl+Shift+Up/Down)")
        for value in SPEEDS:
            self.speed.addItem(f"{value:g}× speed" if value != 1.0 else "Normal speed", value)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.loop = _button(self.bar, "transcripts.review_loop", "Loop sentence",
                            "Loop the current sentence", checkable=True)
        self.prev_flag = _button(self.bar, "transcripts.review_prev_flag", "◀ Doubtful",
                                 "Previous doubtful word")
        self.next_flag = _button(self.bar, "transcripts.review_next_flag", "Doubtful ▶",
                                 "Next doubtful word")
        self.back = _button(self.bar, "transcripts.review_back", "−5 s", "Skip 5 s back")
        self.forward = _button(self.bar, "transcripts.review_forward", "+5 s",
                               "Skip 5 s ahead")
        self.follow = _button(self.bar, "transcripts.review_follow", "Follow",
                              "Follow the playing word", checkable=True)
        self.follow.setChecked(True)
        for widget in (self.speed, self.loop, self.follow):
            self.rows.add(widget)
        self.rows.split_before()
        for widget in (self.prev_flag, self.next_flag, self.back, self.forward):
            self.rows.add(widget)
        self.rows.end_with_stretch()
        self.rows.set_two_lines(True)
        self.speed.currentIndexChanged.connect(self._on_speed_changed)
        self.loop.toggled.connect(self._on_loop_toggled)
        self.prev_flag.clicked.connect(lambda: self.jump_flagged(-1))
        self.next_flag.clicked.connect(lambda: self.jump_flagged(1))
        self.back.clicked.connect(lambda: self.skip(-SKIP_MS))
        self.forward.clicked.connect(lambda: self.skip(SKIP_MS))
        self.follow.toggled.connect(self._on_follow_toggled)
        actions = {
            "review_slower": lambda: self.step_speed(-1),
            "review_faster": lambda: self.step_speed(1),
            "review_loop": self.loop.toggle,
            "review_next_flag": lambda: self.jump_flagged(1),
            "review_prev_flag": lambda: self.jump_flagged(-1),
            "review_back": lambda: self.skip(-SKIP_MS),
            "review_forward": lambda: self.skip(SKIP_MS),
            "review_follow": self.follow.toggle,
        }
        self.shortcuts: list[QShortcut] = []
        for name, action in actions.items():
            shortcut = QShortcut(QKeySequence(REVIEW_SHORTCUTS[name].keys), tab)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
            self.shortcuts.append(shortcut)
        playback.review = self

    # -- state -----------------------------------------------------------------------
    @property
    def speed_value(self) -> float:
        return float(self.speed.currentData())

    def wants_stream(self) -> bool:
        """Whether playing now goes through the stretcher (another speed or a loop)."""
        return abs(self.speed_value - 1.0) > 1e-6 or self.loop.isChecked() or \
            self.free_loop is not None

    def is_streaming(self) -> bool:
        active = self.active
        return active is not None and active.feed.is_current

    def clip_ms(self, played_ms: int) -> int | None:
        active = self.active
        return None if active is None else active.clip_ms(played_ms)

    # -- actions ---------------------------------------------------------------------
    def step_speed(self, direction: int) -> None:
        index = max(0, min(len(SPEEDS) - 1, self.speed.currentIndex() + direction))
        self.speed.setCurrentIndex(index)

    def play_from(self, clip_ms: int) -> None:
        """Play (stretched, looped as set) from a point of the clip."""
        playback = self._playback
        clip = playback.clip
        if clip is None:
            return
        self.stop_stream()
        loop = None
        if self.free_loop is not None:
            loop = self.free_loop
            clip_ms = loop[0]
        elif self.loop.isChecked():
            transcript = playback.transcript
            word = playback.current_word_at(clip_ms)
            span = sentence_span(transcript, word) if transcript and word is not None else None
            loop = span or (clip_ms, min(clip.duration_ms, clip_ms + SKIP_MS))
            clip_ms = loop[0]  # a loop plays the whole sentence, from its start
        player = playback.player
        self.active = StretchedPlayback(player, clip, self.speed_value, clip_ms, loop,
                                        self.max_loops)
        playback.stream_started(self.speed_value)
        player.play()
        playback.follow_bar()

    def loop_range(self, start_ms: int, end_ms: int | None) -> None:
        """Loop a free range (chosen on the waveform strip) at the speed set; None for
        the end: stop looping it."""
        if end_ms is None:
            if self.free_loop is not None:
                self.free_loop = None
                self._restart_if_playing()
            return
        self.free_loop = (start_ms, max(start_ms + 1, end_ms))
        self.play_from(start_ms)

    def toggle(self) -> None:
        player = self._playback.player
        if self.is_streaming() and player.state in (PlayerState.PLAYING,
                                                    PlayerState.BUFFERING):
            player.pause()
        elif self.is_streaming() and player.state is PlayerState.PAUSED:
            player.play()
            self._playback.follow_bar()
        else:
            self.play_from(self._playback.heard_clip_ms())

    def stop_stream(self) -> None:
        if self.active is not None:
            self.active.stop()
            self.active = None

    def skip(self, delta_ms: int) -> None:
        self._playback.seek(max(0, self._playback.heard_clip_ms() + delta_ms))

    def jump_flagged(self, direction: int) -> int | None:
        playback = self._playback
        transcript = playback.transcript
        if transcript is None:
            return None
        model = playback.model
        target = next_flagged(transcript, model.current_word, direction,
                              model.is_low_confidence)
        if target is None:
            return None
        if playback.has_audio:
            playback.seek_to_word(target)
        else:
            model.set_current_word(target)
        playback.view.show_word(target)
        return target

    # -- changes ---------------------------------------------------------------------
    def _restart_if_playing(self) -> None:
        player = self._playback.player
        playing = player.state in (PlayerState.PLAYING, PlayerState.BUFFERING)
        if not playing or not (self.is_streaming() or self._playback.is_ours()):
            return
        at = self._playback.heard_clip_ms()
        if self.wants_stream():
            self.play_from(at)
        else:
            self.stop_stream()
            self._playback.seek(at)
            self._playback.player.play()
            self._playback.follow_bar()

    def _on_speed_changed(self, _index: int) -> None:
        self._restart_if_playing()

    def _on_loop_toggled(self, _checked: bool) -> None:
        self.free_loop = None  # the sentence loop replaces a range chosen on the strip
        self._restart_if_playing()

    def _on_follow_toggled(self, checked: bool) -> None:
        self._playback.follow_playhead = checked


__all__ = ["REVIEW_SHORTCUTS", "SPEEDS", "ReviewControls"]
