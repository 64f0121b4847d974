"""Scripts from text people already have, and back.

Understood on import (`import_script`, or the format-specific functions):

* plain text: a block per paragraph (paragraphs are separated by blank lines), all for
  one speaker, unless most paragraphs start with `NAME:` (then it is a screenplay);
* screenplay-style dialogue: `NAME: line`; a `NAME:` on its own line takes the lines
  below it; a line without a name continues the block above; a blank line ends a block;
* Markdown: the first `# heading` becomes the title, other headings are ignored,
  `**NAME:** line`, `**NAME**: line` and `NAME: line` give the speaker, other paragraphs
  go to the speaker before them (or the narrator); `*`/`_` emphasis and list markers are
  dropped;
* CSV and TSV: `speaker,text[,voice]` rows; a first row `speaker,text[,voice]` is a
  header and skipped; the voice column (a voice id or a voice name) casts the speaker.

Problems raise `ScriptImportError` naming the line (`line 7: ...`); things that are
not errors but worth saying (a speaker not in the given cast, an empty row skipped) come
back as `ImportResult.warnings`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from app.domain.script import Block, CastMember, Script
from app.domain.script_edit import new_block_id

ImportKind = Literal["auto", "text", "screenplay", "markdown", "csv", "tsv"]
DEFAULT_SPEAKER = "Narrator"

# NAME: text — a name is short, starts with a letter, and has no sentence punctuation.
_NAME_LINE = re.compile(r"^\s*(?P<name>[^\W\d_][\w .'’\-]{0,39}?)\s*:\s*(?P<text>.*)$")
_MD_NAME_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<name>[^*_:]{1,40}?)\s*(?::\s*(?:\*\*|__)|"
                           r"(?:\*\*|__)\s*:)\s*(?P<text>.*)$")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# `*word*` / `_word_`: the text inside never crosses its own marker, so a line with many
# unmatched markers costs one pass (`.*?` here took 10 s for a 30 KB line of "*a ").
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(\S(?:(?:(?!\1).)*?\S)?)\1(?![\w*])")
_VOICE_ID = re.compile(r"^[A-Za-z0-9]{16,32}$")


class ScriptImportError(ValueError):
    """The text cannot be read as a script; the message names the line."""


@dataclass(frozen=True)
class ImportResult:
    script: Script
    warnings: list[str] = field(default_factory=list)
    #: Where a speaker's voice was given (speaker casefolded -> line), for messages.
    voice_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class _Pending:
    speaker: str
    line: int
    parts: list[str]


def _finish(blocks: list[Block], pending: _Pending | None) -> None:
    if pending is None:
        return
    text = " ".join(p.strip() for p in pending.parts if p.strip())
    if not text:
        raise ScriptImportError(f"line {pending.line}: {pending.speaker} has no text")
    blocks.append(Block(new_block_id(), pending.speaker, text))


def _name_match(line: str) -> tuple[str, str] | None:
    match = _NAME_LINE.match(line)
    if match is None:
        return None
    name = match.group("name").strip()
    # "Note: this is..." is a sentence; "ANNA:" / "Dr. Ray:" are speakers. A name is
    # at most four words.
    if not name or len(name.split()) > 4:
        return None
    return name, match.group("text")


def _looks_like_screenplay(text: str) -> bool:
    """Dialogue when at least a third of the lines start with a name (and at least two
    do, unless the text is one line): a colon in prose now and then does not count."""
    lines = [line for line in text.splitlines() if line.strip()]
    named = sum(1 for line in lines if _name_match(line) is not None)
    if len(lines) == 1:
        return named == 1
    return named >= 2 and named * 3 >= len(lines)


def parse_plain_text(text: str, speaker: str = DEFAULT_SPEAKER) -> ImportResult:
    """A block per paragraph, all for `speaker`."""
    blocks: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        joined = " ".join(line.strip() for line in paragraph.splitlines() if line.strip())
        if joined:
            blocks.append(Block(new_block_id(), speaker, joined))
    return ImportResult(Script(blocks=tuple(blocks)))


def _dialogue_lines(lines: Iterable[tuple[int, str, tuple[str, str] | None]],
                    default_speaker: str) -> list[Block]:
    """Lines as (number, text, (name, rest) or None) into blocks."""
    blocks: list[Block] = []
    pending: _Pending | None = None
    last_speaker: str | None = None
    for number, line, named in lines:
        if not line.strip():
            if pending is not None and any(p.strip() for p in pending.parts):
                _finish(blocks, pending)
                pending = None
            continue
        if named is not None:
            _finish(blocks, pending)
            last_speaker = named[0]
            pending = _Pending(named[0], number, [named[1]])
        elif pending is not None:
            pending.parts.append(line)
        else:
            pending = _Pending(last_speaker or default_speaker, number, [line])
    _finish(blocks, pending)
    return blocks


def parse_screenplay(text: str, default_speaker: str = DEFAULT_SPEAKER) -> ImportResult:
    lines = text.replace("\r\n", "\n").split("\n")
    numbered = ((i, line, _name_match(line)) for i, line in enumerate(lines, start=1))
    return ImportResult(Script(blocks=tuple(_dialogue_lines(numbered, default_speaker))))


def _strip_markdown(line: str) -> str:
    line = _MD_LIST.sub("", line)
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    return line.strip()


def parse_markdown(text: str, default_speaker: str = DEFAULT_SPEAKER) -> ImportResult:
    title = ""
    numbered: list[tuple[int, str, tuple[str, str] | None]] = []
    in_code = False
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if raw.strip().startswith("```"):
            in_code = not in_code
            numbered.append((number, "", None))
            continue
        heading = _MD_HEADING.match(raw)
        if in_code or heading is not None or raw.strip() in ("---", "***"):
            if heading is not None and not title and len(heading.group(1)) == 1:
                title = heading.group(2)
            numbered.append((number, "", None))  # a heading ends the block above
            continue
        bold = _MD_NAME_LINE.match(raw)
        named: tuple[str, str] | None
        if bold is not None:
            named = bold.group("name").strip(), _strip_markdown(bold.group("text"))
        else:
            plain = _name_match(_strip_markdown(raw))
            named = (plain[0], plain[1]) if plain else None
        numbered.append((number, _strip_markdown(raw), named))
    blocks = _dialogue_lines(numbered, default_speaker)
    return ImportResult(Script(title=title, blocks=tuple(blocks)))


def parse_table(text: str, delimiter: str = ",",
                known_speakers: Sequence[str] | None = None) -> ImportResult:
    """CSV/TSV rows `speaker,text[,voice]`. `known_speakers`: the cast of the script the
    rows are going into; a speaker outside it (and with no voice column) is warned about."""
    # strict: a quote never closed is an error (not the rest of the file in one cell)
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, strict=True)
    blocks: list[Block] = []
    voices: dict[str, tuple[str, int]] = {}
    warnings: list[str] = []
    known = {s.casefold() for s in known_speakers or ()}
    unvoiced: dict[str, tuple[str, int]] = {}
    read = 0  # lines read so far: a row starts on the next (a quoted cell may span lines)
    try:
        for row in rows:
            number, read = read + 1, rows.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if number == 1 and [c.casefold() for c in cells[:2]] == ["speaker", "text"]:
                continue
            if len(cells) < 2:
                raise ScriptImportError(f"line {number}: expected speaker{delimiter}text"
                                        f"[{delimiter}voice], found one column")
            if len(cells) > 3 and any(cells[3:]):
                raise ScriptImportError(f"line {number}: too many columns (at most "
                                        f"speaker, text and voice); quote text that has "
                                        f"a {'tab' if delimiter == chr(9) else 'comma'}")
            speaker, line_text = cells[0], cells[1]
            voice = cells[2] if len(cells) > 2 else ""
            if not speaker:
                raise ScriptImportError(f"line {number}: the speaker is empty")
            if not line_text:
                warnings.append(f"line {number}: {speaker} has no text; the row was skipped")
                continue
            key = speaker.casefold()
            if voice:
                if key in voices and voices[key][0] != voice:
                    raise ScriptImportError(
                        f"line {number}: {speaker} was given the voice {voices[key][0]!r} "
                        f"on line {voices[key][1]} and {voice!r} here; use one voice")
                voices.setdefault(key, (voice, number))
            elif known_speakers is not None and key not in known:
                unvoiced.setdefault(key, (speaker, number))  # a later line may give one
            blocks.append(Block(new_block_id(), speaker, line_text))
    except csv.Error as exc:
        raise ScriptImportError(_csv_problem(read + 1, exc)) from exc
    for key, (speaker, number) in unvoiced.items():
        if key not in voices:
            warnings.append(f"line {number}: {speaker} is not in the cast yet; "
                            f"choose a voice for {speaker} before generating")
    cast: list[CastMember] = []
    for block in blocks:
        key = block.speaker.casefold()
        if key in voices and all(m.speaker.casefold() != key for m in cast):
            value = voices[key][0]
            is_id = _VOICE_ID.match(value) is not None
            cast.append(CastMember(block.speaker, value if is_id else "",
                                   "" if is_id else value))
    return ImportResult(Script(cast=tuple(cast), blocks=tuple(blocks)), warnings,
                        {key: line for key, (_voice, line) in voices.items()})


def _csv_problem(line: int, exc: csv.Error) -> str:
    """The csv module's complaint in plain words, at the line the row starts on."""
    said = str(exc)
    if "unexpected end of data" in said:
        return (f"line {line}: a quote (\") opened here is never closed, so the rest of "
                f"the file would be one line of text; close it, or write \"\" for a quote "
                f"inside quoted text")
    if "expected after" in said:
        return (f"line {line}: a quote (\") inside quoted text must be written twice (\"\"), "
                f"or the text left unquoted")
    return f"line {line}: {said}"


