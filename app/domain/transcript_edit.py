"""The user's edits to a transcript, kept apart from what the server returned.

`TranscriptEdits` holds speaker renames, speaker merges and word corrections (by word
index into `Transcript.words`). `apply` gives the edited view; the original transcript
is never changed, so every edit can be undone.

`to_api_json` writes the edited transcript back in the API's own shape (so any tool that
reads ElevenLabs transcripts can open it) with three additions: a corrected word keeps
its server text under `original_text` (and `original_speaker_id` / `original_characters`
where those changed), and a top-level `xi_studio` object holds the speaker names and the
edits. `load_saved` reads such a file back as (original transcript, edits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import itemgetter
from typing import Any

from app.domain.render_steps import Step, paced
from app.domain.transcript import (
    XI_STUDIO_KEY,
    CharTiming,
    Speaker,
    Transcript,
    TranscriptFormatError,
    Word,
)
from app.domain.transcript_parse import load_json, parse_transcript

EDITS_FORMAT_VERSION = 1
_TEXT = itemgetter(Word._fields.index("text"))  # a Word is a named tuple
_SPEAKER_ID = itemgetter(Word._fields.index("speaker_id"))
_CHANNEL = itemgetter(Word._fields.index("channel"))


@dataclass(frozen=True)
class TranscriptEdits:
    """Immutable; the `with_*` methods return a changed copy (handy for undo)."""

    speaker_names: Mapping[str, str] = field(default_factory=dict)
    speaker_merges: Mapping[str, str] = field(default_factory=dict)  # from_id -> into_id
    corrections: Mapping[int, str] = field(default_factory=dict)  # word index -> new text
    # A word (by index) given to another speaker than the server's (after merges).
    speaker_overrides: Mapping[int, str] = field(default_factory=dict)
    # A word's times moved by hand: index -> (start ms, end ms).
    timings: Mapping[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.speaker_names or self.speaker_merges or self.corrections
                    or self.speaker_overrides or self.timings)

    # -- building

    def with_speaker_name(self, speaker_id: str, name: str | None) -> TranscriptEdits:
        """Rename a speaker; an empty name or None goes back to the default name."""
        names = dict(self.speaker_names)
        if name and name.strip():
            names[speaker_id] = name.strip()
        else:
            names.pop(speaker_id, None)
        return replace(self, speaker_names=names)

    def with_merge(self, from_id: str, into_id: str) -> TranscriptEdits:
        """Say that every word of `from_id` was really spoken by `into_id`."""
        if self.resolve_speaker(into_id) == from_id:
            raise ValueError(f"{from_id} cannot be merged into a speaker merged into it.")
        merges = dict(self.speaker_merges)
        if from_id == into_id:
            merges.pop(from_id, None)
        else:
            merges[from_id] = into_id
        return replace(self, speaker_merges=merges)

    def without_merge(self, from_id: str) -> TranscriptEdits:
        merges = dict(self.speaker_merges)
        merges.pop(from_id, None)
        return replace(self, speaker_merges=merges)

    def with_correction(self, index: int, text: str) -> TranscriptEdits:
        corrections = dict(self.corrections)
        corrections[index] = text
        return replace(self, corrections=corrections)

    def without_correction(self, index: int) -> TranscriptEdits:
        corrections = dict(self.corrections)
        corrections.pop(index, None)
        return replace(self, corrections=corrections)

    def with_speaker_overrides(self, changes: Mapping[int, str | None]) -> TranscriptEdits:
        """Give words to a speaker (None: back to the server's speaker)."""
        overrides = dict(self.speaker_overrides)
        for index, speaker in changes.items():
            if speaker is None:
                overrides.pop(index, None)
            else:
                overrides[index] = speaker
        return replace(self, speaker_overrides=overrides)

    def with_timing(self, index: int, start_ms: int, end_ms: int) -> TranscriptEdits:
        timings = dict(self.timings)
        timings[index] = (max(0, start_ms), max(0, start_ms, end_ms))
        return replace(self, timings=timings)

    # -- using

    def resolve_speaker(self, speaker_id: str | None) -> str | None:
        """Follow merges (a->b, b->c gives c); a cycle stops where it would repeat."""
        seen: set[str] = set()
        current = speaker_id
        while current is not None and current in self.speaker_merges and current not in seen:
            seen.add(current)
            current = self.speaker_merges[current]
        return current

    def apply(self, transcript: Transcript) -> Transcript:
        """The edited view of `transcript` (which itself stays as it was)."""
        if self.is_empty:
            return transcript
        words = self.edit_words(transcript.words)
        speakers = self.speakers_of(transcript, words)
        text = _joined_text(words) if self.respells(transcript) else transcript.text
        return replace(transcript, words=tuple(words), speakers=speakers, text=text)

    def edit_words(self, words: Sequence[Word]) -> list[Word]:
        """`words` (of the server's transcript, any run of them) with the edits applied."""
        result: list[Word] = []
        for w in words:
            speaker = self.resolve_speaker(w.speaker_id)
            new_text = self.corrections.get(w.index)
            if new_text is not None and new_text != w.text:
                # Character timings described the old spelling; they no longer fit.
                w = w._replace(text=new_text, characters=())
            speaker = self.speaker_overrides.get(w.index, speaker)
            if speaker != w.speaker_id:
                w = w._replace(speaker_id=speaker)
            timing = self.timings.get(w.index)
            if timing is not None and timing != (w.start_ms, w.end_ms):
                w = w._replace(start_ms=timing[0], end_ms=timing[1], characters=())
            result.append(w)
        return result

    def speakers_of(self, transcript: Transcript, words: Sequence[Word]) -> dict[str, Speaker]:
        """The speakers of the edited `words` of `transcript` (named, merges followed)."""
        speakers: dict[str, Speaker] = {}
        for sid in dict.fromkeys(chain(transcript.speakers, map(_SPEAKER_ID, words))):
            target = self.resolve_speaker(sid)
            if target is None or target in speakers:
                continue
            name = self.speaker_names.get(target) or transcript.speaker_name(target)
            speakers[target] = Speaker(target, name)
        return speakers

    def respells(self, transcript: Transcript) -> bool:
        """True when some correction changes a word's text (so the text is rebuilt)."""
        words = transcript.words
        return any(0 <= i < len(words) and words[i].text != t
                   for i, t in self.corrections.items())

    # -- storing

    def to_json(self) -> dict[str, Any]:
        return {
            "version": EDITS_FORMAT_VERSION,
            "speaker_names": dict(self.speaker_names),
            "speaker_merges": dict(self.speaker_merges),
            "corrections": {str(i): t for i, t in sorted(self.corrections.items())},
            "speaker_overrides": {str(i): t for i, t in sorted(self.speaker_overrides.items())},
            "timings": {str(i): list(t) for i, t in sorted(self.timings.items())},
        }

    @classmethod
    def from_json(cls, data: Any) -> TranscriptEdits:
        """Read what to_json wrote. Raises TranscriptFormatError (a ValueError)."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise TranscriptFormatError("The saved edits should be a JSON object.")
        names = _str_map(data.get("speaker_names"), "speaker names")
        merges = _str_map(data.get("speaker_merges"), "speaker merges")
        corrections: dict[int, str] = {}
        raw = data.get("corrections")
        raw = {} if raw is None else raw
        if not isinstance(raw, Mapping):
            raise TranscriptFormatError("The saved word corrections should be a JSON object.")
        for key, text in raw.items():
            try:
                index = int(key)
            except (TypeError, ValueError):
                raise TranscriptFormatError(
                    f"A saved word correction refers to {key!r}, which is not a word number."
                ) from None
            if index < 0 or not isinstance(text, str):
                raise TranscriptFormatError(f"The saved correction of word {key} is not valid.")
            corrections[index] = text
        overrides: dict[int, str] = {}
        raw_overrides = data.get("speaker_overrides")
        if isinstance(raw_overrides, Mapping):
            for key, speaker in raw_overrides.items():
                number = _word_number(key)
                if number is not None and isinstance(speaker, str) and speaker:
                    overrides[number] = speaker
        timings: dict[int, tuple[int, int]] = {}
        raw_timings = data.get("timings") or {}
        if isinstance(raw_timings, Mapping):
            for key, pair in raw_timings.items():
                number = _word_number(key)
                if number is not None and isinstance(pair, list) and len(pair) == 2 \
                        and all(type(v) is int for v in pair):  # not true/false
                    # As with_timing makes them: not negative, never ending before the start.
                    start, end = pair
                    timings[number] = (max(0, start), max(0, start, end))
        return cls(speaker_names=names, speaker_merges=merges, corrections=corrections,
                   speaker_overrides=overrides, timings=timings)


def _word_number(key: Any) -> int | None:
    """A saved word number ("12"), or None. `str.isdigit` also passes "²", which int()
    refuses, so a damaged file stopped with "invalid literal for int()"."""
    if not isinstance(key, str) or not key.isascii() or not key.isdigit():
        return None
    try:
        return int(key)
    except ValueError:  # more digits than int() reads
        return None


def _str_map(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise TranscriptFormatError(f"The saved {what} should map text to text.")
    return dict(value)


def _joined_text(words: Sequence[Word]) -> str:
    if not any(map(_CHANNEL, words)):
        return "".join(map(_TEXT, words))  # one channel: a join at C speed
    by_channel: dict[int, list[str]] = {}
    for w in words:
        by_channel.setdefault(w.channel, []).append(w.text)
    return "\n".join("".join(parts) for _, parts in sorted(by_channel.items()))


# --------------------------------------------------------------------------- API shape


def _seconds(ms: int) -> float:
    return ms / 1000.0


def _word_json(original: Word, edited: Word, *, timed: bool, with_channel: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "text": edited.text,
        "start": _seconds(edited.start_ms) if timed else None,
        "end": _seconds(edited.end_ms) if timed else None,
        "type": edited.kind,
        "speaker_id": edited.speaker_id,
    }
    if edited.logprob is not None:
        item["logprob"] = edited.logprob
    if edited.characters:
        item["characters"] = [_char_json(c) for c in edited.characters]
    if with_channel:
        item["channel_index"] = edited.channel
    if edited.text != original.text:
        item["original_text"] = original.text
        if original.characters:
            item["original_characters"] = [_char_json(c) for c in original.characters]
    if edited.speaker_id != original.speaker_id:
        item["original_speaker_id"] = original.speaker_id
    return item


def _char_json(c: CharTiming) -> dict[str, Any]:
    return {
        "text": c.text,
        "start": None if c.start_ms is None else _seconds(c.start_ms),
        "end": None if c.end_ms is None else _seconds(c.end_ms),
    }


def _chunk_sources(transcript: Transcript) -> dict[int, dict[str, Any]]:
    chunks = transcript.source_json.get("transcripts")
    sources: dict[int, dict[str, Any]] = {}
    if isinstance(chunks, list):
        for n, chunk in enumerate(chunks):
            if isinstance(chunk, dict):
                channel = chunk.get("channel_index")
                key = channel if isinstance(channel, int) and not isinstance(channel, bool) else n
                sources.setdefault(key, chunk)
    return sources


_REBUILT_KEYS = {"words", "text", "transcripts", XI_STUDIO_KEY}


def to_api_json(transcript: Transcript, edits: TranscriptEdits | None = None,
                step: Step | None = None) -> dict[str, Any]:
    """The transcript in the API's JSON shape with `edits` applied, ready to save;
    `step` is called between words (app/domain/render_steps.py).

    `transcript` is the original (unedited) one. Keys of the server's reply this app does
    not model (entities, additional_formats, ...) are carried over unchanged.
    """
    edits = edits or TranscriptEdits()
    edited = edits.apply(transcript)
    multichannel = "transcripts" in transcript.source_json or (
        transcript.channels > 1 and "words" not in transcript.source_json
    )
    with_channels = multichannel or transcript.channels > 1
    word_items = [
        _word_json(o, e, timed=transcript.has_timestamps, with_channel=with_channels)
        for o, e in paced(list(zip(transcript.words, edited.words, strict=True)), step)
    ]
    source = transcript.source_json
    result: dict[str, Any] = {k: v for k, v in source.items() if k not in _REBUILT_KEYS}
    text_changed = edited.text != transcript.text
    if multichannel:
        sources = _chunk_sources(transcript)
        grouped: dict[int, list[dict[str, Any]]] = {}
        for w, item in zip(edited.words, word_items, strict=True):
            grouped.setdefault(w.channel, []).append(item)
        chunks = []
        for channel in sorted(set(grouped) | set(sources)):
            items = grouped.get(channel, [])
            base = sources.get(channel, {})

            chunk = {k: v for k, v in base.items() if k not in _REBUILT_KEYS}
            chunk.setdefault("language_code", transcript.language_code)
            chunk.setdefault("language_probability", transcript.language_probability or 0.0)
            base_text = base.get("text")
            if text_changed or not isinstance(base_text, str):
                base_text = "".join(item["text"] for item in items)
            chunk["text"] = base_text
            if transcript.words_from_text and not base.get("words"):
                items = []  # the words were made from the text: keep the reply's shape
            chunk["words"] = items
            chunk["channel_index"] = channel
            chunks.append(chunk)
        result["transcripts"] = chunks
        result.setdefault("transcription_id", transcript.transcription_id)
    else:
        result["language_code"] = transcript.language_code
        result["language_probability"] = transcript.language_probability or 0.0
        result["text"] = edited.text
        result["words"] = [] if transcript.words_from_text else word_items
        result.setdefault("transcription_id", transcript.transcription_id)
    if transcript.audio_duration_ms is not None:
        result.setdefault("audio_duration_secs", _seconds(transcript.audio_duration_ms))
    extra: dict[str, Any] = {
        "speaker_names": {sid: s.name for sid, s in edited.speakers.items()},
        "edits": edits.to_json(),
    }
    if text_changed:
        extra["original_text"] = transcript.text
    result[XI_STUDIO_KEY] = extra
    return result


def _restore_word(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    restored = dict(item)
    for key in ("text", "speaker_id", "characters"):
        original_key = f"original_{key}"
        if original_key in restored:
            restored[key] = restored.pop(original_key)
    return restored


def load_saved(
    data: Mapping[str, Any] | bytes | bytearray | str,
) -> tuple[Transcript, TranscriptEdits]:
    """Open a transcript file: (the server's original transcript, the user's edits).

    A plain API reply gives empty edits. Raises TranscriptFormatError.
    """
    obj = load_json(data)
    if not isinstance(obj, dict) or not isinstance(obj.get(XI_STUDIO_KEY), dict):
        return parse_transcript(obj), TranscriptEdits()
    extra = obj[XI_STUDIO_KEY]
    edits = TranscriptEdits.from_json(extra.get("edits"))
    restored: dict[str, Any] = {k: v for k, v in obj.items() if k != XI_STUDIO_KEY}
    if isinstance(restored.get("words"), list):
        restored["words"] = [_restore_word(w) for w in restored["words"]]
    if isinstance(restored.get("transcripts"), list):
        chunks = []
        for chunk in restored["transcripts"]:
            if isinstance(chunk, dict) and isinstance(chunk.get("words"), list):
                words = chunk["words"]
                chunk = {**chunk, "words": [_restore_word(w) for w in words]}
                if any(isinstance(w, dict) and "original_text" in w for w in words):
                    chunk.pop("text", None)  # rebuilt from the restored words
            chunks.append(chunk)
        restored["transcripts"] = chunks
    original_text = extra.get("original_text")
    if isinstance(original_text, str) and "words" in restored:
        restored["text"] = original_text
    original = parse_transcript(restored)
    # Names saved without an edit (say, by another copy of the app) still count as renames.
    names = extra.get("speaker_names")
    if isinstance(names, dict):
        for sid, name in names.items():
            if (
                isinstance(sid, str)
                and isinstance(name, str)
                and name.strip()
                and sid not in edits.speaker_names
                and name != original.speaker_name(sid)
            ):
                edits = edits.with_speaker_name(sid, name)
    return original, edits
