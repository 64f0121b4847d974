"""An answer refused as unusable after the server accepted (and charged for) the
request carries that answer's headers on the ApiProtocolError (`info`), so the app can
put the charge on the usage ledger. Against the cloud test server's `charged_malformed`
fault: the work is done and charged, the charge is in `character-cost`, the body is junk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from app.api.alignment import AlignmentService
from app.api.client import ApiClient
from app.api.errors import ApiProtocolError, paid_answer
from app.api.music import MusicService
from app.api.speech import SpeechService
from app.domain.wire import SpeechRequest
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
MUSIC_BODY = {"model_id": "music_v1", "prompt": "A calm piano piece",
              "music_length_ms": 10_000}


def _charge_then_spoil(cloud: Cloud, path_regex: str) -> None:
    cloud.control.add_faults({"path_regex": path_regex, "method": "POST",
                              "fault": "charged_malformed"})


def _paid(exc: ApiProtocolError) -> int:
    info = paid_answer(exc)
    assert info is not None, "the paid answer's headers are not on the error"
    assert info.request_id and exc.request_id == info.request_id
    assert info.character_cost is not None and info.character_cost > 0
    return info.character_cost


async def test_alignment(client: ApiClient, cloud: Cloud, tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    t = np.arange(16000 * 2) / 16000
    sf.write(str(wav), (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    _charge_then_spoil(cloud, "^/v1/forced-alignment$")
    with pytest.raises(ApiProtocolError) as caught:
        await AlignmentService(client).create(wav, "Hello there")
    _paid(caught.value)


async def test_speech_whole_and_timed(client: ApiClient, cloud: Cloud) -> None:
    speech = SpeechService(client)
    _charge_then_spoil(cloud, f"^/v1/text-to-speech/{GEORGE}$")
    with pytest.raises(ApiProtocolError) as caught:
        await speech.convert(GEORGE, SpeechRequest(text="Hello there"))
    assert _paid(caught.value) == len("Hello there")
    _charge_then_spoil(cloud, f"^/v1/text-to-speech/{GEORGE}/with-timestamps$")
    with pytest.raises(ApiProtocolError) as caught:
        await speech.with_timestamps(GEORGE, SpeechRequest(text="Hello there"))
    assert _paid(caught.value) == len("Hello there")


async def test_music_whole_and_streamed(client: ApiClient, cloud: Cloud) -> None:
    music = MusicService(client)
    _charge_then_spoil(cloud, "^/v1/music$")
    with pytest.raises(ApiProtocolError) as caught:
        await music.compose(MUSIC_BODY)
    _paid(caught.value)
    _charge_then_spoil(cloud, "^/v1/music/stream$")
    with pytest.raises(ApiProtocolError) as caught:
        async with music.stream(MUSIC_BODY) as stream:
            async for _chunk in stream.chunks():
                pass
    _paid(caught.value)


async def test_a_refused_redirect_was_not_paid(client: ApiClient, cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": f"^/v1/text-to-speech/{GEORGE}$",
                              "fault": "redirect_to_other_host"})
    with pytest.raises(ApiProtocolError) as caught:
        await SpeechService(client).convert(GEORGE, SpeechRequest(text="Hello"))
    assert paid_answer(caught.value) is None
