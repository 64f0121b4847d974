"""Figure 6c: offline forced alignment's speed, as multiples of real time.

Ours: `POST /v1/forced-alignment` through HTTP to the engine in its own process (as
`xi-studio serve` runs it), with the text the speech was made from. Baseline: bare
pocketsphinx recognising the same audio (`Decoder(samprate=16000)`, default settings,
`process_raw(full_utt=True)`), the other offline way to get word times. The input is
espeak speech of whole sentences, resampled to 16 kHz.

Real-time factor = seconds of audio / seconds of wall-clock time.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

from benchmarks._common import Figure, Row, parse_args, ratio, say, scratch_dir
from benchmarks.engine import PARAGRAPH, _pin_two_cores

TARGET = 20.0


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _speech_and_text(seconds: float) -> tuple[Any, str]:
    import numpy as np
    import soxr

    from app.engine.espeak import Espeak
    from app.engine.synth import split_pieces
    from app.engine.voices import ENGINE_VOICES

    espeak = Espeak()
    voice = ENGINE_VOICES[0]
    chunks: list[Any] = []
    said: list[str] = []
    total = 0
    while total < seconds * espeak.sample_rate_hz:
        for _, piece in split_pieces(PARAGRAPH):
            if piece.strip():
                samples = espeak.synthesize(piece, voice.espeak_name).samples
                chunks.append(samples)
                said.append(piece.strip())
                total += len(samples)
    audio = np.concatenate(chunks).astype(np.float32) / 32768
    resampled = soxr.resample(audio, espeak.sample_rate_hz, 16000)
    return np.clip(resampled * 32767, -32768, 32767).astype(np.int16), " ".join(said)


def main() -> None:
    import httpx
    import pocketsphinx
    import soundfile

    from app.engine.launcher import LocalEngineProcess

    args = parse_args(__doc__ or "")
    say(f"pinned to {_pin_two_cores()}")
    figure = Figure("alignment")
    pcm, text = _speech_and_text(6.0 if args.quick else 180.0)
    audio_s = len(pcm) / 16000

    decoder = pocketsphinx.Decoder(samprate=16000, loglevel="FATAL")
    start = time.perf_counter()
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    bare_x = audio_s / (time.perf_counter() - start)
    say(f"bare pocketsphinx recognition: {bare_x:.1f}× real time")

    buffer = io.BytesIO()
    soundfile.write(buffer, pcm, 16000, format="WAV", subtype="PCM_16")
    with LocalEngineProcess(log_path=scratch_dir("engine-align") / "engine.log") as engine, \
            httpx.Client(base_url=engine.base_url, headers=engine.headers, timeout=600,
                         trust_env=False) as client:

        def post(data: bytes, words: str) -> Any:
            response = client.post("/v1/forced-alignment", data={"text": words},
                                   files={"file": ("speech.wav", data, "audio/wav")})
            response.raise_for_status()
            return response.json()

        short = io.BytesIO()
        soundfile.write(short, pcm[:16000], 16000, format="WAV", subtype="PCM_16")
        post(short.getvalue(), "the")  # load the model outside the timing
        cpu_before = _cpu_seconds(engine.pid)
        start = time.perf_counter()
        result = post(buffer.getvalue(), text)
        wall = time.perf_counter() - start
        cpu = _cpu_seconds(engine.pid) - cpu_before
    ours_x = audio_s / wall
    cpu_x = audio_s / cpu if cpu > 0 else float("inf")
    load = os.getloadavg()[0]
    say(f"engine CPU time for it: {cpu:.2f} s = {cpu_x:.1f}× real time per CPU second; "
        f"load average {load:.1f} on {os.cpu_count()} cores")
    placed = sum(1 for w in result["words"] if w["loss"] < 1.0)
    say(f"ours: {audio_s:.0f} s in {wall:.2f} s = {ours_x:.1f}× real time "
        f"({placed} of {len(result['words'])} words placed by the aligner)")
    figure.add(Row(
        figure=f"6c. Local engine: forced alignment, POST /v1/forced-alignment over HTTP "
               f"({audio_s:.0f} s of speech, {len(result['words'])} words)",
        ours=f"{ours_x:.1f}× real time",
        baseline=f"{bare_x:.1f}× bare pocketsphinx recognition (default settings)",
        ratio=ratio(ours_x, bare_x), target=f"≥ {TARGET:.0f}×", met=ours_x >= TARGET,
        note=f"machine-dependent; one utterance for the whole text; the engine's CPU "
             f"time gives {cpu_x:.0f}× real time (load average {load:.1f} on "
             f"{os.cpu_count()} cores during the run)"))


if __name__ == "__main__":
    main()
