"""Review playback through the window: a transcript with its recording (three sentences,
each a tone of its own pitch), the next/previous doubtful word by button and by key,
and the middle sentence looped at 1.5x: what reaches the sound device (the ALSA file
sink) is the sentence time-stretched (length within 2 %) at its own pitch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from PySide6.QtCore import Qt

from app.audio.player import PlayerState
from app.ui.app_context import AppContext
from app.ui.transcripts.review import REVIEW_SHORTCUTS
from tests.support.alsa_sink import read_played
from tests.ui import test_transcripts_tab as base

ctx = base.ctx
engine_url = base.engine_url
RATE = 24000
SENTENCES = [("Hello and welcome.", 440.0), ("Today we talk tones.", 550.0),
             ("Thanks for listening.", 660.0)]
SENTENCE_S, GAP_S = 2.0, 0.3
DOUBTFUL = {"welcome.", "tones."}


def _recording_and_transcript(folder: Path) -> Path:
    """interview.wav and interview.json beside it (the tab finds the audio itself)."""
    audio: list[np.ndarray] = []
    words: list[dict[str, Any]] = []
    at = 0.0
    for text, hz in SENTENCES:
        t = np.arange(int(SENTENCE_S * RATE)) / RATE
        audio += [0.4 * np.sin(2 * np.pi * hz * t), np.zeros(int(GAP_S * RATE))]
        parts = text.split()
        step = SENTENCE_S / len(parts)
        for i, part in enumerate(parts):
            if words:
                words.append({"text": " ", "type": "spacing", "start": words[-1]["end"],
                              "end": round(at + i * step, 3), "speaker_id": "speaker_0"})
            words.append({"text": part, "type": "word", "start": round(at + i * step, 3),
                          "end": round(at + (i + 1) * step, 3), "speaker_id": "speaker_0",
                          "logprob": -3.0 if part in DOUBTFUL else -0.01})
        at += SENTENCE_S + GAP_S
    wav = folder / "interview.wav"
    sf.write(wav, np.concatenate(audio).astype(np.float32), RATE)
    transcript = {"language_code": "en", "language_probability": 1.0,
                  "text": " ".join(t for t, _ in SENTENCES), "words": words}
    path = folder / "interview.json"
    path.write_text(json.dumps(transcript), encoding="utf-8")
    return path


def _sounding(samples: np.ndarray) -> np.ndarray:
    block = RATE // 100
    n = len(samples) // block
    blocks = samples[: n * block].reshape(n, block)
    return blocks[np.sqrt(np.mean(blocks ** 2, axis=1)) > 0.1].reshape(-1)


def test_loop_a_sentence_at_1_5x_and_jump_doubtful_words(
        ctx: AppContext, qtbot: Any, tmp_path: Path, alsa_played_file: Path) -> None:
    tab = base.make_tab(ctx, qtbot)
    tab.open_path(_recording_and_transcript(tmp_path))
    qtbot.waitUntil(lambda: tab.document.is_open and tab.playback.has_audio, timeout=30_000)
    review = tab.review
    for name in ("speed", "loop", "prev_flag", "next_flag", "back", "forward", "follow"):
        widget = getattr(review, name)
        assert widget.objectName() == f"transcripts.review_{name}"
        assert widget.accessibleName()
    assert {s.key().toString() for s in review.shortcuts} >= {"F8", "Shift+F8"}
    assert len(review.shortcuts) == len(REVIEW_SHORTCUTS)

    # Doubtful words: by button, then by key, then back.
    edited = tab.document.edited
    assert edited is not None
    text_of = {w.index: w.text for w in edited.words}
    base.press(qtbot, review.next_flag)
    assert text_of[tab.model.current_word] == "welcome."
    tab.viewer.view.setFocus()
    tab.activateWindow()
    qtbot.waitUntil(tab.viewer.view.hasFocus, timeout=5000)
    qtbot.keyClick(tab.viewer.view, Qt.Key.Key_F8)
    assert text_of[tab.model.current_word] == "tones."
    base.press(qtbot, review.prev_flag)
    assert text_of[tab.model.current_word] == "welcome."

    # The middle sentence, looped twice at 1.5x.
    talk = next(i for i, t in text_of.items() if t == "talk")
    tab.select_word(talk)
    review.speed.setCurrentIndex(review.speed.findData(1.5))
    review.max_loops = 2
    base.press(qtbot, review.loop)
    assert review.loop.isChecked() and review.wants_stream()
    alsa_played_file.write_bytes(b"")
    tab.playback.toggle()  # Space in the transcript does the same
    qtbot.waitUntil(lambda: review.active is not None
                    and tab.playback.player.state is PlayerState.FINISHED, timeout=60_000)
    active = review.active
    assert active is not None and active.error is None
    assert active.loop_ms == (2300, 4300)
    out = read_played(alsa_played_file)[:, 0]
    heard = _sounding(out)
    expected = 2 * SENTENCE_S * RATE / 1.5
    assert abs(len(heard) - expected) / expected < 0.02
    spectrum = np.abs(np.fft.rfft(heard[:RATE] * np.hanning(RATE)))
    assert abs(float(np.argmax(spectrum)) - 550.0) <= 3.0  # its pitch, not 825 Hz
    # Where the sound is, in the clip's own time: inside the looped sentence.
    assert 2300 <= (active.clip_ms(100) or 0) < 4300


def test_review_keys_are_in_the_shortcut_map() -> None:
    from app.ui.shortcuts import SHORTCUTS

    assert set(REVIEW_SHORTCUTS) < set(SHORTCUTS)
    assert SHORTCUTS["review_next_flag"].keys == "F8"
    assert all(SHORTCUTS[name].where == "Transcripts" for name in REVIEW_SHORTCUTS)
