"""A forced alignment turned into a transcript the Transcripts tab opens.

The aligner's answer (`ForcedAlignmentResponseModel`) has words and times but no
speakers. When the script came from an existing transcript, its speakers carry over by
position: the n-th word of the script keeps the speaker of the n-th word of the old
transcript (a retyped word keeps its place), the last known speaker after that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.transcript import XI_STUDIO_KEY

ALIGNED_MARK_KEY = "xi_studio_aligned"


def script_from_words(words: Sequence[tuple[str, str | None]]) -> str:
    """The text of (word, speaker) pairs, one line per change of speaker."""
    lines: list[list[str]] = []
    previous: object = object()
    for text, speaker in words:
        if speaker != previous or not lines:
            lines.append([])
            previous = speaker
        lines[-1].append(text)
    return "\n".join(" ".join(line) for line in lines)


def alignment_to_transcript(result: Mapping[str, Any], *,
                            speakers: Sequence[str | None] = (),
                            speaker_names: Mapping[str, str] | None = None,
                            language_code: str = "en") -> dict[str, Any]:
    """Speech-to-text JSON (`SpeechToTextChunkResponseModel` shape) from an alignment.

    `speakers[i]` is the speaker of the i-th word (from the transcript the script came
    from); words past its end keep the last one; none at all: "speaker_0".
    """
    items: list[dict[str, Any]] = []
    texts: list[str] = []
    last_speaker = "speaker_0"
    previous_end: float | None = None
    for i, word in enumerate(result.get("words") or []):
        if i < len(speakers) and speakers[i]:
            last_speaker = str(speakers[i])
        start, end = float(word["start"]), float(word["end"])
        if previous_end is not None:
            items.append({"text": " ", "start": previous_end, "end": max(previous_end, start),
                          "type": "spacing", "speaker_id": last_speaker})
            texts.append(" ")
        loss = float(word.get("loss", 0.0))
        # A loss of 1 means the aligner could not place the word: shown as doubtful.
        logprob = -20.0 if loss >= 1.0 else round(min(0.0, -loss), 4)
        items.append({"text": str(word["text"]), "start": start, "end": end, "type": "word",
                      "speaker_id": last_speaker, "logprob": logprob})
        texts.append(str(word["text"]))
        previous_end = end
    out: dict[str, Any] = {
        "language_code": language_code,
        "language_probability": 1.0,
        "text": "".join(texts),
        "words": items,
        ALIGNED_MARK_KEY: {"loss": result.get("loss")},
    }
    if speaker_names:  # read back by transcript_parse._speaker_names
        out[XI_STUDIO_KEY] = {"speaker_names": dict(speaker_names)}
    return out


__all__ = ["ALIGNED_MARK_KEY", "alignment_to_transcript", "script_from_words"]
