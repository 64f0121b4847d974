"""More bad input through the Scripts tab (see also test_scripts_bad_input.py and the
bad CSV in test_scripts_e2e.py): a speaker a CSV gives no voice, a voice name that is
none of the account's voices, a damaged script file, empty blocks, and a block longer
than the model takes (sent in stitched pieces). Each says what happened; nothing is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTableView

from app.domain.script import Block, CastMember, Script
from app.library.script_store import save_script
from tests.support.spec import validate_request
from tests.ui.test_scripts_bad_input import SARAH, open_csv, statuses

pytestmark = pytest.mark.e2e
TTS = "/v1/text-to-speech/"
_HEAD = ('{"format": "xi-studio-script", "format_version": 1, "model_id": '
         '"eleven_multilingual_v2", "output_format": "mp3_44100_128", '
         f'"cast": [{{"speaker": "ANNA", "voice_id": "{SARAH}"}}], ')


def tts_sent(cloud: Any, since: int = 0) -> list[dict]:
    return [r for r in cloud.control.requests()[since:] if r["path"].startswith(TTS)]


def open_file(studio: Any, qtbot: Any, path: Path, rows: int) -> None:
    studio.window.open_paths([path])
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: table.model().rowCount() == rows, timeout=10_000)


def test_csv_speakers_without_a_known_voice_are_named_with_their_line(
        launch, cloud, qtbot, tmp_path: Path) -> None:
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.scripts_tab
    qtbot.waitUntil(lambda: bool(tab.generation.voices), timeout=20_000)
    source = tmp_path / "cast.csv"
    source.write_text("speaker,text,voice\n"
                      "ANNA,Hello there.,Sarah\n"      # the short name of a voice: found
                      "ZED,Who am I?\n"                # no voice anywhere
                      "BOB,I have a voice.,Rachl\n"    # no voice of that name
                      "ANNA,Goodbye.\n", encoding="utf-8")
    open_file(studio, qtbot, source, 4)
    status = tab.status.text()
    assert "line 3: ZED is not in the cast yet" in status, status
    assert "line 4: BOB's voice 'Rachl' is none of your voices" in status, status
    script = tab.document.script
    assert script.cast_for("ANNA").voice_id == SARAH
    assert not script.cast_for("BOB").voice_id
    # Generating says who still needs a voice instead of sending anything.
    before = len(cloud.control.requests())
    qtbot.mouseClick(studio.find(QPushButton, "scripts.generate_all"),
                     Qt.MouseButton.LeftButton)
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "ZED" in banner.text() or "ZED" in tab.status.text(),
                    timeout=5000)
    assert tts_sent(cloud, before) == []


@pytest.mark.parametrize("content, words", [
    ("{not json at all", "not valid JSON"),
    ('{"format": "xi-studio-script", "format_version": 1, "blocks": '
     '[{"block_id": "b1", "speaker": 3, "text": "x"}]}', "speaker"),
    ('{"format": "xi-studio-script", "format_version": 99, "blocks": []}', "version"),
    # A block id is the folder its new takes go into: this one was opened, and its
    # takes were written two folders up, into a script that could not be opened again.
    (_HEAD + '"blocks": [{"block_id": "../../outside", "speaker": "ANNA", "text": "x"}]}',
     "blocks[0].block_id"),
    # json reads Infinity, which int() cannot take: an OverflowError, not a message.
    (_HEAD + '"blocks": [{"block_id": "b1", "speaker": "ANNA", "text": "x", "takes": '
     '[{"take_id": "t1", "file": "b1/t1.mp3", "text": "x", "voice_id": "v", '
     '"model_id": "m", "output_format": "mp3_44100_128", "duration_ms": Infinity}]}]}',
     "blocks[0].takes[0].duration_ms"),
], ids=["not json", "wrong field", "newer version", "block id outside", "infinity"])
def test_a_damaged_script_file_says_why_and_keeps_the_open_script(
        launch, cloud, qtbot, tmp_path: Path, content: str, words: str) -> None:
    studio = open_csv(launch, cloud, qtbot, tmp_path, [f"ANNA,Keep me.,{SARAH}"])
    tab = studio.window.scripts_tab
    damaged = tmp_path / "broken.xiscript.json"
    damaged.write_text(content, encoding="utf-8")
    studio.window.open_paths([damaged])
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "could not be opened" in banner.text(), timeout=10_000)
    assert words.casefold() in banner.text().casefold(), banner.text()
    assert [b.text for b in tab.document.script.blocks] == ["Keep me."]
    assert damaged.read_text(encoding="utf-8") == content  # never rewritten


def test_empty_blocks_are_skipped_and_the_rest_are_made(launch, cloud, qtbot,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "gaps.xiscript.json"
    save_script(path, Script(title="Gaps", cast=(CastMember("ANNA", SARAH, "Sarah"),),
                             blocks=(Block("b1", "ANNA", "First."), Block("b2", "ANNA", "   "),
                                     Block("b3", "ANNA", "Third."))))
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.scripts_tab
    open_file(studio, qtbot, path, 3)
    qtbot.waitUntil(lambda: bool(tab.generation.models), timeout=20_000)
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate_all.isEnabled)
    before = len(cloud.control.requests())
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: not tab.generation.is_running and statuses(table)[0] == "done",
                    timeout=30_000)
    assert [r["json"]["text"] for r in tts_sent(cloud, before)] == ["First.", "Third."]
    result = statuses(table)
    assert result[2] == "done" and "empty" in result[1], result
    assert [b.text for b in tab.document.script.blocks] == ["First.", "   ", "Third."]


def test_a_block_over_the_model_limit_goes_in_stitched_pieces(launch, cloud, qtbot,
                                                              tmp_path: Path) -> None:
    long_text = " ".join(f"Sentence number {i} of a very long block is here." for i in
                         range(110))  # over eleven_v3's 5,000 characters
    assert len(long_text) > 5000
    studio = open_csv(launch, cloud, qtbot, tmp_path, [f'ANNA,"{long_text}",{SARAH}'])
    tab = studio.window.scripts_tab
    model = studio.find(QComboBox, "scripts.model")
    model.setCurrentIndex(model.findData("eleven_v3"))
    model.activated.emit(model.currentIndex())
    assert tab.document.script.model_id == "eleven_v3"
    before = len(cloud.control.requests())
    qtbot.mouseClick(studio.find(QPushButton, "scripts.generate_all"),
                     Qt.MouseButton.LeftButton)
    table = studio.find(QTableView, "scripts.blocks")
    qtbot.waitUntil(lambda: not tab.generation.is_running and statuses(table) == ["done"],
                    timeout=30_000)
    sent = tts_sent(cloud, before)
    assert len(sent) == 2 and all(len(r["json"]["text"]) <= 5000 for r in sent)
    assert "".join(r["json"]["text"] for r in sent) == long_text
    for request in sent:
        validate_request("POST", request["path"], request["query"], request["json"])
    take = tab.document.script.blocks[0].chosen_take
    assert take is not None and len(take.piece_request_ids) == 2
    assert sent[1]["json"]["previous_request_ids"] == [take.piece_request_ids[0]]


def test_a_utf16_csv_imports_and_a_latin1_one_names_its_line(launch, cloud, qtbot,
                                                             tmp_path: Path) -> None:
    """Windows Notepad's "Unicode" is UTF-16: it was read as UTF-8 with replacement, so
    every row came out as one column of NULs and '\ufffd' ("line 1: expected
    speaker,text"); a Latin-1 file was imported with '\ufffd' in place of its accents."""
    studio = open_csv(launch, cloud, qtbot, tmp_path, [f"ANNA,Keep me.,{SARAH}"])
    tab = studio.window.scripts_tab
    wide = tmp_path / "notepad.csv"
    wide.write_bytes("speaker,text,voice\r\nANNA,Grüße aus Köln.,Sarah\r\nBEN,Hi.,Sarah\r\n"
                     .encode("utf-16"))
    open_file(studio, qtbot, wide, 2)
    assert [(b.speaker, b.text) for b in tab.document.script.blocks] == [
        ("ANNA", "Grüße aus Köln."), ("BEN", "Hi.")]
    # Notepad's "ANSI" (Windows-1252) keeps its accents; bytes that are no known
    # encoding name their line and leave the open script as it was.
    latin = tmp_path / "old.csv"
    latin.write_bytes("ANNA,Fine.\nBEN,Café au lait.\n".encode("cp1252"))
    studio.window.open_paths([latin])
    qtbot.waitUntil(lambda: [b.text for b in tab.document.script.blocks] == [
        "Fine.", "Café au lait."], timeout=10_000)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"ANNA,Fine.\nBEN,Caf\x81\xe9.\n")
    studio.window.open_paths([broken])
    banner = studio.find(QLabel, "scripts.error.text")
    qtbot.waitUntil(lambda: "could not be imported" in banner.text(), timeout=10_000)
    assert "line 2: this is not text in a known encoding" in banner.text(), banner.text()
    assert [b.text for b in tab.document.script.blocks] == ["Fine.", "Café au lait."]
    # A UTF-16 screenplay is dialogue too (it went to the Speech tab as NULs).
    play = tmp_path / "play.txt"
    play.write_bytes("ANNA: Bonjour.\r\nBEN: Salut.\r\n".encode("utf-16"))
    studio.window.open_paths([play])
    qtbot.waitUntil(lambda: [(b.speaker, b.text) for b in tab.document.script.blocks] == [
        ("ANNA", "Bonjour."), ("BEN", "Salut.")], timeout=10_000)


