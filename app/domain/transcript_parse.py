"""Reading a transcript from JSON: `parse_transcript` (and `load_json`).

`parse_transcript` reads both JSON shapes of `POST /v1/speech-to-text` and
`GET /v1/speech-to-text/transcripts/{id}` (shared/api/ELEVENLABS_API.md §4.1): the single
channel `SpeechToTextChunkResponseModel` (`words`) and the multichannel
`MultichannelSpeechToTextResponseModel` (`transcripts`, one chunk per channel). Times are
seconds on the wire and integer milliseconds here. Anything malformed raises
`TranscriptFormatError` (a `ValueError`) with a message a user can read; no other
exception type escapes.

This module reads the document (its shape, language, text, speakers and channels); each
list of words is read by `app.domain.transcript_parse_words`.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter, le
from typing import Any

from app.domain import json_io
from app.domain.transcript import (
    XI_STUDIO_KEY,
    Speaker,
    Transcript,
    TranscriptFormatError,
    Word,
    default_speaker_name,
)
from app.domain.transcript_parse_words import (
    _fail,
    _list,
    _opt_channel,
    _opt_ms,
    _opt_number,
    _opt_str,
    _RawWord,
    _words_of,
)
from app.domain.transcript_utterances import merge_channels_by_utterance, split_by_channel

# A Word is a tuple: reading a field by position is quicker than by name.
_SPEAKER_ID = itemgetter(Word._fields.index("speaker_id"))
_CHANNEL = itemgetter(Word._fields.index("channel"))


def load_json(data: Mapping[str, Any] | bytes | bytearray | str) -> Any:
    """Decode JSON text/bytes (a mapping is returned as a dict). Raises TranscriptFormatError."""
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        try:  # UTF-8 (a BOM is fine), or UTF-16/32 as json.loads finds them (PowerShell's
            # `>` writes UTF-16), the encodings JSON may come in
            data = raw.decode(json.detect_encoding(raw))
        except UnicodeDecodeError as exc:
            raise TranscriptFormatError("The file is not text in UTF-8 or UTF-16, so not a "
                                        "transcript.") from exc
    if not isinstance(data, str):
        raise TranscriptFormatError("A transcript must be JSON text or a JSON object.")
    try:
        return json_io.loads(data)  # in a worker thread, without freezing the window
    except (ValueError, RecursionError) as exc:
        raise TranscriptFormatError(f"The transcript is not valid JSON ({exc}).") from exc


def _speaker_names(obj: dict[str, Any]) -> dict[str, str]:
    """Names saved by XI Studio (see transcript_edit.to_api_json); ignored if odd."""
    extra = obj.get(XI_STUDIO_KEY)
    names = extra.get("speaker_names") if isinstance(extra, dict) else None
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str) and v}


def _speakers(words: Sequence[Word], names: Mapping[str, str]) -> dict[str, Speaker]:
    ids = dict.fromkeys(map(_SPEAKER_ID, words))  # first seen first, at C speed
    ids.pop(None, None)
    return {sid: Speaker(sid, names.get(sid) or default_speaker_name(sid)) for sid in ids}


_START = itemgetter(Word._fields.index("start_ms"))


def in_time_order(words: list[Word]) -> list[Word]:
    """`words` by start time, the server's order kept among equal starts (a stable sort).
    A server that sends words out of order would otherwise show a document whose
    reading order is not the recording's: the playing word jumping back and forth, a
    search's "next" going back in time. Times are what the words were heard at, so they
    decide; the usual, ordered list is returned as it is (one C-speed pass to check)."""
    starts = list(map(_START, words))
    if all(map(le, starts, islice(starts, 1, None))):
        return words
    return sorted(words, key=_START)


def _chunk_header(chunk: dict[str, Any], where: str) -> tuple[str, float | None, str | None]:
    language = _opt_str(chunk.get("language_code"), f"The language{where}") or ""
    probability = _opt_number(chunk.get("language_probability"), f"The language probability{where}")
    text = _opt_str(chunk.get("text"), f"The text{where}")
    return language, probability, text


def parse_transcript(data: Mapping[str, Any] | bytes | bytearray | str) -> Transcript:
    """Read a transcript in either API shape. Raises TranscriptFormatError."""
    # A 3-hour transcript makes ~200,000 objects (the JSON's dicts and strings, then the
    # Words), none of them garbage; the cyclic collector would scan the growing heap
    # again and again meanwhile (a third of the time). One pass at the end instead.
    with _collector_paused():
        return _parse_transcript(data)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_transcript(data: Mapping[str, Any] | bytes | bytearray | str) -> Transcript:
    obj = load_json(data)
    if not isinstance(obj, dict):
        raise _fail("This is not a transcript: expected a JSON object.")
    if "transcripts" in obj:
        return _parse_multichannel(obj)
    if "words" in obj:
        return _parse_single(obj)
    if "request_id" in obj and "message" in obj:
        raise _fail(
            "This is the server's note that the transcription was accepted; "
            "the transcript itself arrives later."
        )
    if "detail" in obj:
        raise _fail("This is an error reply from the server, not a transcript.")
    raise _fail("This is not a transcript: it has neither 'words' nor 'transcripts'.")


def _finish(
    obj: dict[str, Any],
    words: Sequence[Word],
    raw: Sequence[_RawWord],
    *,
    transcription_id: str | None,
    language: str,
    probability: float | None,
    text: str,
    channels: int,
    words_from_text: bool = False,
) -> Transcript:
    duration = _opt_ms(obj.get("audio_duration_secs"), "The audio duration")
    return Transcript(
        transcription_id=transcription_id,
        language_code=language,
        language_probability=probability,
        text=text,
        words=tuple(words),
        channels=max(1, channels, len(set(map(_CHANNEL, words)))),
        speakers=_speakers(words, _speaker_names(obj)),
        source_json=obj,
        audio_duration_ms=duration,
        has_timestamps=not raw or any(r.start_ms is not None for r in raw),
        words_from_text=words_from_text,
    )


def _parse_single(obj: dict[str, Any]) -> Transcript:
    language, probability, text = _chunk_header(obj, "")
    default_channel = _opt_channel(obj.get("channel_index"), "The channel") or 0
    words, raw = _words_of(obj.get("words"), default_channel, "", text)
    words = in_time_order(words)
    if len(set(map(_CHANNEL, words))) > 1:  # "combined": all channels in one list
        words = list(merge_channels_by_utterance(split_by_channel(words)))
    return _finish(
        obj,
        words,
        raw,
        words_from_text=bool(words) and not obj.get("words"),
        transcription_id=_opt_str(obj.get("transcription_id"), "The transcription id"),
        language=language,
        probability=probability,
        text=text if text is not None else "".join(w.text for w in words),
        channels=1,
    )


def _parse_multichannel(obj: dict[str, Any]) -> Transcript:
    chunks = _list(obj.get("transcripts"), "The channel transcripts")
    per_channel: list[list[Word]] = []
    all_raw: list[_RawWord] = []
    texts: list[str] = []
    language, probability = "", None
    transcription_id = _opt_str(obj.get("transcription_id"), "The transcription id")
    from_text = False
    for n, chunk in enumerate(chunks):
        where = f" of channel transcript {n + 1}"
        if not isinstance(chunk, dict):
            raise _fail(f"Channel transcript {n + 1} should be an object.")
        chunk_language, chunk_probability, chunk_text = _chunk_header(chunk, where)
        channel = _opt_channel(chunk.get("channel_index"), f"The channel{where}")
        words, raw = _words_of(chunk.get("words"), n if channel is None else channel, where,
                               chunk_text)
        from_text = from_text or (bool(words) and not chunk.get("words"))
        all_raw.extend(raw)
        per_channel.append(in_time_order(words))
        text = chunk_text if chunk_text is not None else "".join(w.text for w in words)
        if text:
            texts.append(text)
        if not language and chunk_language:
            language, probability = chunk_language, chunk_probability
        if transcription_id is None:
            transcription_id = _opt_str(chunk.get("transcription_id"), f"The id{where}")
    return _finish(
        obj,
        merge_channels_by_utterance(per_channel),
        all_raw,
        words_from_text=from_text,
        transcription_id=transcription_id,
        language=language,
        probability=probability,
        text="\n".join(texts),
        channels=len(chunks),
    )
