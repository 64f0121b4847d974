"""The defects the damaged-file sweep (test_damaged_files.py) found, each said once more
with what the user is left with: the file kept, the words shown."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from app.audio.errors import AudioDecodeError
from app.library.history import HistoryStore
from app.library.paths import AppPaths
from tests.reliability_ii.conftest import NOTICES


def returns_within(call: object, seconds: float = 30.0) -> object:
    """What `call` returned or raised; fails on a hang (a daemon thread is left)."""
    box: list[object] = []

    def work() -> None:
        try:
            box.append(call())  # type: ignore[operator]
        except BaseException as exc:  # handed back to the test
            box.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "it hangs (a named pipe nobody writes to)"
    return box[0]


def test_a_history_with_the_right_table_but_other_columns_is_kept_aside_and_said(
        tmp_path: Path) -> None:
    """Before: HistoryStore raised "no such column: file_path" (the window did not start).
    After: the file is kept aside as damaged, a fresh history opens, a notice says where."""
    paths = AppPaths.under(tmp_path / "home").ensure()
    conn = sqlite3.connect(paths.history_db)
    conn.executescript("CREATE TABLE generations (nonsense TEXT); "
                       "INSERT INTO generations VALUES ('keep me'); PRAGMA user_version = 1;")
    conn.commit()
    conn.close()
    store = HistoryStore(paths.history_db, paths.audio_dir)
    try:
        assert store.list() == [] and not store.read_only
        [aside] = [p for p in paths.history_db.parent.glob(f"{paths.history_db.name}.corrupt-*")
                   if not p.name.endswith(("-wal", "-shm"))]
        kept = sqlite3.connect(aside)  # its row as it was (only its journal mode moved)
        assert kept.execute("SELECT nonsense FROM generations").fetchall() == [("keep me",)]
        kept.close()
        [notice] = store.notices.all()
        assert notice.path == aside and "damaged" in notice.title
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["folder", "pipe", "link_loop"])
def test_a_long_recording_that_is_not_a_file_is_said_in_audio_words(
        damage: str, tmp_path: Path) -> None:
    """Before: RecordingFile.open raised IsADirectoryError / OSError (ELOOP), and hung
    for ever on a named pipe. After: AudioDecodeError naming the file."""
    from app.audio.recording_file import RecordingFile

    path = tmp_path / "interview.wav"
    if damage == "folder":
        path.mkdir()
    elif damage == "pipe":
        os.mkfifo(path)
    else:
        os.symlink(tmp_path / "other.wav", path)
        os.symlink(path, tmp_path / "other.wav")
    outcome = returns_within(lambda: RecordingFile.open(path))
    assert isinstance(outcome, AudioDecodeError), outcome
    assert "interview.wav" in str(outcome) and "Errno" not in str(outcome)


def test_is_long_file_on_a_pipe_returns(tmp_path: Path) -> None:
    from app.audio.file_stream import is_long_file

    path = tmp_path / "talk.wav"
    os.mkfifo(path)
    assert returns_within(lambda: is_long_file(path)) is False


def test_a_model_manifest_that_is_a_pipe_is_not_a_model(tmp_path: Path) -> None:
    """Before: listing the installed models blocked for ever reading it."""
    from app.library.models import store

    os.mkfifo(tmp_path / store.MANIFEST)
    assert returns_within(lambda: store._read_manifest(tmp_path)) is None


def test_a_video_that_is_a_pipe_is_refused_in_plain_words(tmp_path: Path) -> None:
    """Before: the poster strip (and the video's length) waited for ever on it."""
    from app.services.video_soundtrack import NoPictures, picture_seconds

    path = tmp_path / "clip.mp4"
    os.mkfifo(path)
    outcome = returns_within(lambda: picture_seconds(path))
    assert isinstance(outcome, NoPictures) and "clip.mp4" in str(outcome)


@pytest.mark.parametrize("damage", ["pipe", "folder", "too_large"])
def test_videos_for_music_that_cannot_be_sent_are_named(damage: str, tmp_path: Path) -> None:
    """Before: Make read each chosen video whole with read_bytes: a pipe hung for ever, a
    folder gave "[Errno 21]", a video of gigabytes was read whole. After: NoPictures
    naming the video, nothing sent."""
    from app.services import video_files
    from app.services.video_soundtrack import NoPictures

    good = tmp_path / "a.mp4"
    good.write_bytes(b"\x00" * 1000)
    bad = tmp_path / "b.mp4"
    if damage == "pipe":
        os.mkfifo(bad)
    elif damage == "folder":
        bad.mkdir()
    else:
        with bad.open("wb") as file:  # sparse: no disk taken
            file.truncate(video_files.MAX_VIDEOS_BYTES)
    outcome = returns_within(lambda: video_files.read_videos([good, bad]))
    assert isinstance(outcome, NoPictures), outcome
    assert "b.mp4" in str(outcome) and "Errno" not in str(outcome)
    assert video_files.read_videos([good]) == [("a.mp4", b"\x00" * 1000)]


@pytest.mark.parametrize("name", ["lines.csv", "dialogue.txt", "scene.fountain"])
@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_script_import_is_refused_in_words_and_nothing_is_saved(
        name: str, content: bytes, tmp_path: Path) -> None:
    """Before: an empty file became an empty script, saved in the scripts folder and
    opened with no word. After: ScriptImportError naming the file; nothing saved."""
    from app.domain.script_import import ScriptImportError
    from app.ui.scripts.script_storage import open_file

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ScriptImportError, match="holds no lines") as caught:
        open_file(path, tmp_path / "data")
    assert name in str(caught.value)
    assert not list((tmp_path / "data").rglob("*.xiscript.json"))
    assert path.read_bytes() == content


