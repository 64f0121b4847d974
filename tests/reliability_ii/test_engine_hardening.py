"""Faults of the local engine as a local service (issue 13, item 6), against the real
engine process (`LocalEngineProcess`, as the app and `xi-studio serve` run it), driven
with httpx and raw sockets; the engine's memory and CPU time read from /proc.

Rows of the README table "The local engine as a safe local service".
"""

from __future__ import annotations

import io
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf

from app.engine.launcher import LocalEngineProcess
from app.engine.voices import ENGINE_VOICES

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="reads the engine's memory and CPU time from /proc")]

AVA = ENGINE_VOICES[0].voice_id
KEY = {"xi-api-key": "any-key-works-without-a-token"}
MEMORY_CAP_MB = 1536


# --- the engine process ------------------------------------------------------------------


def _start(tmp: Path, **kwargs: Any) -> LocalEngineProcess:
    engine = LocalEngineProcess(log_path=tmp / "engine.log", **kwargs)
    engine.start()
    return engine


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngineProcess]:
    """The engine as `xi-studio serve` runs it: no token, any key."""
    engine = _start(tmp_path_factory.mktemp("serve"), use_token=False)
    yield engine
    engine.stop()


@pytest.fixture
def fresh_serve(tmp_path: Path) -> Iterator[LocalEngineProcess]:
    """A new engine for one test: its peak memory is this test's alone."""
    engine = _start(tmp_path, use_token=False)
    yield engine
    engine.stop()


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def peak_rss_mb(pid: int) -> float:
    return _status_kb(pid, "VmHWM") / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _port(engine: LocalEngineProcess) -> int:
    return int(engine.base_url.rsplit(":", 1)[1])


def _client(engine: LocalEngineProcess, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=engine.base_url, trust_env=False,
                        **{"timeout": 120, **kwargs})


def _is_api_error(response: httpx.Response) -> bool:
    """The ElevenLabs error shape: `{"detail": {"status", "message"}}` (or FastAPI's 422
    list of field errors, which the cloud also sends)."""
    try:
        body = response.json()
    except ValueError:
        return False
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        return isinstance(detail.get("status"), str) and isinstance(detail.get("message"), str)
    return response.status_code == 422 and isinstance(detail, list) and bool(detail)


def _long_plan(sections: int, section_ms: int = 120_000) -> dict[str, Any]:
    return {"positive_global_styles": ["pop", "120 bpm"], "negative_global_styles": [],
            "sections": [{"section_name": f"Part {i + 1}", "positive_local_styles": [],
                          "negative_local_styles": [], "duration_ms": section_ms, "lines": []}
                         for i in range(sections)]}


# --- the front door: Host, Origin, browser forms, the per-launch token --------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example",
                                  "localhost.evil.example:80", "[::2]:8765"])
def test_foreign_host_is_refused(serve: LocalEngineProcess, host: str) -> None:
    with _client(serve) as client:
        response = client.get("/v1/voices", headers={"host": host})
    assert response.status_code == 403 and _is_api_error(response)
    assert "evil" not in response.text


def test_preview_urls_name_the_bind_address_not_the_host_header(
        serve: LocalEngineProcess) -> None:
    port = _port(serve)
    with _client(serve) as client:
        for host in (f"localhost:{port}", f"LOCALHOST:{port}", f"127.0.0.1:{port}"):
            voices = client.get("/v2/voices", headers={"host": host}).json()["voices"]
            assert voices and all(v["preview_url"].startswith(serve.base_url + "/")
                                  for v in voices), host


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"},
    {"origin": "null"},
    {"origin": "http://localhost.evil.example"},
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site", "origin": "http://localhost:3000"},
])
def test_browser_requests_from_web_pages_are_refused(serve: LocalEngineProcess,
                                                     headers: dict[str, str]) -> None:
    files = {"file": ("a.wav", _wav_bytes(1.0))}
    with _client(serve) as client:
        upload = client.post("/v1/speech-to-text", data={"model_id": "scribe_v2"},
                             files=files, headers=headers)
        speech = client.post(f"/v1/text-to-speech/{AVA}", json={"text": "Hi."},
                             headers={**headers, **KEY})
    assert upload.status_code == 403 and _is_api_error(upload)
    assert speech.status_code == 403 and _is_api_error(speech)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_form_posts_without_a_key_are_refused(serve: LocalEngineProcess,
                                              content_type: str) -> None:
    # What a web page's <form> (or a "simple" fetch) can send with no preflight.
    body = b'{"text": "Spoken for a web page."}'
    with _client(serve) as client:
        response = client.post(f"/v1/text-to-speech/{AVA}", content=body,
                               headers={"content-type": content_type})
    assert response.status_code == 403 and _is_api_error(response)


