"""A distinct, readable colour per speaker, stable for the life of a transcript."""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.ui.contrast import TEXT_CONTRAST, base_color, with_contrast

# Hues picked to stay apart from each other and readable on light and dark backgrounds
# (the Okabe-Ito colour-blind safe set, then a few more).
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8E6C8A",
    "#3B7D23", "#B8860B", "#C0392B", "#2E86AB", "#7F8C8D",
)
NO_SPEAKER = "#7F8C8D"


class SpeakerColors:
    def __init__(self) -> None:
        self._by_id: dict[str, QColor] = {}

    def assign(self, speaker_ids: list[str]) -> None:
        """Colours in order of first appearance; a speaker keeps its colour after merges."""
        for speaker_id in speaker_ids:
            if speaker_id not in self._by_id:
                hue = PALETTE[len(self._by_id) % len(PALETTE)]
                color = QColor(hue)
                if len(self._by_id) >= len(PALETTE):  # beyond the palette: shift the shade
                    color = color.darker(100 + 25 * (len(self._by_id) // len(PALETTE)))
                self._by_id[speaker_id] = color

    def reset(self) -> None:
        self._by_id.clear()

    def color(self, speaker_id: str | None) -> QColor:
        """The speaker's colour, lightened or darkened to read on today's background
        (asked at paint time, so a theme switch is followed). At 4.5:1, as for text: the
        transcript writes each speaker's name in it, in the body's size (held to 3:1,
        the orange #D55E00 read at 4.0:1 on a dark base, #7F8C8D at 3.5:1 on white)."""
        if speaker_id is None:
            return with_contrast(QColor(NO_SPEAKER), base_color(), TEXT_CONTRAST)
        if speaker_id not in self._by_id:
            self.assign([speaker_id])
        return with_contrast(QColor(self._by_id[speaker_id]), base_color(), TEXT_CONTRAST)
