"""JSON answers that carry audio (text to speech or dialogue with timestamps): the audio
cap applies to them, not the small cap for JSON answers. A long WAV with timings is tens
of megabytes of base64; it must not be refused as "too large", and audio over the audio
cap is refused whatever its envelope. Against the cloud test server, over loopback."""

from __future__ import annotations

import base64

import pytest

from app.api import errors
from app.api.client import ApiClient
from app.api.dialogue import DialogueService
from app.api.speech import SpeechService
from app.domain.dialogue import DialogueInput, DialogueRequest
from app.domain.wire import SpeechOptions, SpeechRequest

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
TEXT = "A sentence long enough to make a few seconds of audio, with timings for each letter."
WAV = SpeechOptions(output_format="pcm_24000")  # raw samples: a large answer


async def test_timed_audio_over_the_json_cap_is_read(client: ApiClient) -> None:
    client.reconfigure(max_json_bytes=64 * 1024)  # far under the answer's size
    speech = SpeechService(client)
    timed, _info = await speech.with_timestamps(
        GEORGE, SpeechRequest(text=TEXT, model_id="eleven_multilingual_v2"), WAV)
    assert len(base64.b64decode(timed.audio_base64)) > 64 * 1024
    assert timed.alignment is not None and "".join(timed.alignment.characters) == TEXT


async def test_timed_audio_over_the_audio_cap_is_refused(client: ApiClient) -> None:
    client.reconfigure(max_body_bytes=16 * 1024)
    speech = SpeechService(client)
    with pytest.raises(errors.ApiProtocolError, match="audio is too large"):
        await speech.with_timestamps(
            GEORGE, SpeechRequest(text=TEXT, model_id="eleven_multilingual_v2"), WAV)


async def test_timed_dialogue_obeys_the_audio_cap_not_the_json_cap(client: ApiClient) -> None:
    request = DialogueRequest(inputs=[DialogueInput(text=TEXT, voice_id=GEORGE),
                                      DialogueInput(text="And a reply.", voice_id=GEORGE)])
    client.reconfigure(max_json_bytes=16 * 1024)
    result, _info = await DialogueService(client).with_timestamps(request, "pcm_44100")
    assert len(base64.b64decode(result.audio_base64)) > 16 * 1024
    client.reconfigure(max_body_bytes=16 * 1024)  # both caps small: stopped before reading
    with pytest.raises(errors.ApiProtocolError, match="too large"):
        await DialogueService(client).with_timestamps(request, "pcm_44100")
    client.reconfigure(max_json_bytes=32 * 1024 * 1024)  # read, then the audio refused
    with pytest.raises(errors.ApiProtocolError, match="audio is too large"):
        await DialogueService(client).with_timestamps(request, "pcm_44100")
