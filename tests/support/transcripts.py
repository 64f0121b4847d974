"""Transcript replies in the API's JSON shape for tests: a two-channel call whose
people overlap, Japanese words, Arabic, and a transcript with text but no words."""

from __future__ import annotations

from typing import Any


def _words(items: list[tuple[str, float, float]], speaker: str | None, channel: int | None,
           spacing: bool = True) -> list[dict[str, Any]]:
    words: list[dict[str, Any]] = []
    for n, (text, start, end) in enumerate(items):
        if n and spacing:
            previous_end = items[n - 1][2]
            words.append({"text": " ", "start": previous_end, "end": start, "type": "spacing",
                          "speaker_id": speaker, "logprob": 0.0, "channel_index": channel})
        words.append({"text": text, "start": start, "end": end, "type": "word",
                      "speaker_id": speaker, "logprob": -0.01, "channel_index": channel})
    return words


def timed(texts: str, start: float, step: float = 0.3) -> list[tuple[str, float, float]]:
    """The words of `texts`, one after another, `step` seconds each."""
    return [(w, round(start + n * step, 3), round(start + (n + 1) * step - 0.05, 3))
            for n, w in enumerate(texts.split())]


# Channel 0 talks in two long sentences; channel 1 back-channels while 0 is speaking.
CALLER = timed("Hello, thanks for calling the help desk today.", 0.0) + \
    timed("How can I help you with your order?", 3.2)
CALLEE = timed("Hi.", 0.9) + timed("Yes, I have a question about a parcel.", 5.8)


def two_channel_call() -> dict[str, Any]:
    chunks = []
    for channel, items in ((0, CALLER), (1, CALLEE)):
        words = _words(items, f"speaker_{channel}", channel)
        chunks.append({"language_code": "eng", "language_probability": 0.98,
                       "text": "".join(w["text"] for w in words), "channel_index": channel,
                       "words": words})
    return {"transcripts": chunks, "transcription_id": "call-1", "audio_duration_secs": 9.0}


def japanese(spacing: bool) -> dict[str, Any]:
    items = [("今日", 0.0, 0.3), ("は", 0.3, 0.4), ("いい", 0.5, 0.7), ("天気", 0.7, 1.0),
             ("ですね。", 1.0, 1.4)]
    return {"language_code": "jpn", "language_probability": 0.99, "text": "今日はいい天気ですね。",
            "words": _words(items, "speaker_0", None, spacing)}


def arabic() -> dict[str, Any]:
    items = [("مرحبا", 0.0, 0.4), ("بكم", 0.5, 0.8), ("جميعا", 0.9, 1.3)]
    return {"language_code": "ara", "language_probability": 0.97, "text": "مرحبا بكم جميعا",
            "words": _words(items, "speaker_0", None)}


TEXT_ONLY = "Good morning. This transcript was made without timestamps."


def text_only() -> dict[str, Any]:
    return {"language_code": "eng", "language_probability": 0.99, "text": TEXT_ONLY,
            "words": [], "transcription_id": "plain-1"}
