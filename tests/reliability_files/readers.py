"""Every reader of a file the app keeps or a person opens, as the app itself calls it,
with a valid sample of its file and the errors it may answer with (the app's own,
carrying plain words). A reader returns a result (anything: it must simply not raise) or
raises one of its errors."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from app.audio.errors import AudioDecodeError
from app.domain.music_plan_json import PlanFormatError
from app.domain.pronunciation import AliasRule, PlsError, read_pls, write_pls
from app.domain.script import Script
from app.domain.script_file import ScriptFormatError
from app.domain.script_import import ScriptImportError
from app.domain.text_file import NotTextError
from app.domain.transcript import TranscriptFormatError
from app.library.bounded_read import read_bounded
from app.library.json_files import JsonFileError, read_json_file
from app.library.models.checks import ModelInstallError
from app.library.text_files import read_text_file

Call = Callable[[Path, Path], Any]  # (the damaged file, a scratch folder)


@dataclass(frozen=True)
class Reader:
    name: str
    file_name: str
    valid: Callable[[Path], bytes]  # a good file's bytes (given a scratch folder)
    call: Call
    errors: tuple[type[BaseException], ...] = ()  # what it may raise (the app's own)
    json: bool = False  # also fed the JSON damage


def _bytes(data: bytes) -> Callable[[Path], bytes]:
    return lambda scratch: data


def _settings(path: Path, scratch: Path) -> Any:
    from app.library.settings import SettingsStore
    return SettingsStore(path).load()


def _draft(path: Path, scratch: Path) -> Any:
    from app.library.drafts import DraftStore
    return DraftStore(path.parent).load(path.stem)


def _speaker_names(path: Path, scratch: Path) -> Any:
    from app.library.speaker_names import SpeakerNameBook
    return SpeakerNameBook(path).names("show")


def _transcription_queue(path: Path, scratch: Path) -> Any:
    from app.services.transcription_queue import TranscriptionQueue

    async def never(*args: Any) -> Any:
        raise AssertionError("no job runs")
    return TranscriptionQueue(path, never).read()


def _script_queue(path: Path, scratch: Path) -> Any:
    from app.library import script_store
    script = scratch / "s.xiscript.json"
    folder = script_store.takes_dir_for(script)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / script_store.QUEUE_FILE
    if target.exists() or target.is_symlink():
        target.unlink()
    path.rename(target)
    return script_store.load_queue_state(script)


def _script_bytes(scratch: Path) -> bytes:
    from app.library.script_store import save_script
    target = scratch / "valid.xiscript.json"
    save_script(target, Script(title="A title"))
    return target.read_bytes()


def _load_script(path: Path, scratch: Path) -> Any:
    from app.library.script_store import load_script
    return load_script(path)


def _import_script(path: Path, scratch: Path) -> Any:
    from app.ui.scripts.script_storage import open_file
    return open_file(path, scratch / "data")


def _plan(path: Path, scratch: Path) -> Any:
    from app.ui.music.music_files import read_plan_source
    return read_plan_source(path)


def _opened_json(path: Path, scratch: Path) -> Any:
    """File > Open of a .json: what it is, then the tab's own reading of it."""
    from app.services.transcript_keep import read_saved
    from app.ui.music.music_files import read_plan_source
    kind, parsed = read_json_file(path)
    if kind == "plan":
        return read_plan_source(parsed, path.name)
    if kind == "transcript":
        return read_saved(parsed)
    return kind


def _pls(path: Path, scratch: Path) -> Any:
    return read_pls(read_bounded(path, 5 * 1024 * 1024))


def _wav(scratch: Path) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros((4410, 1), dtype=np.float32), 44100, format="WAV",
                    subtype="PCM_16")
    return buffer.getvalue()


def _decode(path: Path, scratch: Path) -> Any:
    from app.audio.decode import decode_file
    return decode_file(path)


def _recording(path: Path, scratch: Path) -> Any:
    from app.audio.recording_file import RecordingFile
    return RecordingFile.open(path)


def _is_long(path: Path, scratch: Path) -> Any:
    from app.audio.file_stream import is_long_file
    return is_long_file(path)


def _video_length(path: Path, scratch: Path) -> Any:
    from app.services.video_soundtrack import picture_seconds
    return picture_seconds(path)


def _check_upload(path: Path, scratch: Path) -> Any:
    from app.api.transcripts import check_upload
    from app.domain.stt_options import TranscriptionOptions
    return check_upload(path, TranscriptionOptions())


def _manifest(path: Path, scratch: Path) -> Any:
    from app.library.models import store
    folder = scratch / "model"
    folder.mkdir(exist_ok=True)
    target = folder / store.MANIFEST
    path.rename(target)
    return store._read_manifest(folder)


def _model_card(path: Path, scratch: Path) -> Any:
    """The card kept from an earlier look (a hub nobody answers at, if it is fetched)."""
    from app.library.models.catalogue import find
    from app.library.models.extras import cached_extra, fetch_card
    from app.library.models.store import ModelStore
    store = ModelStore(scratch / "models")
    entry = find("piper-en_US-joe-medium")
    kept = cached_extra(store, entry, entry.card_path)
    kept.parent.mkdir(parents=True, exist_ok=True)
    path.rename(kept)
    return fetch_card(entry, store, hub="http://127.0.0.1:9", control=None)


def _engine_history_audio(path: Path, scratch: Path) -> Any:
    """The engine's history audio, damaged after it was written."""
    from app.domain.formats import OutputFormat
    from app.engine.history_store import HistoryStore as EngineHistory
    store = EngineHistory(scratch / "engine")
    item_id = store.add(text="Hi.", voice_id="v", voice_name="V", model_id="m",
                        settings={}, fmt=OutputFormat.parse("mp3_44100_128"),
                        audio=b"ID3")["history_item_id"]
    audio = scratch / "engine" / "history" / f"{item_id}.mp3"
    audio.unlink()
    path.rename(audio)
    return store.audio(item_id)


