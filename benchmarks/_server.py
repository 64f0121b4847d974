"""A small stand-in for the ElevenLabs API on 127.0.0.1, run in its own process.

    python -m benchmarks._server      prints "READY http://127.0.0.1:PORT", serves until
                                      its standard input closes

It answers just what the benchmarks drive: the catalogue the Speech tab loads (models,
voices, default settings, subscription, from tests/contract/samples), text to speech
(MP3 streamed at a realistic pace: a first-byte delay, then fixed-size chunks at a fixed
interval, like a TTS service that renders faster than real time; with timestamps, streamed
as one JSON line per chunk as ElevenLabs does, or whole), and uploads that are
read and thrown away (`POST /v1/speech-to-text`, `POST /upload`).

`POST /_bench/config` with JSON changes the audio length and the pacing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "contract" / "samples"

CONFIG: dict[str, float] = {
    "seconds": 3.0,  # audio length of each TTS answer
    "first_byte_ms": 50.0,  # "model latency" before the answer starts
    "chunk_bytes": 4096,  # about 0.26 s of mp3_44100_128 per chunk
    "chunk_ms": 20.0,  # so about 13x faster than real time
}


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


@lru_cache(maxsize=8)
def speech_mp3(seconds: float) -> bytes:
    """`seconds` of a voice-like signal (a gliding, pulsing tone) as a bare MP3 stream
    (LAME frames, no header frame), mono 44.1 kHz 128 kbps, loud from the first sample."""
    import av
    import numpy as np

    rate = 44100
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    pitch = 160 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    envelope = 0.35 + 0.15 * np.sin(2 * np.pi * 3.1 * t)
    signal = envelope * (np.sin(phase) + 0.3 * np.sin(3 * phase))
    pcm = (np.clip(signal, -1, 1) * 32767).astype(np.int16)
    ctx: Any = av.CodecContext.create("libmp3lame", "w")
    ctx.sample_rate = rate
    ctx.layout = "mono"
    ctx.format = "s16p"
    ctx.bit_rate = 128_000
    ctx.open()
    out = bytearray()
    block = 1152 * 64
    for offset in range(0, len(pcm), block):
        frame = av.AudioFrame.from_ndarray(pcm[offset:offset + block].reshape(1, -1),
                                           format="s16p", layout="mono")
        frame.sample_rate = rate
        frame.pts = offset
        for packet in ctx.encode(frame):
            out += bytes(packet)
    for packet in ctx.encode(None):
        out += bytes(packet)
    return bytes(out)


async def _read_body(receive: Any) -> int:
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return size
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            return size


async def _json(send: Any, data: Any, status: int = 200) -> None:
    body = json.dumps(data).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BenchServer:
    def __init__(self) -> None:
        voices = _sample("voices_v2_page.json")
        voices.update(has_more=False, next_page_token=None)
        self.routes: dict[tuple[str, str], Any] = {
            ("GET", "/v1/models"): _sample("models_list.json"),
            ("GET", "/v2/voices"): voices,
            ("GET", "/v1/voices/settings/default"): _sample("voice_settings_default.json"),
            ("GET", "/v1/user/subscription"): _sample("user_subscription.json"),
        }

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if (method, path) in self.routes:
            await _json(send, self.routes[(method, path)])
        elif method == "POST" and path.endswith("/stream/with-timestamps"):
            await self._timestamp_lines(receive, send)  # the Speech tab's Generate (figure 2)
        elif method == "POST" and path.endswith("/with-timestamps"):
            await self._timestamps(receive, send)  # the Scripts queue's takes (figure 10)
        elif method == "POST" and path.startswith("/v1/text-to-speech/"):
            await _read_body(receive)
            await self._speech(send, streamed=path.endswith("/stream"))
        elif method == "POST" and path in ("/v1/speech-to-text", "/upload"):
            size = await _read_body(receive)
            await _json(send, {"received_bytes": size})
        elif method == "POST" and path == "/_bench/config":
            body = bytearray()
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            CONFIG.update(json.loads(body or b"{}"))
            await _json(send, CONFIG)
        else:
            await _json(send, {"detail": {"status": "not_found", "message": path}}, 404)

    async def _timestamp_lines(self, receive: Any, send: Any) -> None:
        """As ElevenLabs streams timestamped speech: one JSON line per piece of the MP3
        (`chunk_bytes` every `chunk_ms`), each with the times of its share of the text."""
        text = await _request_text(receive)
        seconds = float(CONFIG["seconds"])
        audio = await asyncio.to_thread(speech_mp3, seconds)
        await asyncio.sleep(CONFIG["first_byte_ms"] / 1000)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"request-id", b"bench"), (b"character-cost", b"0")]})
        size = int(CONFIG["chunk_bytes"])
        pieces = max(1, -(-len(audio) // size))
        step = seconds / len(text)
        for n, offset in enumerate(range(0, len(audio), size)):
            if offset:
                await asyncio.sleep(CONFIG["chunk_ms"] / 1000)
            first, last = n * len(text) // pieces, (n + 1) * len(text) // pieces
            alignment = {"characters": list(text[first:last]),
                         "character_start_times_seconds": [round(i * step, 3)
                                                           for i in range(first, last)],
                         "character_end_times_seconds": [round((i + 1) * step, 3)
                                                         for i in range(first, last)]}
            line = {"audio_base64": base64.b64encode(audio[offset:offset + size]).decode(),
                    "alignment": alignment, "normalized_alignment": alignment}
            await send({"type": "http.response.body", "more_body": True,
                        "body": json.dumps(line).encode() + b"\n"})
        await send({"type": "http.response.body", "body": b""})

    async def _timestamps(self, receive: Any, send: Any) -> None:
        """One take: the MP3 in base64 and evenly spread character times for the text."""
        text = await _request_text(receive)
        seconds = float(CONFIG["seconds"])
        audio = await asyncio.to_thread(speech_mp3, seconds)
        await asyncio.sleep(CONFIG["first_byte_ms"] / 1000)
        step = seconds / len(text)
        alignment = {"characters": list(text),
                     "character_start_times_seconds": [round(i * step, 3)
                                                       for i in range(len(text))],
                     "character_end_times_seconds": [round((i + 1) * step, 3)
                                                     for i in range(len(text))]}
        await _json(send, {"audio_base64": base64.b64encode(audio).decode(),
                           "alignment": alignment, "normalized_alignment": alignment})

    async def _speech(self, send: Any, streamed: bool) -> None:
        audio = await asyncio.to_thread(speech_mp3, float(CONFIG["seconds"]))
        await asyncio.sleep(CONFIG["first_byte_ms"] / 1000)
        headers = [(b"content-type", b"audio/mpeg"), (b"request-id", b"bench"),
                   (b"character-cost", b"0")]
        if not streamed:
            headers.append((b"content-length", str(len(audio)).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": audio})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        size = int(CONFIG["chunk_bytes"])
        for offset in range(0, len(audio), size):
            if offset:
                await asyncio.sleep(CONFIG["chunk_ms"] / 1000)
            await send({"type": "http.response.body", "body": audio[offset:offset + size],
                        "more_body": True})
        await send({"type": "http.response.body", "body": b""})


async def _request_text(receive: Any) -> str:
    """The `text` of a speech request's JSON body (a space if there is none)."""
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body") or message["type"] == "http.disconnect":
            break
    return str(json.loads(body or b"{}").get("text", "")) or " "


def main() -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    speech_mp3(CONFIG["seconds"])  # encoded before the first request
    config = uvicorn.Config(BenchServer(), lifespan="off", log_level="warning",
                            access_log=False, timeout_keep_alive=60)
    server = uvicorn.Server(config)

    def watch_stdin() -> None:
        sys.stdin.read()  # returns when the parent closes the pipe (or dies)
        server.should_exit = True

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY http://127.0.0.1:{port}", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
