"""Figure 1: time to first audio, and the app's overhead over a bare HTTP client.

Ours: in an offscreen app on a qasync loop (the real MainWindow and composition root),
the Speech tab's Generate button is clicked; the time runs until the first non-silent
frame is handed to the sound device (Player.first_audible_at, taken in the audio
callback; the device is an ALSA file sink). The request goes to a streaming server on
127.0.0.1 in another process (benchmarks/_server.py: 50 ms to the first byte, then
4 KB MP3 chunks every 20 ms).

Baseline: a bare httpx client (synchronous, TCP_NODELAY as asyncio sets it, connection
kept alive) timing the same request to the first audio byte, interleaved run by run
with ours. The figure is the difference of the medians: everything the app adds
(task start, request building, decoding the first MP3 frames, opening and starting the
audio stream). The official `elevenlabs` SDK's time to first byte through its own
client is shown for comparison.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

from benchmarks._app import BENCH_KEY, RunningApp, prepare_environment, wait_until
from benchmarks._common import (
    BenchServerProcess,
    Figure,
    Row,
    median,
    ms,
    parse_args,
    ratio,
    say,
    scratch_dir,
)

TARGET_OVERHEAD_S = 0.010
TEXT = "Hello! This is a short sentence to measure how soon the first sound plays."
VOICE_ID = "JBFqnCBsd6RMkjVDRZzb"
FORMAT = "mp3_44100_128"


def _bare_first_byte(client: Any) -> float:
    start = time.perf_counter()
    first = None
    with client.stream("POST", f"/v1/text-to-speech/{VOICE_ID}/stream",
                       params={"output_format": FORMAT},
                       json={"text": TEXT, "model_id": "eleven_multilingual_v2"}) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            if first is None and chunk:
                first = time.perf_counter() - start
    assert first is not None
    return first


async def _measure(app: RunningApp, url: str, runs: int) -> tuple[list[float], list[float], float]:
    import httpx

    window, ctx = app.window, app.ctx
    await wait_until(lambda: window.is_ready, 30, "the Speech tab to load its voices")
    tab = window.speech_tab
    tab.text.setPlainText(TEXT)
    tab._select_format(FORMAT)
    controller = tab._controller
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    ours: list[float] = []
    bare: list[float] = []
    cold = float("nan")
    with httpx.Client(base_url=url, headers={"xi-api-key": BENCH_KEY}, transport=transport,
                      trust_env=False, timeout=30) as client:
        _bare_first_byte(client)  # connect once, as the app's client has done
        for run in range(runs + 2):
            await wait_until(lambda: not controller.is_generating, 30, "the last generation")
            await asyncio.sleep(0.3)  # let the history refresh and the player settle
            start = time.perf_counter()
            tab.generate_button.click()

            def audible(after: float = start) -> bool:
                return (ctx.player.first_audible_at or 0.0) > after

            await wait_until(audible, 30, "the first audible frame")
            took = (ctx.player.first_audible_at or 0.0) - start
            await wait_until(lambda: not controller.is_generating, 30, "the generation")
            if run == 0:
                cold = took  # imports the decoder, opens the sound device the first time
                continue
            if run == 1:
                continue  # one warm-up after the cold start
            ours.append(took)
            bare.append(_bare_first_byte(client))
    return ours, bare, cold


def _sdk_first_byte(url: str, runs: int) -> list[float]:
    from elevenlabs.client import ElevenLabs

    client = ElevenLabs(api_key=BENCH_KEY, base_url=url)
    times: list[float] = []
    for run in range(runs + 1):
        start = time.perf_counter()
        stream = client.text_to_speech.stream(VOICE_ID, text=TEXT,
                                              model_id="eleven_multilingual_v2",
                                              output_format=FORMAT)
        first = None
        for chunk in stream:
            if first is None and chunk:
                first = time.perf_counter() - start
        if run and first is not None:
            times.append(first)
    return times


def main() -> None:
    args = parse_args(__doc__ or "")
    runs = 5 if args.quick else 30
    figure = Figure("first_audio")
    home = scratch_dir("first-audio")
    with BenchServerProcess() as server:
        server.configure(seconds=3.0, first_byte_ms=50, chunk_bytes=4096, chunk_ms=20)
        prepare_environment(home, server.url)
        app = RunningApp()

        async def session() -> tuple[list[float], list[float], float]:
            try:
                return await _measure(app, server.url, runs)
            finally:
                await app.close()

        ours, bare, cold = app.run(session())
        sdk = _sdk_first_byte(server.url, runs)
    o, b, s = median(ours), median(bare), median(sdk)
    overhead = o - b
    say(f"first audio after Generate, median of {runs}: {ms(o)} "
        f"(runs: {', '.join(ms(x) for x in ours)})")
    say(f"bare httpx first byte, median: {ms(b)} (runs: {', '.join(ms(x) for x in bare)})")
    say(f"overhead {ms(overhead)}; cold first generation {ms(cold)}")
    say(f"elevenlabs SDK first byte, median: {ms(s)} (runs: {', '.join(ms(x) for x in sdk)})")
    figure.add(Row(
        figure=f"1. Time to first audio: Generate → first audible frame (median of {runs})",
        ours=f"{ms(o)} (+{ms(overhead)} over the bare client)",
        baseline=f"{ms(b)} bare httpx, first byte", ratio=ratio(o, b),
        target="≤ +10 ms over the baseline", met=overhead <= TARGET_OVERHEAD_S,
        note=f"machine-dependent; the server waits 50 ms before the first byte. The first "
             f"generation after start-up took {ms(cold)} (it loads the MP3 decoder, "
             "builds the request's wire model and opens the sound device)"))
    figure.add(Row(
        figure="1b. Official `elevenlabs` SDK, time to first byte (same server)",
        ours=f"{ms(o)} our first audio", baseline=f"{ms(s)} SDK first byte",
        ratio=ratio(o, s), target="— (comparison)", met=None,
        note="the SDK's synchronous httpx client sends the request headers and body in "
             "separate writes without TCP_NODELAY, so on loopback it often waits for a "
             "delayed ACK (~40 ms)" if s - b > 0.03 else ""))


if __name__ == "__main__":
    main()
