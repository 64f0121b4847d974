"""Songs the music endpoints compose, and the songs kept for later plans.

A `Song` renders its plan with the sketcher, pastes in the stretches its sections take
from stored songs (`source_from`, `AudioRefChunk`: inpainting) and describes itself for
/v1/music/detailed (metadata, word timings). `SongStore` keeps the songs composed with
`store_for_inpainting` (in memory, and in `data_dir` when given); `encode_blocks`
encodes a song a block at a time for /v1/music/stream.
"""

from __future__ import annotations

import re
import secrets
import string
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from app.domain.formats import OutputFormat
from app.domain.music_plan import Plan, Section
from app.domain.music_plan_write import to_wire_plan
from app.engine.encode import StreamEncoder
from app.engine.music_sketch_plan import SketchPlan, SketchSection
from app.library.atomic import AtomicFileWriter

_ID_ALPHABET = string.ascii_letters + string.digits
RENDER_RATE_HZ = 44100
STREAM_BLOCK_S = 0.5
MAX_STORED_SONGS = 32
#: Stored songs kept in memory at most (older ones are read back from data_dir): a
#: 60-minute song alone is 635 MB of mono float32.
MAX_STORED_BYTES = 512 * 1024 * 1024
_SONG_ID = re.compile(r"^[A-Za-z0-9]{1,100}$")


class SongStore:
    """Songs kept for later reference, as mono float32 at RENDER_RATE_HZ."""

    def __init__(self, data_dir: Path | None) -> None:
        self.folder = data_dir / "songs" if data_dir is not None else None
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, song_id: str, samples: np.ndarray) -> None:
        with self._lock:
            self._memory[song_id] = samples
            while len(self._memory) > 1 and (
                    len(self._memory) > MAX_STORED_SONGS
                    or sum(a.nbytes for a in self._memory.values()) > MAX_STORED_BYTES):
                self._memory.popitem(last=False)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            with AtomicFileWriter(self.folder / f"{song_id}.npy") as writer:
                np.save(writer, samples.astype(np.float32, copy=False))
            stored = sorted(self.folder.glob("*.npy"), key=lambda p: p.stat().st_mtime)
            for old in stored[:-MAX_STORED_SONGS * 4]:
                old.unlink(missing_ok=True)

    def forget(self, song_id: str | None = None) -> None:
        """Drop one stored song (None: all of them), from memory and the data folder."""
        with self._lock:
            for key in [song_id] if song_id is not None else list(self._memory):
                self._memory.pop(key, None)
        if self.folder is not None and self.folder.is_dir():
            pattern = f"{song_id}.npy" if song_id is not None and _SONG_ID.match(song_id) \
                else "*.npy" if song_id is None else ""
            for path in self.folder.glob(pattern) if pattern else []:
                path.unlink(missing_ok=True)

    def get(self, song_id: str) -> np.ndarray | None:
        with self._lock:
            if song_id in self._memory:
                return self._memory[song_id]
        if self.folder is not None and _SONG_ID.match(song_id):
            path = self.folder / f"{song_id}.npy"
            if path.is_file():
                return np.load(path)
        return None


class SongKeeper:
    """Collects a song's blocks for `store_for_inpainting` into one preallocated array
    (no list of copies, no final concatenation: the song's size once, not twice)."""

    def __init__(self, total_frames: int) -> None:
        self.samples = np.zeros(total_frames, np.float32)
        self._at = 0

    def add(self, block: np.ndarray) -> None:
        n = min(len(block), len(self.samples) - self._at)
        self.samples[self._at:self._at + n] = block[:n]
        self._at += n


