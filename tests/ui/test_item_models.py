"""Every item model the app shows passes Qt's own model checks (qtmodeltester), filled
with realistic rows, and again after it is refilled, filtered and emptied. The transcript
and section models have theirs beside their other tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.domain.wire import Voice
from app.library.history import Generation
from app.ui.history.history_model import HistoryModel
from app.ui.speech.voice_model import VoiceFilterModel, VoiceListModel

SAMPLES = Path(__file__).resolve().parent.parent / "contract" / "samples"


def _voices() -> list[Voice]:
    page = json.loads((SAMPLES / "voices_v2_page.json").read_text())
    return [Voice.model_validate(item) for item in page["voices"]]


def _generation(number: int, *, file: Path | None) -> Generation:
    return Generation(
        id=number, created_at=f"2026-12-0{1 + number % 5}T10:0{number % 10}:00+00:00",
        kind="speech" if number % 2 else "music", title=f"Take {number}",
        text="Welcome to the show. " * number, voice_id="v1", voice_name="Rachel",
        model_id="eleven_multilingual_v2", output_format="mp3_44100_128",
        settings_json="{}", request_ids=[f"req-{number}"],
        character_cost=None if number == 3 else 21 * number,
        duration_ms=1234 * number, file_path=file, session_id="s", extra_json="{}",
        file_exists=file is not None,
    )


def test_history_model_passes_the_qt_model_checks(qtmodeltester: Any, tmp_path: Path) -> None:
    model = HistoryModel()
    model.set_rows([_generation(n, file=tmp_path / f"{n}.mp3" if n != 2 else None)
                    for n in range(1, 8)])
    qtmodeltester.check(model, force_py=True)
    model.set_rows([])  # the tester stays connected and checks the reset's signals
    assert model.rowCount() == 0


def test_voice_models_pass_the_qt_model_checks(qtmodeltester: Any) -> None:
    voices = _voices()
    assert voices, "the sample page has voices"
    source = VoiceListModel()
    source.set_voices(voices)
    proxy = VoiceFilterModel()
    proxy.setSourceModel(source)
    # One check on the proxy: the tester stays connected and checks the signals of every
    # change below (filtering down, to nothing, back, and the source emptied).
    qtmodeltester.check(proxy, force_py=True)
    proxy.set_search(voices[0].name[:3])
    assert proxy.rowCount() >= 1
    proxy.set_search("no voice is called this")
    assert proxy.rowCount() == 0
    proxy.set_search("")
    assert proxy.rowCount() == len(voices)
    source.set_voices([])
    assert proxy.rowCount() == 0


def test_voice_list_model_passes_the_qt_model_checks(qtmodeltester: Any) -> None:
    source = VoiceListModel()
    source.set_voices(_voices())
    qtmodeltester.check(source, force_py=True)
    source.set_voices(_voices()[:1])
    assert source.rowCount() == 1
