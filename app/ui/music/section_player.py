"""Section by section: a version's sections where they really fell (the server's times,
else the plan's), one of them played on its own or looped, and A/B of the same section
in two versions."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.music_detailed_stream import SectionTime
from app.domain.music_plan import Plan
from app.domain.music_plan_checks import seconds_text
from app.domain.music_section_times import SectionSpan, matching_span, stored_spans
from app.library.history import Generation
from app.ui.app_context import AppContext
from app.ui.music.compose_request import read_version
from app.ui.music.timeline import TimelineSection, TimelineWidget
from app.ui.qt_async import TaskRunner

if TYPE_CHECKING:
    from app.audio.clip import AudioClip

AB_GAP_S = 0.4


def _clock(ms: int) -> str:
    """0:07.5: minutes and seconds to a tenth (sections differ by less than a second)."""
    tenths = round(ms / 100)
    return f"{tenths // 600}:{(tenths % 600) / 10:04.1f}"


def difference_words(span: SectionSpan) -> str:
    """How a section the server placed differs from the plan, in words ("" if it does
    not): for the timeline's tooltip and what a screen reader says of it."""
    if not span.differs:
        return ""
    if span.planned_start_ms is None:
        return "not in the plan: the server added it"
    return (f"differs from the plan, which had {seconds_text(span.planned_start_ms)}–"
            f"{seconds_text(span.planned_end_ms or 0)} s")


def _sentence(words: str) -> str:
    """difference_words said on their own: 'Differs from the plan, …'."""
    return words[:1].upper() + words[1:]


def timeline_description(spans: list[SectionSpan]) -> str:
    """The timeline read out: each section's times, and which differ from the plan."""
    if not spans:
        return "No sections."
    where = ("as the server placed them" if any(s.from_server for s in spans)
             else "at their planned lengths")
    parts = []
    for i, span in enumerate(spans):
        words = difference_words(span)
        parts.append(f"{span.name or f'Section {i + 1}'} {seconds_text(span.start_ms)}–"
                     f"{seconds_text(span.end_ms)} s" + (f", {words}" if words else ""))
    return f"Sections {where}: " + "; ".join(parts) + "."


def version_spans(generation: Generation) -> list[SectionSpan]:
    """The sections of a stored version where they really fell (stored_spans' rule)."""
    version = read_version(generation.settings_json, generation.extra_json)
    return stored_spans(version.settings, version.extra, generation.duration_ms)


def _version_clip(generation: Generation) -> AudioClip:
    from app.audio.decode import decode_file
    from app.domain.formats import OutputFormat

    if generation.file_path is None or not generation.file_exists:
        raise FileNotFoundError(f"The audio of “{generation.title}” is missing.")
    fmt = None
    with contextlib.suppress(ValueError):
        fmt = OutputFormat.parse(generation.output_format)
    return decode_file(generation.file_path, fmt).mono()


def _ab_clip(a: AudioClip, a_span: SectionSpan, b: AudioClip, b_span: SectionSpan
             ) -> AudioClip:
    import numpy as np

    from app.audio.clip import AudioClip

    def cut(clip: AudioClip, span: SectionSpan, rate: int) -> np.ndarray:
        r = clip.sample_rate_hz
        piece = clip.samples[round(span.start_ms * r / 1000):round(span.end_ms * r / 1000), 0]
        if r != rate and piece.size:
            positions = np.arange(round(piece.size * rate / r))
            piece = np.interp(positions * r / rate, np.arange(piece.size), piece)
        return piece.astype(np.float32)

    rate = a.sample_rate_hz
    gap = np.zeros(int(rate * AB_GAP_S), np.float32)
    return AudioClip(np.concatenate([cut(a, a_span, rate), gap, cut(b, b_span, rate)]), rate)


