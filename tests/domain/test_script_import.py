"""Importing scripts from plain text, screenplays, Markdown, CSV/TSV, and writing them
back out (pure logic)."""

from __future__ import annotations

import pytest

from app.domain.script import Script
from app.domain.script_import import (
    ScriptImportError,
    import_script,
    kind_for_filename,
    parse_markdown,
    parse_table,
    resolve_cast_names,
    to_screenplay_text,
    to_table,
)
from app.domain.text_file import decode_text_file


def lines(script: Script) -> list[tuple[str, str]]:
    return [(b.speaker, b.text) for b in script.blocks]


def test_plain_text_is_a_block_per_paragraph() -> None:
    text = "First paragraph\ncontinues here.\n\n\nSecond one.\n   \nNote: this is a long " \
           "sentence that merely has a colon in it: it stays narration.\n"
    result = import_script(text, default_speaker="Voice")
    assert lines(result.script) == [("Voice", "First paragraph continues here."),
                                    ("Voice", "Second one."),
                                    ("Voice", "Note: this is a long sentence that merely has "
                                              "a colon in it: it stays narration.")]


def test_screenplay_dialogue() -> None:
    text = ("ANNA: Hello.\nBEN:\nHi there,\nAnna.\n\nAnd another thing.\n"
            "Dr. Ray: Welcome, both.\n")
    result = import_script(text)
    assert lines(result.script) == [("ANNA", "Hello."), ("BEN", "Hi there, Anna."),
                                    ("BEN", "And another thing."),
                                    ("Dr. Ray", "Welcome, both.")]
    with pytest.raises(ScriptImportError, match="line 2: BEN has no text"):
        import_script("ANNA: Hi.\nBEN:\n", "screenplay")


def test_markdown() -> None:
    text = ("# Spring ad\n\nIntro paragraph in *italics*.\n\n## Scene 1\n\n"
            "**ANNA:** Hello, **you**.\n__BEN__: Hi.\n- NARRATOR: A list item.\n\n"
            "```\nCODE: ignored\n```\n")
    result = parse_markdown(text)
    assert result.script.title == "Spring ad"
    assert lines(result.script) == [("Narrator", "Intro paragraph in italics."),
                                    ("ANNA", "Hello, you."), ("BEN", "Hi."),
                                    ("NARRATOR", "A list item.")]


def test_csv_and_tsv() -> None:
    text = ('speaker,text,voice\nANNA,"Hello, world.",Rachel\nBEN,Hi.,JBFqnCBsd6RMkjVDRZzb\n'
            "\nANNA,Again.,\n")
    result = parse_table(text)
    assert lines(result.script) == [("ANNA", "Hello, world."), ("BEN", "Hi."),
                                    ("ANNA", "Again.")]
    cast = {m.speaker: (m.voice_id, m.voice_name) for m in result.script.cast}
    assert cast == {"ANNA": ("", "Rachel"), "BEN": ("JBFqnCBsd6RMkjVDRZzb", "")}
    resolved = resolve_cast_names(result.script, [("rachelId", "rachel")])
    assert resolved.cast_for("ANNA").voice_id == "rachelId"  # type: ignore[union-attr]
    tsv = import_script("ANNA\tOne, two.\nBEN\tThree.\n", "tsv")
    assert lines(tsv.script) == [("ANNA", "One, two."), ("BEN", "Three.")]


