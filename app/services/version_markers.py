"""The DAW markers of one kept version: its sections where they really fell (the rule the
version timeline uses: the server's times where it gave them, the plan's lengths
otherwise), its tempo, and one plain sentence saying where both came from, for the
export summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.music_section_times import stored_spans
from app.services.daw_markers import DEFAULT_TEMPO_BPM, SectionMark, named_tempo


@dataclass(frozen=True)
class VersionMarkers:
    marks: list[SectionMark]
    tempo_bpm: float
    tempo_named: bool  # False: DEFAULT_TEMPO_BPM, nothing named one
    from_server: bool  # the times are the server's (else the plan's, or there are none)

    def summary(self) -> str:
        if not self.marks:
            where = ("No section markers: this version was composed from a prompt without "
                     "song details, so where its sections fall is not known (tick “Song "
                     "details” before composing to get them). The MIDI markers file holds "
                     "the tempo only.")
        elif self.from_server:
            where = "Section markers at the times the server returned for this version."
        else:
            where = ("Section markers at the plan's lengths (the server returned no times "
                     "for this version).")
        tempo = f"{self.tempo_bpm:g} BPM"
        if self.tempo_named:
            return f"{where} Tempo {tempo}, as the styles or the prompt say."
        return (f"{where} Tempo {tempo} is a stand-in (no style names one): set the real "
                "tempo in your DAW.")


def version_markers(settings: Mapping[str, Any], extra: Mapping[str, Any],
                    song_ms: int | None = None) -> VersionMarkers:
    """The markers of the version whose history entry holds `settings` and `extra`. With
    `song_ms` (the audio's length) they stay inside the song, as the timeline does: a
    section the song ends before gets no marker, one it ends during is cut there."""
    spans = stored_spans(settings, extra, song_ms)
    marks = [SectionMark(s.name, s.start_ms, s.end_ms) for s in spans
             if song_ms is None or s.start_ms < song_ms]
    tempo = named_tempo(_tempo_texts(settings, extra))
    return VersionMarkers(marks, DEFAULT_TEMPO_BPM if tempo is None else tempo,
                          tempo is not None, any(s.from_server for s in spans))


def _tempo_texts(settings: Mapping[str, Any], extra: Mapping[str, Any]) -> list[str]:
    """Where a tempo may be named: the sent plan's styles, then the returned plan's, then
    the prompt."""
    texts: list[str] = []
    for source in (settings.get("plan"), extra.get("composition_plan")):
        if not isinstance(source, dict):
            continue
        try:
            plan = plan_from_json(source)
        except PlanFormatError:
            continue
        texts += [*plan.global_positive_styles,
                  *(style for s in plan.sections for style in s.positive_styles)]
    prompt = settings.get("prompt")
    if isinstance(prompt, str):
        texts.append(prompt)
    return texts


__all__ = ["VersionMarkers", "version_markers"]