def test_multipart_upload_without_a_key_is_refused_with_a_key_served(
        serve: LocalEngineProcess) -> None:
    files = {"file": ("a.wav", _wav_bytes(1.0))}
    with _client(serve) as client:
        refused = client.post("/v1/speech-to-text", data={"model_id": "scribe_v2"},
                              files=files)
        served = client.post("/v1/speech-to-text", data={"model_id": "scribe_v2"},
                             files=files, headers=KEY)
    assert refused.status_code == 403 and _is_api_error(refused)
    assert served.status_code == 200, served.text


def test_engine_started_by_the_app_answers_only_its_token(tmp_path: Path) -> None:
    engine = _start(tmp_path)
    try:
        with _client(engine) as client:
            assert client.get("/v1/models").status_code == 401
            wrong = client.get("/v1/models", headers={"xi-api-key": "guess"})
            assert wrong.status_code == 401 and _is_api_error(wrong)
            assert client.get("/v1/models", headers=engine.headers).status_code == 200
            voice = client.get(f"/v1/voices/{AVA}", headers=engine.headers).json()
            # Previews are public audio: the player fetches them without a key.
            assert client.get(voice["preview_url"]).status_code == 200
    finally:
        engine.stop()


# --- invalid input: a 4xx before any work, streams included -------------------------------


def _post_raw_json(client: httpx.Client, url: str, text: str) -> httpx.Response:
    return client.post(url, content=text.encode("utf-8"),
                       headers={"content-type": "application/json", **KEY})


@pytest.mark.parametrize("suffix", ["", "/stream", "/with-timestamps", "/stream/with-timestamps"])
@pytest.mark.parametrize("body", [
    '{"text": "Hello there.", "voice_settings": {"stability": NaN}}',
    '{"text": "Hello there.", "voice_settings": {"speed": Infinity}}',
    '{"text": "Hello there.", "seed": -Infinity}',
    '{"text": "Half an emoji \\ud83d here."}',
    '{"text": "A lone low half \\udc00."}',
])
def test_non_json_numbers_and_lone_surrogates_are_4xx(serve: LocalEngineProcess, suffix: str,
                                                      body: str) -> None:
    with _client(serve) as client:
        response = _post_raw_json(client, f"/v1/text-to-speech/{AVA}{suffix}", body)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert _is_api_error(response)


@pytest.mark.parametrize("endpoint", ["/v1/music", "/v1/music/stream", "/v1/music/detailed"])
def test_lone_surrogate_in_lyrics_is_4xx(serve: LocalEngineProcess, endpoint: str) -> None:
    plan = _long_plan(1, 5_000)
    plan["sections"][0]["lines"] = ["la la \ud83d la"]
    body = json.dumps({"composition_plan": plan})  # ensure_ascii: the surrogate as \ud83d
    with _client(serve) as client:
        response = _post_raw_json(client, endpoint, body)
    assert 400 <= response.status_code < 500 and _is_api_error(response)


def test_deeply_nested_json_body_is_4xx(serve: LocalEngineProcess) -> None:
    body = '{"text": "Hi.", "pronunciation_dictionary_locators": ' + "[" * 5000 + "]" * 5000 + "}"
    with _client(serve) as client:
        response = _post_raw_json(client, f"/v1/text-to-speech/{AVA}/stream", body)
    assert 400 <= response.status_code < 500 and _is_api_error(response)


