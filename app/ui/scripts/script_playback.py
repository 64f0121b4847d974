"""Plays takes through the app's one player, and follows the spoken word.

A block, two takes one after the other (A/B), or the whole script (chosen takes in
order, with the script's gap) are decoded and joined in a worker thread, loaded into the
shared player and shown in the player bar. While it plays, the bar's position ticks say
which block and which word are being heard (`spoken`); another tab loading something
else into the player ends the following.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.audio.player import PlayerState
from app.domain.script import Take
from app.ui.qt_async import TaskRunner
from app.ui.scripts.script_audio import Segment, Timeline, build_timeline
from app.ui.widgets.player_bar import PlayerBar

COMPARE_GAP_MS = 700  # between take A and take B: long enough to tell them apart
SAME_CLIP_MS = 20


class ScriptPlayback(QObject):
    spoken = Signal(str, int, int)  # block id, first char, end char (-1, -1: between words)
    stopped_following = Signal()  # stopped, or another clip was loaded
    # The part under the playhead (0: the first take played), -1 once stopped or at the
    # end; a gap keeps the part before it. A/B says from it which take is heard. (A clip
    # from elsewhere replacing it is said by stopped_following alone.)
    part_changed = Signal(int)
    failed = Signal(object)  # exception

    TASK = "scripts.play"

    def __init__(self, runner: TaskRunner, player_bar: PlayerBar,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._bar = player_bar
        self._player = player_bar.player
        self.timeline: Timeline | None = None
        self.segment: Segment | None = None  # the take being heard
        self._last: tuple[str, int, int] | None = None
        self._part = -1
        player_bar.position_changed.connect(self._on_bar_position_changed)
        runner.task_failed.connect(self._on_runner_task_failed)
        runner.reports(self.TASK)

    def play(self, title: str, parts: Sequence[tuple[str, Take, Path]], gap_ms: int) -> None:
        """Play the (block id, take, file) parts in order, `gap_ms` apart."""
        self._runner.restart(self.TASK, lambda: self._play(title, list(parts), gap_ms))

    async def _play(self, title: str, parts: list[tuple[str, Take, Path]], gap_ms: int) -> None:
        from app.audio.peaks import compute_peaks

        timeline = await asyncio.to_thread(build_timeline, parts, gap_ms)
        assert timeline.clip is not None
        peaks = await asyncio.to_thread(compute_peaks, timeline.clip, 800)
        self.timeline = None
        assert timeline.clip is not None
        self._player.load(timeline.clip)
        self.timeline = timeline
        self._last = None
        self._part = -1  # a new clip: nothing heard of it yet (not "stopped")
        self._bar.show_clip(title, peaks)
        self._player.play()
        self._bar.follow()

    def _on_bar_position_changed(self, ms: int) -> None:
        timeline = self.timeline
        if timeline is None:
            return
        # (Within a few ms: the player may have resampled the clip for the device.)
        if timeline.clip is None or abs(self._player.duration_ms
                                        - timeline.clip.duration_ms) > SAME_CLIP_MS:
            self.timeline = None  # something else was loaded into the player
            self._part = -1
            self.stopped_following.emit()
            return
        state = self._player.state
        if state is PlayerState.STOPPED:
            self._set_part(-1)
            if self._last is not None:  # stopped: nothing is being heard
                self._last = None
                self.stopped_following.emit()
            return
        index = timeline.index_at(ms)
        if index is not None:
            self._set_part(index)
        elif state is PlayerState.FINISHED:
            self._set_part(-1)
        found = timeline.word_at(ms)
        if found is None:
            return  # in a gap: keep the last word lit
        segment, word = found
        self.segment = segment
        current = (segment.block_id, *(word or (-1, -1)))
        if current != self._last:
            self._last = current
            self.spoken.emit(*current)

    def _set_part(self, index: int) -> None:
        if index != self._part:
            self._part = index
            self.part_changed.emit(index)

    def _on_runner_task_failed(self, name: str, exc: object) -> None:
        if name == self.TASK:
            self.failed.emit(exc)