class SectionPlayer(QGroupBox):
    playback_ready = Signal(str, object)  # title, peaks

    PLAY = "music.section_play"

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None
                 ) -> None:
        super().__init__("Section by section", parent)
        self.setObjectName("music.sections_box")
        self._ctx, self._runner = ctx, runner
        self.generation: Generation | None = None
        self.other: Generation | None = None  # the version to A/B with
        self.spans: list[SectionSpan] = []
        self.live_count = 0  # sections placed so far by a streamed details answer
        self.timeline = TimelineWidget(self)
        self.timeline.setObjectName("music.version_timeline")
        self.timeline.setAccessibleName("Where the version's sections fell")
        self.timeline.setToolTip("The selected version's sections where they really fell "
                                 "(✱: not where the plan had it). Click one to choose it.")
        self.timeline.click_hint = "Click to choose it."
        self.choice = QComboBox(self)
        self.choice.setObjectName("music.section_choice")
        self.choice.setAccessibleName("Section to play")
        self.play_button = QPushButton("Play section", self)
        self.play_button.setObjectName("music.section_play")
        self.play_button.setAccessibleName("Play section")
        self.play_button.setToolTip("Play only this section of the selected version")
        self.loop = QCheckBox("Loop", self)
        self.loop.setObjectName("music.section_loop")
        self.loop.setAccessibleName("Loop the section")
        self.ab_button = QPushButton("A/B", self)
        self.ab_button.setObjectName("music.section_ab")
        self.ab_button.setAccessibleName("A B compare the section")
        self.ab_button.setToolTip("Play this section in the selected version, then the same "
                                  "section in the other one (select two versions)")
        # As wide as "A/B" needs, not a text button's usual 80 px: the row set the Music
        # column's minimum width, and with it the plan's room beside History.
        self.ab_button.setMinimumWidth(
            self.ab_button.fontMetrics().horizontalAdvance(self.ab_button.text()) + 24)
        self.note = QLabel(self)
        self.note.setObjectName("music.section_note")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.loop)
        row.addWidget(self.ab_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.timeline)
        layout.addWidget(self.choice)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self.timeline.section_clicked.connect(lambda index, _ms: self.choice.setCurrentIndex(index))
        self.choice.currentIndexChanged.connect(self.timeline.set_selected)
        self.choice.currentIndexChanged.connect(lambda _index: self._describe_choice())
        self.play_button.clicked.connect(self.play_section)
        self.ab_button.clicked.connect(self.play_ab)
        runner.task_failed.connect(self._on_task_failed)
        runner.reports(self.PLAY)
        self.set_versions(None, None)

    def _on_task_failed(self, name: str, exc: object) -> None:
        if name == self.PLAY:
            from app.ui.errors import describe_error

            reason = describe_error(exc).as_text() if isinstance(exc, BaseException) else exc
            self.note.setText(f"The section could not be played: {reason}")

    def show_live(self, asked: Plan | None, plan: Plan | None, times: list[SectionTime]
                  ) -> None:
        """The song being composed with streamed details: its sections where the server
        says they fall, as each one arrives, compared with the plan asked for (`asked`;
        None when composing from a description); the rest at the lengths of the plan the
        server follows (`plan`), else of the one asked for."""
        expected = plan if plan is not None else asked
        bounds = expected.section_bounds_ms() if expected is not None else []
        names = [s.name for s in expected.sections] if expected is not None else []
        planned = asked.section_bounds_ms() if asked is not None else []
        placed = {t.index: t for t in times}
        spans = []
        for index in range(max(len(bounds), max(placed, default=-1) + 1)):
            at = planned[index] if index < len(planned) else None
            time = placed.get(index)
            if time is not None:
                spans.append(SectionSpan(time.name or (names[index] if index < len(names)
                                                       else ""), time.start_ms, time.end_ms,
                                         at[0] if at else None, at[1] if at else None, True,
                                         compared=asked is not None))
            elif index < len(bounds):
                start, end = bounds[index]
                spans.append(SectionSpan(names[index], start, end, start, end))
        self.generation, self.other = None, None
        self._show(spans)
        self.live_count = len(placed)
        self.note.setText(f"Composing: {len(placed)} of {len(spans)} sections placed by the "
                          "server so far (the rest at their planned lengths).")
        for widget in (self.play_button, self.loop, self.ab_button):
            widget.setEnabled(False)  # nothing to play until the song is kept

    def set_versions(self, generation: Generation | None, other: Generation | None) -> None:
        """Show `generation`'s sections; `other` is the version A/B plays after it."""
        self.generation, self.other = generation, other
        self._show(version_spans(generation) if generation is not None else [])
        self.live_count = 0
        differing = sum(1 for s in self.spans if s.differs)
        if generation is None:
            self.note.setText("Select a version to play it section by section.")
        elif not self.spans:
            self.note.setText("This version has no sections on record (composed from a "
                              "prompt without details).")
        elif not any(s.compared for s in self.spans):
            self.note.setText("Times as the server returned them (composed from a "
                              "description: there is no plan to compare them with).")
        elif any(s.from_server for s in self.spans):
            self.note.setText("Times as the server returned them"
                              + (f"; ✱ {differing} differ from the plan." if differing
                                 else ", as planned."))
        else:
            self.note.setText("Times from the plan (the server returned none).")
        has = bool(self.spans)
        self.play_button.setEnabled(has)
        self.loop.setEnabled(has)
        self.ab_button.setEnabled(has and other is not None)

    def _show(self, spans: list[SectionSpan]) -> None:
        self.spans = spans
        self.choice.clear()
        for i, span in enumerate(self.spans):
            text = (f"{i + 1}. {span.name or 'Section'} · {_clock(span.start_ms)}–"
                    f"{_clock(span.end_ms)}")
            # The words go in the tooltip, not the item: "planned 0:07.0–0:11.0" after
            # every marked section cut the item off in a narrow window.
            self.choice.addItem(text + (" ✱" if span.differs else ""))
            self.choice.setItemData(i, _sentence(difference_words(span)) or None,
                                    Qt.ItemDataRole.ToolTipRole)
        self._describe_choice()
        self.timeline.set_sections([
            TimelineSection(s.name + (" ✱" if s.differs else ""), s.start_ms, s.duration_ms,
                            note=difference_words(s))
            for s in self.spans])
        self.timeline.setAccessibleDescription(timeline_description(self.spans))

    def _describe_choice(self) -> None:
        """What a screen reader, and a pointer over the closed chooser, learn of the chosen
        section: how it differs from the plan (the items show only ✱)."""
        span = self.current_span()
        words = _sentence(difference_words(span)) if span is not None else ""
        self.choice.setAccessibleDescription(words)
        self.choice.setToolTip(words)

    def current_span(self) -> SectionSpan | None:
        index = self.choice.currentIndex()
        return self.spans[index] if 0 <= index < len(self.spans) else None

    def play_section(self) -> None:
        span, generation = self.current_span(), self.generation
        if span is None or generation is None:
            return
        repeat = self.loop.isChecked()
        title = f"{generation.title} · {span.name}" + (" (looped)" if repeat else "")
        self._runner.restart(self.PLAY, lambda: self._play(generation, span, repeat, title))

    async def _play(self, generation: Generation, span: SectionSpan, repeat: bool,
                    title: str) -> None:
        clip = await asyncio.to_thread(_version_clip, generation)
        await self._hand_over(clip, span.start_ms, span.end_ms, repeat, title)

    def play_ab(self) -> None:
        index = self.choice.currentIndex()
        a, b = self.generation, self.other
        if a is None or b is None or not 0 <= index < len(self.spans):
            return
        b_span = matching_span(self.spans, version_spans(b), index)
        if b_span is None:
            self.note.setText(f"“{b.title}” has no section like “{self.spans[index].name}”.")
            return
        a_span, repeat = self.spans[index], self.loop.isChecked()
        title = f"A/B {a_span.name}: “{a.title}” then “{b.title}”"
        self._runner.restart(self.PLAY, lambda: self._play_ab(a, a_span, b, b_span, repeat,
                                                              title))

    async def _play_ab(self, a: Generation, a_span: SectionSpan, b: Generation,
                       b_span: SectionSpan, repeat: bool, title: str) -> None:
        a_clip = await asyncio.to_thread(_version_clip, a)
        b_clip = await asyncio.to_thread(_version_clip, b)
        clip = await asyncio.to_thread(_ab_clip, a_clip, a_span, b_clip, b_span)
        await self._hand_over(clip, 0, clip.duration_ms, repeat, title)

    async def _hand_over(self, clip: AudioClip, start_ms: int, end_ms: int, repeat: bool,
                         title: str) -> None:
        from app.audio.peaks import compute_peaks

        # The stored times may run past the audio (a damaged answer, a song cut short):
        # playback and looping stay inside what is there.
        start_ms = min(max(0, start_ms), clip.duration_ms)
        end_ms = min(max(start_ms, end_ms), clip.duration_ms)
        if end_ms <= start_ms:
            self.note.setText("This section lies outside the song's audio, so there is "
                              "nothing of it to play.")
            return
        peaks = await asyncio.to_thread(compute_peaks, clip, 800)
        player = self._ctx.player
        player.load(clip)
        player.set_span(start_ms, end_ms, repeat)
        player.play()
        self.playback_ready.emit(title, peaks)


__all__ = ["SectionPlayer", "difference_words", "timeline_description", "version_spans"]