def _wav_bytes(seconds: float, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(1)
    # Syllable-like bursts of a voiced tone: enough for the recogniser to work at.
    envelope = (np.sin(2 * np.pi * 3 * t) > 0).astype(np.float32)
    wave = 0.3 * envelope * np.sin(2 * np.pi * 180 * t) + 0.01 * rng.standard_normal(len(t))
    out = io.BytesIO()
    sf.write(out, wave.astype(np.float32), rate, format="WAV", subtype="PCM_16")
    return out.getvalue()


@pytest.fixture(scope="module")
def long_recording() -> bytes:
    return _wav_bytes(180.0)


@pytest.mark.parametrize("formats", [
    "[" * 5000 + "]" * 5000,
    '[{"format": "srt", "max_characters_per_line": 0}]',
    '[{"format": "srt", "max_characters_per_line": "many"}]',
    '[{"format": "srt", "max_segment_duration_s": NaN}]',
    '[{"format": "srt", "max_segment_duration_s": 1e400}]',
    '[{"format": "srt", "segment_on_silence_longer_than_s": -1}]',
    '[{"format": "txt", "include_speakers": {"a": [[[[1]]]]}}]',
])
def test_bad_export_options_are_refused_before_recognition(
        serve: LocalEngineProcess, long_recording: bytes, formats: str) -> None:
    cpu_before = cpu_seconds(serve.pid or 0)
    started = time.monotonic()
    with _client(serve) as client:
        response = client.post("/v1/speech-to-text", headers=KEY,
                               data={"model_id": "scribe_v2", "additional_formats": formats},
                               files={"file": ("three-minutes.wav", long_recording)})
    elapsed = time.monotonic() - started
    assert 400 <= response.status_code < 500 and _is_api_error(response), response.text[:300]
    # Recognising three minutes takes many CPU seconds: none were spent.
    assert cpu_seconds(serve.pid or 0) - cpu_before < 1.5
    assert elapsed < 5.0


# --- load: a bounded queue, memory under the cap ------------------------------------------


class _PeakWatcher:
    """Samples the engine's resident memory while a test runs (VmHWM is kept too)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_mb = max(self.peak_mb, _status_kb(self.pid, "VmRSS") / 1024)

    def __enter__(self) -> _PeakWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.timeout(600)
def test_thirty_concurrent_requests_some_wait_some_429_none_fail(
        fresh_serve: LocalEngineProcess) -> None:
    engine = fresh_serve
    text = ("A sentence of speech for the load test, spoken at length. " * 40)[:2000]
    song = {"prompt": "calm piano, 120 bpm", "music_length_ms": 60_000,
            "force_instrumental": True}

    def one(i: int) -> httpx.Response:
        with _client(engine, headers=KEY, timeout=600) as client:
            if i % 2:
                return client.post("/v1/music?output_format=pcm_16000", json=song)
            return client.post(f"/v1/text-to-speech/{AVA}?output_format=pcm_16000",
                               json={"text": text})

    with _PeakWatcher(engine.pid or 0) as watcher, ThreadPoolExecutor(30) as pool:
        responses = list(pool.map(one, range(30)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429}, statuses
    busy = [r for r in responses if r.status_code == 429]
    assert busy and len(busy) < 30, statuses
    for response in busy:
        assert _is_api_error(response)
        assert response.json()["detail"]["status"] == "too_many_concurrent_requests"
        assert 0 < float(response.headers["retry-after"]) <= 60
    assert max(watcher.peak_mb, peak_rss_mb(engine.pid or 0)) < MEMORY_CAP_MB


@pytest.mark.timeout(600)  # an hour of music, rendered and sent: about a minute on 2 cores
def test_a_sixty_minute_song_streams_in_bounded_memory(fresh_serve: LocalEngineProcess) -> None:
    engine = fresh_serve
    received = 0
    with _client(engine, headers=KEY, timeout=900) as client, client.stream(
            "POST", "/v1/music/stream?output_format=pcm_16000",
            json={"composition_plan": _long_plan(30)}) as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            received += len(chunk)
    assert received == 60 * 60 * 16000 * 2  # every frame of the hour, 16-bit mono
    assert peak_rss_mb(engine.pid or 0) < MEMORY_CAP_MB


# --- the client leaves: the work stops ----------------------------------------------------


def _request_bytes(engine: LocalEngineProcess, path: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{_port(engine)}\r\n"
            f"Content-Type: application/json\r\nxi-api-key: k\r\n"
            f"Content-Length: {len(data)}\r\n\r\n")
    return head.encode() + data


def _wait_until_idle(pid: int, timeout_s: float) -> float:
    """Seconds until the engine used under 0.15 s of CPU in a 1 s window (or the timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        before = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - before < 0.15:
            return time.monotonic() - started
    return float("inf")


@pytest.mark.parametrize("path", ["/v1/music?output_format=pcm_16000",
                                  "/v1/music/stream?output_format=pcm_16000"])
def test_a_client_that_leaves_a_long_song_stops_the_work(serve: LocalEngineProcess,
                                                        path: str) -> None:
    pid = serve.pid or 0
    assert _wait_until_idle(pid, 30) < 30
    with socket.create_connection(("127.0.0.1", _port(serve)), timeout=30) as sock:
        sock.sendall(_request_bytes(serve, path, {"composition_plan": _long_plan(30)}))
        busy_since = cpu_seconds(pid)
        deadline = time.monotonic() + 20
        while cpu_seconds(pid) - busy_since < 0.5:  # the rendering is under way
            assert time.monotonic() < deadline, "the engine never started the song"
            time.sleep(0.05)
    left = time.monotonic()
    idle_after = _wait_until_idle(pid, 15)
    # A minute of music renders in about a second: the hour would keep a core busy for
    # a long time; stopping is seen within a couple of 1 s windows.
    assert idle_after < 4.0, f"still busy {time.monotonic() - left:.1f} s after the client left"


# --- music streams start at once ----------------------------------------------------------


def test_music_stream_sends_its_first_audio_within_a_second(serve: LocalEngineProcess) -> None:
    song = {"prompt": "upbeat pop, 120 bpm", "music_length_ms": 600_000,
            "force_instrumental": True}
    with _client(serve, headers=KEY, timeout=300) as client:
        # Warm-up: the first song of a fresh engine loads its modules.
        client.post("/v1/music?output_format=pcm_16000",
                    json={**song, "music_length_ms": 3_000}).raise_for_status()
        started = time.monotonic()
        with client.stream("POST", "/v1/music/stream?output_format=mp3_44100_128",
                           json=song) as response:
            assert response.status_code == 200
            first = next(response.iter_raw())
            first_after = time.monotonic() - started
    assert first
    assert first_after < 1.0, f"first audio after {first_after:.2f} s"
