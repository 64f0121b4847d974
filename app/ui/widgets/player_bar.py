"""The player bar at the bottom of the window: play/pause, stop, waveform, time, volume.

It polls the Qt-free Player every 16 ms while audio plays (the audio thread never signals
Qt; see shared/DESIGN.md), so the playhead moves smoothly without cross-thread calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from app.audio.player import Player, PlayerState
from app.domain.wording import clock_text
from app.ui.icons import icon
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.waveform import WaveformWidget

if TYPE_CHECKING:
    import numpy as np


PLAYER_WAVEFORM_HEIGHT = 30


class Timeline(Protocol):
    """The clip's own time, when the player holds something else for it: a recording
    reviewed slower or faster is played as a stretched stream, whose time (and length,
    known only as it is made) is not the recording's. The bar then shows, and seeks and
    plays in, the recording's time, as its waveform does."""

    def position_ms(self) -> int: ...

    def length_ms(self) -> int: ...

    def seek(self, ms: int) -> None: ...

    def toggle(self) -> None: ...


def format_ms(ms: int) -> str:
    """'0:09', '12:30', '3:00:00' (three hours read '180:00' before)."""
    return clock_text(ms)


class PlayerBar(QWidget):
    position_changed = Signal(int)  # ms, while playing (for tabs that follow the playhead)

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("player.bar")
        self._player = player
        # A title is often the first words of a long text: elided, it never widens
        # the window.
        self._title = ElidedLabel("Nothing to play yet", self)
        self._title.setObjectName("player.title")
        self._title.setMinimumWidth(60)
        self._title.setMaximumWidth(260)
        self._play = QToolButton(self)
        self._play.setObjectName("player.play")
        self._play.setToolTip("Play or pause (Space when the player has focus)")
        self._play.setIcon(icon("play"))
        self._shows_pause = False
        self._timeline: Timeline | None = None
        self._in_timeline = False  # (a timeline's toggle may come back here)
        self._play.setEnabled(False)
        self._stop = QToolButton(self)
        self._stop.setObjectName("player.stop")
        self._stop.setIcon(icon("stop"))
        self._stop.setToolTip("Stop")
        self._stop.setEnabled(False)
        self.waveform = WaveformWidget(self)
        # A slim strip: the bar is under every tab, and each pixel of its height is one
        # the tabs lose on a short laptop screen (the window must fit 460 pixels).
        self.waveform.setMinimumHeight(PLAYER_WAVEFORM_HEIGHT)
        self._time = QLabel("0:00 / 0:00", self)
        self._time.setObjectName("player.time")
        self._volume = QSlider(Qt.Orientation.Horizontal, self)
        self._volume.setObjectName("player.volume")
        self._volume.setRange(0, 100)
        self._volume.setValue(int(player.volume * 100))
        self._volume.setFixedWidth(90)
        self._volume.setToolTip("Volume")
        self._volume.setAccessibleName("Volume")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self._play)
        layout.addWidget(self._stop)
        layout.addWidget(self._title)
        layout.addWidget(self.waveform, 1)
        layout.addWidget(self._time)
        volume_label = QLabel("Volume", self)
        layout.addWidget(volume_label)
        layout.addWidget(self._volume)

        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._play.clicked.connect(self.toggle_play)
        self._stop.clicked.connect(self.stop)
        self._volume.valueChanged.connect(self._on_volume_value_changed)
        self.waveform.seek_requested.connect(self._on_waveform_seek_requested)
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.toggle_play)

    @property
    def player(self) -> Player:
        return self._player

    def show_clip(self, title: str, peaks: np.ndarray | Sequence[float],
                  loaded_fraction: float = 1.0, timeline: Timeline | None = None) -> None:
        """`peaks` may be an empty tuple while nothing has arrived (no numpy needed).
        `timeline`: the clip's own time, when it is not the player's (see Timeline)."""
        self._timeline = timeline
        self._title.setText(title)
        self._title.setToolTip(title)
        self.waveform.set_peaks(peaks, loaded_fraction)
        self._play.setEnabled(True)
        self._stop.setEnabled(True)
        self._refresh()

    def waveform_peaks(self) -> np.ndarray:
        return self.waveform.peaks()

    def clear(self, title: str = "Nothing to play yet") -> None:
        self._timeline = None
        self._player.stop()
        self._title.setText(title)
        self.waveform.clear()
        self._play.setEnabled(False)
        self._stop.setEnabled(False)
        self._refresh()

    def follow(self) -> None:
        """Start polling the player (call after play() or when a stream starts)."""
        self._timer.start()
        self._refresh()

    def toggle_play(self) -> None:
        if not self._play.isEnabled():
            return
        timeline = self._timeline
        if timeline is not None and not self._in_timeline:
            self._in_timeline = True
            try:
                timeline.toggle()
            finally:
                self._in_timeline = False
            self.follow()
            return
        if self._player.state in (PlayerState.PLAYING, PlayerState.BUFFERING):
            self._player.pause()
        else:
            if self._player.state is PlayerState.FINISHED:
                self._player.seek(0)
            self._player.play()
        self.follow()

    def stop(self) -> None:
        self._player.stop()
        self._refresh()

    def _on_volume_value_changed(self, value: int) -> None:
        self._player.volume = value / 100

    def _on_waveform_seek_requested(self, fraction: float) -> None:
        timeline = self._timeline
        if timeline is not None:
            # (the player's own seek lands in the stretched stream, which plays from
            # where it was made: a click at 80% of a review ended it)
            timeline.seek(int(timeline.length_ms() * fraction))
            self.follow()
            return
        duration = self._player.duration_ms
        if duration > 0:
            self._player.seek(int(duration * fraction))
            self._refresh()

    def _on_timer_timeout(self) -> None:
        self._refresh()
        if self._player.state not in (PlayerState.PLAYING, PlayerState.BUFFERING):
            self._timer.stop()

    def _refresh(self) -> None:
        position = self._player.position_ms
        timeline = self._timeline
        shown, duration = (position, self._player.duration_ms) if timeline is None else (
            timeline.position_ms(), timeline.length_ms())
        playing = self._player.state in (PlayerState.PLAYING, PlayerState.BUFFERING)
        if playing is not self._shows_pause:  # setIcon repaints even when nothing changed
            self._shows_pause = playing
            self._play.setIcon(icon("pause" if playing else "play"))
            self._play.setToolTip("Pause" if playing else "Play")
        self._time.setText(f"{format_ms(shown)} / {format_ms(duration)}")
        if duration > 0:
            self.waveform.set_progress(shown / duration)
        self.position_changed.emit(position)  # (the player's time: each tab maps it)