def test_the_window_starts_with_a_history_of_other_columns_and_names_where_it_was_kept(
        tmp_path: Path, apps: Any) -> None:
    """Before: the app stopped at start ("no such column: file_path"). After: the window
    comes up, its notice says History was damaged and where the file was kept."""
    home = tmp_path / "home"
    paths = AppPaths.under(home).ensure()
    conn = sqlite3.connect(paths.history_db)
    conn.executescript("CREATE TABLE generations (nonsense TEXT); PRAGMA user_version = 1;")
    conn.close()
    seen = apps.start(home).wait_ready()
    [aside] = [p for p in paths.data_dir.glob(f"{paths.history_db.name}.corrupt-*")
               if not p.name.endswith(("-wal", "-shm"))]
    assert "History was damaged" in str(seen[NOTICES]) and str(aside) in str(seen[NOTICES])


@pytest.mark.parametrize("damage", ["folder", "pipe"])
def test_a_recording_to_send_that_is_a_folder_or_a_pipe_is_named_as_such(
        damage: str, tmp_path: Path) -> None:
    """Before: Transcribe called a named pipe "a folder", and Align opened a folder and
    sent it ("[Errno 21]") or called a pipe "empty". After: each said as what it is."""
    from app.api.alignment import check_alignment_input
    from app.api.transcripts import check_upload
    from app.domain.stt_options import TranscriptionOptions

    path = tmp_path / "talk.wav"
    if damage == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    words = "a folder" if damage == "folder" else "not an ordinary saved file"
    transcribe = check_upload(path, TranscriptionOptions())
    align = check_alignment_input(path, "Hello there.")
    assert transcribe is not None and align is not None
    assert words in " ".join(transcribe.problems) and words in str(align)


ENGINE_DAMAGE = [b"[1]", b"[" * 100_000 + b"]" * 100_000, b'{"dictionaries": [{"name": 1}]}',
                 b'{"dictionaries": 5}', b"\xff\xfe garbage"]


@pytest.mark.parametrize("content", ENGINE_DAMAGE, ids=range(len(ENGINE_DAMAGE)))
def test_the_engine_starts_with_a_damaged_dictionaries_file_and_keeps_a_copy(
        content: bytes, tmp_path: Path) -> None:
    """Before: AttributeError / RecursionError / KeyError: the local engine did not start,
    and a start empty would have been saved over the file. After: it starts with what
    can be read, and the damaged file is copied aside first."""
    from app.engine.dictionary_store import FILE_NAME, DictionaryStore

    (tmp_path / FILE_NAME).write_bytes(content)
    DictionaryStore(tmp_path)
    [copy] = tmp_path.glob(f"{FILE_NAME}.damaged-*")
    assert copy.read_bytes() == content


