"""How fast the engine speaks, compared with real time (a script, not a test).

    .venv/bin/python -m tests.engine.bench_realtime
"""

from __future__ import annotations

import time

import httpx

from app.domain.formats import OutputFormat
from app.engine.espeak import Espeak
from app.engine.launcher import LocalEngineProcess
from app.engine.synth import SpeechParams, Synthesizer
from app.engine.tts import TtsJob
from app.engine.voices import ENGINE_VOICES

TEXT = (
    "The offline engine turns text into speech on this computer. It needs no account and "
    "no network. Each sentence is spoken as soon as it is ready, so playback can start "
    "early. Numbers like 42 and dates like 1 May 2024 are read as written. "
) * 8


def _rate(label: str, audio_s: float, wall_s: float) -> None:
    print(f"{label:34} {audio_s:7.2f} s audio in {wall_s * 1000:8.1f} ms  "
          f"= {audio_s / wall_s:7.1f}x real time")


def main() -> None:
    synth = Synthesizer(Espeak())
    voice = ENGINE_VOICES[0]
    list(synth.speak("Warm up.", voice, SpeechParams()))
    start = time.perf_counter()
    pieces = list(synth.speak(TEXT, voice, SpeechParams()))
    wall = time.perf_counter() - start
    audio_s = sum(p.duration_s for p in pieces)
    _rate("espeak synthesis (22.05 kHz)", audio_s, wall)
    for fmt in ("pcm_22050", "pcm_44100", "mp3_44100_128", "opus_48000_64", "wav_48000"):
        job = TtsJob(synth, voice, TEXT, SpeechParams(), OutputFormat.parse(fmt))
        start = time.perf_counter()
        job.audio()
        _rate(f"synthesis + encode {fmt}", audio_s, time.perf_counter() - start)

    with LocalEngineProcess() as engine, httpx.Client(base_url=engine.base_url,
                                                      headers=engine.headers,
                                                      timeout=60) as client:
        url = f"/v1/text-to-speech/{voice.voice_id}"
        client.post(url, json={"text": "Warm up."})
        start = time.perf_counter()
        response = client.post(url, json={"text": TEXT})
        _rate("HTTP full mp3_44100_128", audio_s, time.perf_counter() - start)
        assert response.status_code == 200
        start = time.perf_counter()
        with client.stream("POST", url + "/stream", json={"text": TEXT}) as stream:
            first = None
            for _chunk in stream.iter_raw():
                if first is None:
                    first = time.perf_counter() - start
        _rate("HTTP stream mp3_44100_128", audio_s, time.perf_counter() - start)
        print(f"{'time to first streamed byte':34} {first * 1000 if first else -1:8.1f} ms")


if __name__ == "__main__":
    main()