def kind_for_filename(name: str) -> ImportKind:
    lower = name.lower()
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".tsv", ".tab")):
        return "tsv"
    return "auto"


def import_script(text: str, kind: ImportKind = "auto",
                  known_speakers: Sequence[str] | None = None,
                  default_speaker: str = DEFAULT_SPEAKER) -> ImportResult:
    """Read a script from text; "auto" tells screenplay dialogue from plain paragraphs."""
    if kind == "csv":
        return parse_table(text, ",", known_speakers)
    if kind == "tsv":
        return parse_table(text, "\t", known_speakers)
    if kind == "markdown":
        return parse_markdown(text, default_speaker)
    if kind == "screenplay" or (kind == "auto" and _looks_like_screenplay(text)):
        return parse_screenplay(text, default_speaker)
    return parse_plain_text(text, default_speaker)


def resolve_cast_names(script: Script, voices: Iterable[tuple[str, str]]) -> Script:
    """Fill in voice ids for cast members imported with only a voice name, from
    (voice_id, name) pairs (names compared case-insensitively; "Sarah" also finds
    "Sarah - Mature, Reassuring, Confident", the short name before " - ")."""
    by_name: dict[str, str] = {}
    for voice_id, name in voices:
        by_name.setdefault(name.casefold().strip(), voice_id)
        by_name.setdefault(name.split(" - ", 1)[0].casefold().strip(), voice_id)
    cast = tuple(replace(m, voice_id=by_name.get(m.voice_name.casefold(), ""))
                 if not m.voice_id and m.voice_name else m for m in script.cast)
    return replace(script, cast=cast)


def unresolved_voice_warnings(script: Script, voice_lines: dict[str, int]) -> list[str]:
    """A message per cast member whose voice name matched none of the voices, naming
    the line that gave it."""
    warnings = []
    for member in script.cast:
        if not member.voice_id and member.voice_name:
            line = voice_lines.get(member.speaker.casefold())
            where = f"line {line}: " if line else ""
            warnings.append(f"{where}{member.speaker}'s voice {member.voice_name!r} is none "
                            f"of your voices; choose one in the cast")
    return warnings


# --- Export ----------------------------------------------------------------------------


def to_screenplay_text(script: Script) -> str:
    """`SPEAKER: text` paragraphs, which `import_script` reads back."""
    return "".join(f"{b.speaker}: {b.text.strip()}\n\n" for b in script.blocks
                   if b.text.strip()).rstrip("\n") + "\n"


def to_table(script: Script, delimiter: str = ",") -> str:
    """CSV (or TSV) with a `speaker,text,voice` header; the voice is the cast's voice id."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["speaker", "text", "voice"])
    for block in script.blocks:
        writer.writerow([block.speaker, block.text, script.voice_of(block) or ""])
    return out.getvalue()
