"""Subtitles and plain text from a transcript: cue building, SRT/WebVTT out and back in.

`build_cues` groups the words into cues by the usual broadcast rules (`CueRules`): a new
cue at a pause or when the speaker changes, lines wrapped at word boundaries and
balanced, never more than `max_lines` lines of `max_chars_per_line` characters (only a
single word longer than a line may stand alone on an overlong line) and never longer
than `max_cue_ms` (only a single word that itself lasts longer may).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.render_steps import Step, paced
from app.domain.script_spacing import join_words, joins_without_space
from app.domain.transcript import Transcript, Word
from app.domain.transcript_lookup import Paragraph, paragraphs


class SubtitleFormatError(ValueError):
    """The subtitle text cannot be read; the message is meant for the user."""


NEEDS_TIMINGS = ("Subtitles need word timings, and this transcript has none. Transcribe "
                 "the recording again with timestamps (word or character), or export it "
                 "as text or JSON.")


class SubtitlesNeedTimingsError(ValueError):
    """The transcript has no word times, so no subtitles can be timed from it."""

    def __init__(self) -> None:
        super().__init__(NEEDS_TIMINGS)


@dataclass(frozen=True, slots=True)
class CueRules:
    max_chars_per_line: int = 42
    max_lines: int = 2
    max_cue_ms: int = 7000
    min_gap_ms: int = 0
    split_pause_ms: int = 700
    speaker_labels: bool = False
    #: Sounds such as "(laughter)": left out, or shown as "[laughter]".
    include_audio_events: bool = False
    #: A cue shown for less than this is hard to read: it is held longer when the
    #: next cue on its channel leaves room (it never starts earlier).
    min_cue_ms: int = 800

    def __post_init__(self) -> None:
        if self.max_chars_per_line < 1 or self.max_lines < 1 or self.max_cue_ms < 1:
            raise ValueError("line length, line count and cue length must be positive")
        if self.min_gap_ms < 0 or self.split_pause_ms < 0:
            raise ValueError("gaps and pauses cannot be negative")


@dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    #: The audio channel it was spoken on: cues of different channels may overlap.
    channel: int = field(default=0, compare=False)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start_ms: int
    end_ms: int
    speaker_id: str | None
    channel: int


def _event_text(text: str) -> str:
    inner = text.strip().strip("()[]").strip()
    return f"[{inner}]" if inner else ""


def _tokens(transcript: Transcript, rules: CueRules) -> list[_Token]:
    tokens: list[_Token] = []
    for w in transcript.words:
        if w.kind == "spacing":
            continue
        if w.kind == "audio_event":
            if not rules.include_audio_events:
                continue
            text = _event_text(w.text)
        else:
            text = join_words(w.text.split())
        if text:
            tokens.append(_Token(text, w.start_ms, w.end_ms, w.speaker_id, w.channel))
    return tokens


def _greedy(words: Sequence[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        glue = "" if lines and joins_without_space(lines[-1], word) else " "
        if lines and len(lines[-1]) + len(glue) + len(word) <= width:
            lines[-1] += glue + word
        else:
            lines.append(word)
    return lines


def wrap_lines(words: Sequence[str], max_chars: int, max_lines: int) -> list[str] | None:
    """The words in as few lines as fit `max_chars`, the lines as even as possible;
    None when they need more than `max_lines` lines. A word longer than `max_chars`
    gets a line of its own."""
    lines = _greedy(words, max_chars)
    if len(lines) > max_lines:
        return None
    if len(lines) <= 1:
        return lines
    high = max_chars
    low = min(max(len(w) for w in words), high)
    while low < high:  # the narrowest width that still needs no more lines
        mid = (low + high) // 2
        if len(_greedy(words, mid)) <= len(lines):
            high = mid
        else:
            low = mid + 1
    return _greedy(words, low)


def _cue_from(group: list[_Token], rules: CueRules) -> Cue:
    lines = wrap_lines([t.text for t in group], rules.max_chars_per_line, rules.max_lines)
    if lines is None:  # cannot happen: groups are built to fit
        lines = _greedy([t.text for t in group], rules.max_chars_per_line)
    return Cue(group[0].start_ms, max(t.end_ms for t in group), tuple(lines),
               group[0].channel)


def build_cues(transcript: Transcript, rules: CueRules | None = None,
               step: Step | None = None) -> list[Cue]:
    """The cues, in order of start time. Raises SubtitlesNeedTimingsError when the
    transcript has no word times at all (an empty file would say nothing useful).
    `step(words done, words in all)` is called after each cue is made (a 3-hour
    transcript takes a second or two: see app/domain/render_steps.py)."""
    rules = rules or CueRules()
    if not transcript.has_timestamps and any(w.kind == "word" for w in transcript.words):
        raise SubtitlesNeedTimingsError()
    tokens = _tokens(transcript, rules)
    if rules.speaker_labels:
        tokens = _label_speakers(tokens, transcript)
    made: list[Cue] = []
    current: list[_Token] = []
    current_end = 0
    for done, token in enumerate(tokens):
        if current:
            last = current[-1]
            # A token without a speaker (an untagged sound) continues the turn.
            speaker = next((t.speaker_id for t in reversed(current) if t.speaker_id), None)
            turn = (token.speaker_id is not None and speaker is not None
                    and token.speaker_id != speaker) or token.channel != last.channel
            pause = token.start_ms - current_end >= rules.split_pause_ms
            too_long = max(token.end_ms, current_end) - current[0].start_ms > rules.max_cue_ms
            texts = [t.text for t in current] + [token.text]
            fits = wrap_lines(texts, rules.max_chars_per_line, rules.max_lines) is not None
            if turn or pause or too_long or not fits:
                made.append(_cue_from(current, rules))
                current = []
                if step is not None:
                    step(done, len(tokens))
        current_end = max(current_end, token.end_ms) if current else token.end_ms
        current.append(token)
    if current:
        made.append(_cue_from(current, rules))
    if step is not None:
        step(len(tokens), len(tokens))
    cues = sorted(made, key=lambda c: c.start_ms)
    return _space_out(cues, rules)


def _label_speakers(tokens: list[_Token], transcript: Transcript) -> list[_Token]:
    """Glue "Name:" to the first word after each speaker change, so wrapping counts it."""
    labelled: list[_Token] = []
    previous: tuple[str | None, int] | None = None
    for t in tokens:
        if t.speaker_id is None:  # an untagged sound: neither a turn nor a label
            labelled.append(t)
            continue
        key = (t.speaker_id, t.channel)
        if key != previous:
            name = transcript.speaker_name(t.speaker_id)
            t = _Token(f"{name}: {t.text}", t.start_ms, t.end_ms, t.speaker_id, t.channel)
        previous = key
        labelled.append(t)
    return labelled


def _space_out(cues: list[Cue], rules: CueRules) -> list[Cue]:
    """Each cue ends at least `min_gap_ms` before the next cue on its channel starts
    (other channels' cues may overlap it: two people talking at once are both shown),
    and lasts `min_cue_ms` where that leaves room; a cue keeps at least its start. A cue
    that still has no length is given the room it can get up to the next cue."""
    spaced: list[Cue] = []
    for n, cue in enumerate(cues):
        following = next((c for c in cues[n + 1:] if c.channel == cue.channel), None)
        limit = following.start_ms - rules.min_gap_ms if following is not None else None
        end = max(cue.end_ms, cue.start_ms + min(rules.min_cue_ms, rules.max_cue_ms))
        if limit is not None:
            end = min(end, limit)
            if end <= cue.start_ms:  # the next cue starts at the same time
                end = max(cue.start_ms + 1, following.start_ms if following else 0)
        spaced.append(Cue(cue.start_ms, max(cue.start_ms + 1, end), cue.lines, cue.channel))
    return spaced


# --------------------------------------------------------------------------- writing


def _timestamp(ms: int, separator: str) -> str:
    ms = max(0, ms)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def to_srt(cues: Sequence[Cue]) -> str:
    blocks = []
    for n, cue in enumerate(cues, start=1):
        lines = [line for line in cue.lines if line.strip()] or [" "]
        timing = f"{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}"
        blocks.append("\n".join([str(n), timing, *lines]))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _vtt_escape(line: str) -> str:
    return (
        line.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("-->", "--&gt;")
    )


def to_vtt(cues: Sequence[Cue]) -> str:
    blocks = ["WEBVTT"]
    for cue in cues:
        lines = [_vtt_escape(line) for line in cue.lines if line.strip()] or [" "]
        timing = f"{_timestamp(cue.start_ms, '.')} --> {_timestamp(cue.end_ms, '.')}"
        blocks.append("\n".join([timing, *lines]))
    return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------- reading

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")


def _ms(groups: Sequence[str | None]) -> int:
    hours, minutes, seconds, millis = groups
    return (
        int(hours or 0) * 3_600_000
        + int(minutes or 0) * 60_000
        + int(seconds or 0) * 1000
        + int((millis or "0").ljust(3, "0"))
    )


def _blocks(text: str) -> list[list[str]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n(?:[ \t]*\n)+", text.strip())
    return [block.strip("\n").split("\n") for block in blocks if block.strip()]


def _cue_from_block(block: list[str], where: str) -> Cue:
    for n, line in enumerate(block[:2]):
        match = _TIMING.match(line)
        if match:
            groups = match.groups()
            lines = tuple(block[n + 1 :])
            return Cue(_ms(groups[:4]), _ms(groups[4:]), lines)
    raise SubtitleFormatError(f"{where} has no timing line like 00:00:01,000 --> 00:00:02,000.")


def parse_srt(text: str) -> list[Cue]:
    cues: list[Cue] = []
    for n, block in enumerate(_blocks(text), start=1):
        cues.append(_cue_from_block(block, f"Subtitle {n}"))
    return cues


def _vtt_unescape(line: str) -> str:
    return (line.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0")).replace(
        "&amp;", "&"
    )


def parse_vtt(text: str) -> list[Cue]:
    blocks = _blocks(text)
    if not blocks or not blocks[0][0].startswith("WEBVTT"):
        raise SubtitleFormatError("This is not a WebVTT file: it does not start with WEBVTT.")
    cues: list[Cue] = []
    for n, block in enumerate(blocks[1:], start=1):
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        cue = _cue_from_block(block, f"Cue {n}")
        cues.append(Cue(cue.start_ms, cue.end_ms, tuple(_vtt_unescape(x) for x in cue.lines)))
    return cues


# --------------------------------------------------------------------------- plain text


def _clock(ms: int) -> str:
    hours, rest = divmod(max(0, ms) // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def _paragraph_text(words: Sequence[Word]) -> str:
    """The words as read: spacing kept, a space added between two words sent without
    one, none between words of scripts written without spaces (Japanese, Chinese)."""
    # Split at every space (spacing items included): join_words then puts back one
    # space exactly where the two sides are not both written without spaces.
    pieces = [piece for w in words for piece in w.text.split()]
    return join_words(pieces)


def to_plain_text(transcript: Transcript, timestamps: bool = False, speakers: bool = False,
                  step: Step | None = None) -> str:
    """One paragraph per speaker turn (or long pause), separated by blank lines,
    optionally starting with "[HH:MM:SS]" and/or "Speaker name:"; `step` is called
    between paragraphs (app/domain/render_steps.py)."""
    blocks: list[str] = []
    for p in paced(paragraphs(transcript), step):
        block = _text_block(transcript, p, timestamps=timestamps, speakers=speakers)
        if block:
            blocks.append(block)
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _text_block(transcript: Transcript, p: Paragraph, *, timestamps: bool,
                speakers: bool) -> str:
    """One paragraph of the plain text, "" when it has no words."""
    text = _paragraph_text([transcript.words[i] for i in p.word_indices])
    if not text:
        return ""
    prefix = ""
    if timestamps:
        prefix += f"[{_clock(p.start_ms)}] "
    if speakers and p.speaker_id is not None:
        prefix += f"{transcript.speaker_name(p.speaker_id)}: "
    return prefix + text