def test_csv_problems_name_the_line() -> None:
    with pytest.raises(ScriptImportError, match="line 3: the speaker is empty"):
        parse_table("ANNA,Hi.\nBEN,Yo.\n,Nobody.\n")
    with pytest.raises(ScriptImportError, match="line 2: expected speaker"):
        parse_table("ANNA,Hi.\nlonely\n")
    with pytest.raises(ScriptImportError, match="line 3: ANNA was given the voice"):
        parse_table("ANNA,Hi.,v1\nBEN,Yo.\nANNA,Again.,v2\n")
    with pytest.raises(ScriptImportError, match="line 1: too many columns"):
        parse_table("ANNA,Hi, there.,v1,extra\n")
    unknown = parse_table("ANNA,Hi.\nZED,Who am I?\nZED,Again.\n", known_speakers=["anna"])
    assert unknown.warnings == ["line 2: ZED is not in the cast yet; choose a voice for ZED "
                                "before generating"]
    skipped = parse_table("ANNA,\nBEN,Yo.\n")
    assert skipped.warnings == ["line 1: ANNA has no text; the row was skipped"]
    assert lines(skipped.script) == [("BEN", "Yo.")]


def test_written_back_as_text_and_csv_reads_the_same() -> None:
    script = import_script("ANNA: Hello, there.\nBEN: \"Quoted\" line.\n").script
    again = import_script(to_screenplay_text(script)).script
    assert lines(again) == lines(script)
    table = import_script(to_table(script), "csv").script
    assert lines(table) == lines(script)
    assert kind_for_filename("X.MD") == "markdown" and kind_for_filename("a.tsv") == "tsv"
    assert kind_for_filename("a.txt") == "auto"


def test_csv_quotes_left_open_or_unescaped_name_the_line_the_row_starts_on() -> None:
    """An unclosed quote once took the rest of the file as one line of text, silently;
    a problem in a row over several lines named its last line."""
    with pytest.raises(ScriptImportError, match=r"line 2: a quote .* is never closed"):
        parse_table('ANNA,Fine.\nBEN,"Hello there\nCARL,Hi.\nDORA,Bye.\n')
    with pytest.raises(ScriptImportError, match=r"line 1: a quote .* must be written twice"):
        parse_table('ANNA,"He said "hi" to me",v1\n')
    with pytest.raises(ScriptImportError, match="line 2: too many columns"):
        parse_table('ANNA,Fine.\nBEN,"one\ntwo\nthree",v1,extra\n')
    # A quoted cell over several lines is still one block, and the lines after it count.
    assert lines(parse_table('ANNA,"one\ntwo"\nBEN,Three.\n').script) == [
        ("ANNA", "one\ntwo"), ("BEN", "Three.")]
    with pytest.raises(ScriptImportError, match="line 4: the speaker is empty"):
        parse_table('ANNA,"one\ntwo"\nBEN,Three.\n,Nobody.\n')


@pytest.mark.parametrize("data", [
    "ANNA: Hello.\r\nBEN: Hi.\r\n".encode("utf-16"),  # Notepad's "Unicode"
    b"\xfe\xff" + "ANNA: Hello.\nBEN: Hi.\n".encode("utf-16-be"),
    "ANNA: Hello.\nBEN: Hi.\n".encode("utf-32"),
    b"\xef\xbb\xbfANNA: Hello.\r\nBEN: Hi.\r\n",
    b"ANNA: Hello.\rBEN: Hi.\r",  # old Mac line ends
], ids=["utf-16 le", "utf-16 be", "utf-32", "utf-8 bom crlf", "cr"])
def test_text_files_in_any_unicode_encoding_import_the_same(data: bytes) -> None:
    text = decode_text_file(data)
    assert text == "ANNA: Hello.\nBEN: Hi.\n"
    assert lines(import_script(text).script) == [("ANNA", "Hello."), ("BEN", "Hi.")]


def test_a_long_markdown_line_of_unmatched_emphasis_marks_imports_at_once() -> None:
    """The emphasis pattern's `.*?` scanned to the end of the line from every mark:
    a 60 KB line of "*a " took 40 s (a stuck import, or a stuck `xi-studio render`)."""
    import time

    started = time.monotonic()
    result = import_script("*a " * 20_000, "markdown")
    assert time.monotonic() - started < 3.0
    assert result.script.blocks[0].text.startswith("*a *a")
    assert lines(parse_markdown("Say *this* and _that_, not *x_.\n").script) == [
        ("Narrator", "Say this and that, not *x_.")]