@pytest.mark.parametrize("content", [*ENGINE_DAMAGE, b'{"text": "no id"}'],
                         ids=range(len(ENGINE_DAMAGE) + 1))
def test_the_engine_starts_with_a_damaged_history_record(content: bytes,
                                                         tmp_path: Path) -> None:
    """Before: TypeError / RecursionError / KeyError: the local engine did not start.
    After: the record is skipped (left on disk) and the good one listed."""
    import json

    from app.engine.history_store import HistoryStore as EngineHistory

    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "bad.json").write_bytes(content)
    (folder / "good.json").write_text(json.dumps({"history_item_id": "good1"}))
    store = EngineHistory(tmp_path)
    assert list(store._items) == ["good1"]
    assert (folder / "bad.json").read_bytes() == content


def test_the_engine_answers_for_a_stored_transcript_nested_thousands_deep(
        tmp_path: Path) -> None:
    """Before: RecursionError (the engine's answer was a 500). After: not found."""
    from app.engine.stt_routes import TranscriptStore

    store = TranscriptStore(tmp_path)
    assert store.folder is not None
    store.folder.mkdir()
    (store.folder / "abc.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    assert store.get("abc") is None


@pytest.mark.parametrize("damage", ["pipe", "folder"])
def test_a_take_swapped_for_a_pipe_or_a_folder_before_its_copy_is_named(
        damage: str, tmp_path: Path) -> None:
    """Before: Export read each take whole with read_bytes for its block file: a take
    swapped for a named pipe after it was decoded hung the export for ever, a folder gave
    "[Errno 21]". After: ExportError naming the take and its block; nothing left behind."""
    import numpy as np
    import soundfile

    from app.domain.script import Block, CastMember, Script, Take
    from app.services.script_export import ExportError, export_blocking

    takes = tmp_path / "ad.takes"
    (takes / "b1").mkdir(parents=True)
    wav = takes / "b1" / "t1.wav"
    soundfile.write(wav, np.full(1600, 0.1, np.float32), 16000, format="WAV",
                    subtype="PCM_16")
    take = Take("t1", "b1/t1.wav", "Hello there.", "v", "m", "wav_16000", {})
    script = Script(cast=(CastMember("ANNA", "v"),), blocks=(
        Block("b1", "ANNA", "Hello there.", takes=(take,), chosen_take_id="t1"),))

    def progress(done: int, total: int, what: str) -> None:
        if what == "Writing" and wav.is_file():  # swapped after it was decoded
            wav.unlink()
            wav.mkdir() if damage == "folder" else os.mkfifo(wav)

    outcome = returns_within(lambda: export_blocking(script, takes, tmp_path / "out",
                                                     progress=progress))
    assert isinstance(outcome, ExportError), outcome
    assert "t1.wav" in str(outcome) and "ANNA's line" in str(outcome)
    assert "Errno" not in str(outcome)
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []


def test_a_kept_model_card_of_gigabytes_is_not_read_whole(tmp_path: Path) -> None:
    """Before: the card kept from an earlier look was read whole with read_text, however
    big the file in its place had become (10 GB filled the memory). After: HubError naming
    the kept file and what to do; at most the limit is ever read."""
    from app.library.models.catalogue import find
    from app.library.models.checks import HubError
    from app.library.models.extras import MAX_EXTRA_BYTES, cached_extra, fetch_card
    from app.library.models.store import ModelStore

    store = ModelStore(tmp_path / "models")
    entry = find("piper-en_US-joe-medium")
    kept = cached_extra(store, entry, entry.card_path)
    kept.parent.mkdir(parents=True)
    with kept.open("wb") as file:  # sparse: no disk taken
        file.truncate(MAX_EXTRA_BYTES + 1)
    outcome = returns_within(lambda: fetch_card(entry, store, hub="http://127.0.0.1:9"))
    assert isinstance(outcome, HubError), type(outcome)
    assert kept.name in str(outcome) and "Delete that file" in str(outcome)


def test_audio_that_is_a_pipe_is_named_a_pipe_not_empty(tmp_path: Path) -> None:
    """Before: decode_file (a take, a recording to play or export) called a named pipe
    "empty: it holds no audio", only because it reports 0 bytes. After: it is named as
    what it is."""
    from app.audio.decode import decode_file

    path = tmp_path / "take.mp3"
    os.mkfifo(path)
    outcome = returns_within(lambda: decode_file(path))
    assert isinstance(outcome, AudioDecodeError), outcome
    assert "take.mp3 is not an ordinary file (a pipe or a device)" in str(outcome)
    assert "empty" not in str(outcome)


@pytest.mark.parametrize("damage", ["pipe", "folder"])
def test_a_file_to_upload_that_is_a_pipe_or_a_folder_is_refused_at_once(
        damage: str, tmp_path: Path) -> None:
    """Before: UploadFile (Music's "Your song…", Transcribe, Align) opened a named pipe
    and waited for ever for a writer. After: an OSError naming the file, in words."""
    from app.api.upload_file import UploadFile

    path = tmp_path / "song.wav"
    os.mkfifo(path) if damage == "pipe" else path.mkdir()
    outcome = returns_within(lambda: UploadFile(path))
    assert isinstance(outcome, OSError), outcome
    words = outcome.strerror or str(outcome)
    assert "song.wav" in words and "Errno" not in words
    assert ("not an ordinary file" if damage == "pipe" else "a folder") in words


@pytest.mark.parametrize("damage", ["pipe", "folder"])
def test_the_engine_answers_for_history_audio_that_became_a_pipe_or_a_folder(
        damage: str, tmp_path: Path) -> None:
    """Before: the engine read a history item's audio with read_bytes: a named pipe in its
    place held the request (and its thread) for ever. After: no audio (a 404 answer)."""
    from app.domain.formats import OutputFormat
    from app.engine.history_store import HistoryStore as EngineHistory

    store = EngineHistory(tmp_path)
    record = store.add(text="Hi.", voice_id="v", voice_name="V", model_id="m", settings={},
                       fmt=OutputFormat.parse("mp3_44100_128"), audio=b"ID3 audio")
    item_id = record["history_item_id"]
    assert store.audio(item_id) == b"ID3 audio"
    [audio] = (tmp_path / "history").glob(f"{item_id}.mp3")
    audio.unlink()
    os.mkfifo(audio) if damage == "pipe" else audio.mkdir()
    assert returns_within(lambda: store.audio(item_id)) is None


@pytest.mark.parametrize("damage", ["pipe", "folder", "too_large"])
def test_the_engine_makes_a_voice_preview_again_over_an_odd_cached_one(
        damage: str, tmp_path: Path) -> None:
    """Before: a cached preview was read whole with read_bytes (a file of gigabytes in the
    cache was served as the preview); a pipe is not is_file(), but one put there between
    the check and the read hung the request. After: anything but an ordinary, small file
    is made again and served as a real MP3."""
    from fastapi.testclient import TestClient

    from app import __version__
    from app.engine.app import create_app
    from app.engine.voices import ENGINE_VOICES

    voice = ENGINE_VOICES[0].voice_id
    cached = tmp_path / "previews" / f"{voice}-{__version__}.mp3"
    cached.parent.mkdir(parents=True)
    if damage == "pipe":
        os.mkfifo(cached)
    elif damage == "folder":
        cached.mkdir()
    else:
        with cached.open("wb") as file:  # sparse: no disk taken
            file.truncate(50 * 1024 * 1024)
    with TestClient(create_app(tmp_path), base_url="http://127.0.0.1") as client:
        response = returns_within(lambda: client.get(f"/v1/engine/previews/{voice}.mp3"))
    assert response.status_code == 200, response  # type: ignore[attr-defined]
    body = response.content  # type: ignore[attr-defined]
    assert body[:3] == b"ID3" or body[:1] == b"\xff", body[:16]
    assert len(body) < 1024 * 1024  # seconds of MP3, not the 50 MB file