def _history_db(scratch: Path) -> bytes:
    from app.library.history import HistoryStore
    folder = scratch / "valid-history"
    history = HistoryStore(folder / "history.db", folder / "audio")
    history.close()
    return (folder / "history.db").read_bytes()


def _history(path: Path, scratch: Path) -> Any:
    from app.library.history import HistoryStore
    history = HistoryStore(path, scratch / "audio")
    try:
        return history.list(), history.notices
    finally:
        history.close()


def _ledger_db(scratch: Path) -> bytes:
    from app.library.ledger import Ledger
    path = scratch / "valid-ledger.db"
    ledger = Ledger(path)
    ledger.entries()
    ledger.close()
    return path.read_bytes()


def _ledger(path: Path, scratch: Path) -> Any:
    from app.library.ledger import Ledger
    ledger = Ledger(path)
    try:
        return ledger.entries(), ledger.month_total()
    finally:
        ledger.close()


TRANSCRIPT = json.dumps({"language_code": "en", "language_probability": 1.0,
                         "text": "Hello there.", "words": [
                             {"text": "Hello", "start": 0.0, "end": 0.4, "type": "word"},
                             {"text": " ", "start": 0.4, "end": 0.5, "type": "spacing"},
                             {"text": "there.", "start": 0.5, "end": 0.9, "type": "word"}]
                         }).encode()
PLAN = json.dumps({"positive_global_styles": ["calm"], "negative_global_styles": [],
                   "sections": [{"section_name": "Verse", "positive_local_styles": ["soft"],
                                 "negative_local_styles": [], "duration_ms": 10000,
                                 "lines": ["la la"]}]}).encode()

FILE_READERS = [
    Reader("settings", "settings.json",
           _bytes(b'{"base_url": "http://127.0.0.1:8123", "theme": "dark"}'), _settings,
           json=True),
    Reader("draft", "speech.json", _bytes(b'{"text": "A draft to keep."}'), _draft,
           json=True),
    Reader("speaker_names", "speaker_names.json", _bytes(b'{"show": ["Anna", "Ben"]}'),
           _speaker_names, json=True),
    Reader("transcription_queue", "queue.json", _bytes(b'{"jobs": []}'),
           _transcription_queue, json=True),
    Reader("script_queue_marker", "marker.json", _bytes(b'{"block_ids": ["a"]}'),
           _script_queue, json=True),
    Reader("script_document", "a.xiscript.json", _script_bytes, _load_script,
           (OSError, ScriptFormatError), json=True),
    Reader("script_import_txt", "dialogue.txt", _bytes(b"ANNA: Hello.\nBEN: Hi there.\n"),
           _import_script, (OSError, ScriptImportError, ScriptFormatError, NotTextError)),
    Reader("script_import_csv", "table.csv", _bytes(b"speaker,text\nAnna,Hello\nBen,Hi\n"),
           _import_script, (OSError, ScriptImportError, ScriptFormatError, NotTextError)),
    Reader("script_import_fountain", "scene.fountain",
           _bytes(b"INT. ROOM - DAY\n\nANNA\nHello.\n\nBEN\nHi.\n"),
           _import_script, (OSError, ScriptImportError, ScriptFormatError, NotTextError)),
    Reader("speech_text", "chapter.txt", _bytes("Once upon a time…\n".encode() * 20),
           lambda p, s: read_text_file(p), (OSError, NotTextError)),
    Reader("opened_json_transcript", "talk.json", _bytes(TRANSCRIPT), _opened_json,
           (JsonFileError, TranscriptFormatError, PlanFormatError), json=True),
    Reader("opened_json_plan", "song.plan.json", _bytes(PLAN), _opened_json,
           (JsonFileError, TranscriptFormatError, PlanFormatError), json=True),
    Reader("music_plan", "song.plan.json", _bytes(PLAN), _plan, (PlanFormatError,),
           json=True),
    Reader("pronunciation_pls", "words.pls", lambda s: write_pls([AliasRule("XI", "eleven")]),
           _pls, (OSError, PlsError)),
    Reader("model_manifest", "manifest.json",
           _bytes(b'{"files": [{"name": "model.onnx", "size": 10}]}'), _manifest, json=True),
    Reader("audio_decode", "take.wav", _wav, _decode, (AudioDecodeError,)),
    Reader("audio_recording", "long.wav", _wav, _recording, (AudioDecodeError,)),
    Reader("audio_is_long", "long.wav", _wav, _is_long),
    Reader("audio_upload_check", "talk.wav", _wav, _check_upload),
    Reader("video_length", "clip.mp4", _wav, _video_length, (ValueError,)),
    Reader("model_card", "MODEL_CARD", _bytes(b"# Joe\nLicence: CC0\n"), _model_card,
           (ModelInstallError,)),
    Reader("engine_history_audio", "item.mp3", _wav, _engine_history_audio),
]

HISTORY_WRONG_COLUMNS = "CREATE TABLE generations (nonsense TEXT); PRAGMA user_version = 1;"
LEDGER_WRONG_COLUMNS = "CREATE TABLE operations (nonsense TEXT); PRAGMA user_version = 2;"

DB_READERS = [
    Reader("history_db", "history.db", _history_db, _history),
    Reader("ledger_db", "usage.db", _ledger_db, _ledger),
]

__all__ = ["DB_READERS", "FILE_READERS", "HISTORY_WRONG_COLUMNS", "LEDGER_WRONG_COLUMNS",
           "Reader"]