class Song:
    """One composition: what to render, and (after `render`) its samples."""

    def __init__(self, plan: Plan, model_id: str, seed: int | None, instrumental: bool,
                 store: SongStore, voice_lines: Callable[[str], tuple[np.ndarray, int]]) -> None:
        self.plan = plan
        self.model_id = model_id
        self.seed = seed
        # The seed the sketcher renders with: a song without one gets its own, so its
        # layers can be rendered again for stem separation (sketch_registry.py).
        self.render_seed = seed if seed is not None else secrets.randbelow(2**31)
        self.instrumental = instrumental
        self.song_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))
        self._store = store
        self._voice_lines = voice_lines

    def render(self) -> np.ndarray:
        """Mono float32 at RENDER_RATE_HZ (blocking; the whole song in memory)."""
        blocks = list(self.blocks())
        return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)

    def blocks(self, cancelled: Callable[[], bool] | None = None, layered: bool = False
               ) -> Iterator[np.ndarray]:
        """The song a section at a time (mono float32), kept sections pasted in (blocking).
        Raises `RenderCancelled` once `cancelled()` says the client went away.
        `layered`: blocks are (len(LAYERS), frames), the song's layers (the audio pasted
        from kept songs goes to the last one, other); they add up to the mono block."""
        from app.engine.music_stream_render import render_blocks

        sketch = SketchPlan(
            tuple(self.plan.global_positive_styles), tuple(self.plan.global_negative_styles),
            tuple(SketchSection(s.name, s.duration_ms, tuple(s.positive_styles),
                                tuple(s.negative_styles), tuple(s.lines))
                  for s in self.plan.sections))
        pastes = [(start_ms, section) for start_ms, section
                  in zip(self.plan.section_starts_ms(), self.plan.sections, strict=True)
                  if section.source is not None]
        stereo_blocks = render_blocks(
            sketch, RENDER_RATE_HZ, self.render_seed, self.instrumental,
            None if self.instrumental else self._voice_lines,
            cancelled or (lambda: False), layered=layered)
        at = 0
        for stereo in stereo_blocks:
            audio = np.ascontiguousarray(stereo.mean(axis=-1), dtype=np.float32)
            del stereo
            layers = audio if layered else audio[None]
            for start_ms, section in pastes:
                for index, layer in enumerate(layers):
                    self._paste_part(layer, at, start_ms, section,
                                     1.0 if index == len(layers) - 1 else 0.0)
            at += audio.shape[-1]
            yield audio

    def _paste_part(self, block: np.ndarray, block_at: int, section_start_ms: int,
                    section: Section, kept_gain: float = 1.0) -> None:
        """Paste the part of a kept section (`source_from`) that falls in `block` (song
        frames from `block_at`), crossfading 20 ms in and out of the new music."""
        ref = section.source
        source = self._store.get(ref.song_id) if ref is not None else None
        if ref is None or source is None:
            return
        rate = RENDER_RATE_HZ
        at, begin = round(section_start_ms * rate / 1000), round(ref.start_ms * rate / 1000)
        song_frames = round(self.plan.total_ms * rate / 1000)
        n = min(round(section.duration_ms * rate / 1000), song_frames - at, len(source) - begin)
        lo, hi = max(at, block_at), min(at + n, block_at + len(block))
        if n <= 0 or hi <= lo:
            return
        k = np.arange(lo - at, hi - at)
        weight = np.ones(hi - lo, np.float32)  # of the kept audio; the rest is the new
        fade = min(n // 2, rate // 50)
        if fade:
            ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
            rising, falling = k < fade, k >= n - fade
            weight[rising] = ramp[k[rising]]
            weight[falling] = ramp[::-1][k[falling] - (n - fade)]
        kept = np.asarray(source[begin + lo - at:begin + hi - at], dtype=np.float32)
        part = block[lo - block_at:hi - block_at]
        block[lo - block_at:hi - block_at] = kept * (weight * np.float32(kept_gain)) \
            + part * (1 - weight)

    def metadata(self, prompt: str | None, with_timestamps: bool) -> dict[str, Any]:
        styles = self.plan.global_positive_styles
        sung = [line for s in self.plan.sections for line in s.lines] if not \
            self.instrumental else []
        title = next((s.name for s in self.plan.sections if s.lines), None) if sung else None
        if prompt:
            title = " ".join(prompt.split()[:5]).rstrip(",.;:").title()
        return {
            "composition_plan": to_wire_plan(self.plan, self.model_id),
            "song_metadata": {
                "title": title or (styles[0].title() + " sketch" if styles else "Sketch"),
                "description": "An offline sketch made by XI Studio's engine"
                               + (f": {', '.join(styles[:6])}." if styles else "."),
                "genres": list(styles[:3]),
                "languages": ["en"] if sung else [],
                "is_explicit": False,
            },
            "words_timestamps": self._words() if with_timestamps and sung else None,
        }

    def _words(self) -> list[dict[str, Any]]:
        """Each section's words spread over the section (where the sketcher sings them)."""
        words: list[dict[str, Any]] = []
        for start, section in zip(self.plan.section_starts_ms(), self.plan.sections,
                                  strict=True):
            lines = [line for line in section.lines if line.strip()]
            if not lines:
                continue
            slot = section.duration_ms // len(lines)
            for i, line in enumerate(lines):
                tokens = line.split()
                step = max(1, (slot * 3 // 4) // max(1, len(tokens)))
                for k, token in enumerate(tokens):
                    at = start + i * slot + slot // 8 + k * step
                    words.append({"word": token, "start_ms": at, "end_ms": at + step})
        return words


def encode_blocks(audio: np.ndarray | Iterable[np.ndarray], fmt: OutputFormat
                  ) -> Iterator[bytes]:
    """The song (or its blocks, in order) encoded a STREAM_BLOCK_S block at a time,
    yielding what each block gives."""
    encoder = StreamEncoder(fmt, RENDER_RATE_HZ)
    block = int(RENDER_RATE_HZ * STREAM_BLOCK_S)
    for part in ([audio] if isinstance(audio, np.ndarray) else audio):
        for at in range(0, len(part), block):
            data = encoder.feed(part[at:at + block])
            if data:
                yield data
    tail = encoder.finish()
    if tail:
        yield tail
