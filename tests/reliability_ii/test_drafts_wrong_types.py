"""Drafts that are JSON but hold the wrong types (a disk or another program damaged them,
or an older version wrote them): the window still opens, the good values are used and
the rest fall back to defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox

from tests.reliability_ii.conftest import StudioFactory
from tests.support.cloud import Cloud


def with_draft(studios: StudioFactory, name: str, payload: dict[str, Any]) -> Path:
    home = studios.home()
    drafts = home / "data" / "drafts"
    drafts.mkdir(parents=True)
    (drafts / f"{name}.json").write_text(json.dumps(payload))
    return home


def test_a_speech_draft_with_a_number_past_64_bits_still_opens_the_window(
        studios: StudioFactory, cloud: Cloud) -> None:
    """findData raised OverflowError building the Speech tab: no window at all."""
    home = with_draft(studios, "speech", {"text": "My chapter one", "normalization": 10 ** 30,
                                          "output_format": "mp3_44100_128"})
    studio = studios.start(home, cloud_url=cloud.url)
    assert studio.find(QPlainTextEdit, "speech.text").toPlainText() == "My chapter one"
    assert studio.find(QComboBox, "speech.normalization").currentData() == "auto"


def test_a_pronunciation_draft_without_a_list_still_opens_the_window(
        studios: StudioFactory, cloud: Cloud) -> None:
    """`"attachments": null` raised TypeError building the Speech tab."""
    for attachments in (None, 7, True):
        home = with_draft(studios, "speech-pronunciation", {"attachments": attachments})
        studio = studios.start(home, cloud_url=cloud.url)
        assert studio.window.speech_tab.pronunciation.attachments == []
        studios.stop(studio)


def test_a_music_draft_with_numbers_past_64_bits_still_opens_the_tab(
        studios: StudioFactory, cloud: Cloud) -> None:
    """The seed's setValue and History's lookup of the version raised OverflowError
    building the tab: the Music tab could not be opened at all."""
    home = with_draft(studios, "music", {"prompt": "rain on a tin roof", "mode": "prompt",
                                         "output": {"seed": 10 ** 30},
                                         "base_generation_id": 10 ** 30})
    studio = studios.start(home, cloud_url=cloud.url)
    studio.window.show_tab("music")
    assert studio.window.music_tab.prompt_panel.text() == "rain on a tin roof"
    assert not studio.find(QCheckBox, "music.seed_fixed").isChecked()


def test_a_transcripts_draft_with_numbers_past_64_bits_still_opens_the_tab(
        studios: StudioFactory, cloud: Cloud) -> None:
    home = with_draft(studios, "transcripts", {
        "options": {"num_speakers": 10 ** 30, "threshold": 10 ** 400, "model_id": 10 ** 30},
        "transcription_id": "abc123", "generation_id": 10 ** 30})
    studio = studios.start(home, cloud_url=cloud.url)
    studio.window.show_tab("transcripts")
    assert studio.find(QLineEdit, "transcripts.id_input").text() == "abc123"
    assert studio.find(QSpinBox, "transcripts.num_speakers").value() == 32