def test_a_take_whose_audio_file_is_gone_is_forgotten_and_made_again(
        launch, cloud, qtbot, tmp_path: Path) -> None:
    """A script whose takes folder lost a file (deleted, or the script copied without
    it) showed that block as done: "Generate all missing" skipped it and export stopped
    at it. Opening it now forgets that take, says so, and the queue makes the block."""
    from app.library.script_store import load_script, takes_dir_for

    path = tmp_path / "lost.xiscript.json"
    save_script(path, Script(title="Lost", cast=(CastMember("ANNA", SARAH, "Sarah"),),
                             blocks=(Block("b1", "ANNA", "First."),
                                     Block("b2", "ANNA", "Second."))))
    studio = launch(cloud_url=cloud.url)
    tab = studio.window.scripts_tab
    table = studio.find(QTableView, "scripts.blocks")
    open_file(studio, qtbot, path, 2)
    qtbot.waitUntil(lambda: bool(tab.generation.models), timeout=20_000)
    generate_all = studio.find(QPushButton, "scripts.generate_all")
    qtbot.waitUntil(generate_all.isEnabled)
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.generation.is_running
                    and statuses(table) == ["done", "done"], timeout=30_000)
    studio.find(QPushButton, "scripts.new").click()  # saves and leaves the script
    qtbot.waitUntil(lambda: tab.document.path != path, timeout=10_000)
    take = load_script(path).blocks[1].chosen_take
    assert take is not None
    (takes_dir_for(path) / take.file).unlink()

    open_file(studio, qtbot, path, 2)
    status = studio.find(QLabel, "scripts.status")
    qtbot.waitUntil(lambda: "1 take had no audio file" in status.text(), timeout=10_000)
    assert statuses(table)[0] == "done" and statuses(table)[1] != "done", statuses(table)
    assert load_script(path).blocks[1].takes == ()  # the file says so too
    before = len(cloud.control.requests())
    qtbot.waitUntil(generate_all.isEnabled)
    qtbot.mouseClick(generate_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.generation.is_running
                    and statuses(table) == ["done", "done"], timeout=30_000)
    assert [r["json"]["text"] for r in tts_sent(cloud, before)] == ["Second."]
