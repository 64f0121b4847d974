"""What a script's delivery consists of, worked out without touching audio: where each
chosen take sits in the joined file, the captions from the takes' word timings, and
file names for the per-block files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.script import Block, Script, Take, WordTime
from app.domain.subtitles import Cue, CueRules, build_cues
from app.domain.transcript import Speaker, Transcript, Word


@dataclass(frozen=True, slots=True)
class Placed:
    """A chosen take and where it starts in the joined file."""

    number: int  # 1-based position among the delivered blocks
    block: Block
    take: Take
    start_ms: int
    duration_ms: int


def chosen_takes(script: Script) -> tuple[list[tuple[Block, Take]], list[Block]]:
    """(blocks with a chosen take, blocks with text but none), in script order."""
    found: list[tuple[Block, Take]] = []
    missing: list[Block] = []
    for block in script.blocks:
        if block.is_empty:
            continue
        take = block.chosen_take
        if take is None:
            missing.append(block)
        else:
            found.append((block, take))
    return found, missing


def place(items: Sequence[tuple[Block, Take, int]], gap_ms: int) -> list[Placed]:
    """Start times of takes of the given lengths (ms) laid end to end with gaps."""
    placed: list[Placed] = []
    clock = 0
    for number, (block, take, duration_ms) in enumerate(items, start=1):
        placed.append(Placed(number, block, take, clock, duration_ms))
        clock += duration_ms + gap_ms
    return placed


def _even_words(text: str, duration_ms: int) -> tuple[WordTime, ...]:
    """Word timings spread evenly (for a take made without timestamps)."""
    words = text.split()
    if not words:
        return ()
    step = duration_ms / len(words)
    return tuple(WordTime(w, round(i * step), round((i + 1) * step))
                 for i, w in enumerate(words))


def caption_cues(placed: Sequence[Placed], rules: CueRules | None = None) -> list[Cue]:
    """Captions for the joined file: each take's words moved to where the take sits.

    A cue never spans two blocks (each block counts as its own speaker for the cue
    rules), and a take without word timings gets evenly spread ones.
    """
    words: list[Word] = []
    speakers: dict[str, Speaker] = {}
    for item in placed:
        timings = item.take.alignment
        if not timings:
            timings = _even_words(item.take.text, item.duration_ms)
        speakers[item.block.block_id] = Speaker(item.block.block_id, item.block.speaker)
        for w in timings:
            start = item.start_ms + min(w.start_ms, item.duration_ms)
            end = item.start_ms + min(max(w.end_ms, w.start_ms), item.duration_ms)
            words.append(Word(len(words), w.word, start, end, "word",
                              speaker_id=item.block.block_id))
    transcript = Transcript(None, "", None, " ".join(w.text for w in words), tuple(words),
                            speakers=speakers)
    return build_cues(transcript, rules or CueRules())


_UNSAFE = re.compile(r"[^\w\-]+")


def safe_part(text: str, max_chars: int) -> str:
    """Letters, digits, `-` and `_` only, accents removed, at most `max_chars`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", plain).strip("-_")
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    return cleaned[:max_chars].rstrip("-_")


def block_file_name(number: int, total: int, speaker: str, text: str,
                    extension: str, words: int = 5) -> str:
    """`03_Anna_Good-morning-two-croissants-please.mp3`: number, speaker, first words."""
    width = max(2, len(str(total)))
    first = " ".join(text.split()[:words])
    parts = [f"{number:0{width}d}", safe_part(speaker, 24) or "speaker",
             safe_part(first, 48) or "block"]
    return "_".join(parts) + f".{extension}"
