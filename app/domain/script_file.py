"""The script file (`*.xiscript.json`): XI Studio's own versioned JSON, to and from.

Format, version 1 (every key is written; on reading, keys marked optional may be absent):

    {
      "format": "xi-studio-script",          # identifies the file
      "format_version": 1,                   # files from a newer version are refused
      "title": "Spring ad",                  # optional, default ""
      "model_id": "eleven_multilingual_v2",
      "output_format": "mp3_44100_128",
      "gap_ms": 400,                         # optional: silence between blocks on export
      "target_lufs": -16.0,                  # optional: loudness of the exported file
      "pronunciation_dictionary_locators": [],   # optional, reserved
      "cast": [{"speaker": "ANNA", "voice_id": "...", "voice_name": "Rachel",
                "settings": {"stability": 0.5} or null}],
      "blocks": [{
        "block_id": "b_1", "speaker": "ANNA", "text": "Hello.",
        "settings": null,                    # optional: overrides the cast's settings
        "chosen_take_id": "t_1" or null,     # optional
        "error": null,                       # optional: why the last generation failed
        "takes": [{
          "take_id": "t_1",
          "file": "b_1/t_1.mp3",             # relative to the script's takes folder
          "text": "Hello.", "voice_id": "...", "model_id": "...",
          "output_format": "mp3_44100_128", "settings": {...},
          "request_id": "..." or null, "piece_request_ids": [],
          "character_cost": 6 or null, "created_at": "2026-01-01T10:00:00+00:00",
          "duration_ms": 820 or null,
          "alignment": [["Hello.", 0, 700]] or null,   # words, ms from the take's start
          "from_dialogue": false,
          "dictionaries": [["dict id", "version id"]]   # optional: made with these
        }]
      }]
    }

Written with the head indented and each block on one line of its own (see
`script_to_json`). Reading checks shape and types and raises `ScriptFormatError` naming the field
(`blocks[3].takes[0].file: ...`), so a damaged file says where it is damaged. Writing
the file safely (atomic, crash-safe) is the library's job: app/library/script_store.py.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import PureWindowsPath
from typing import Any

from app.domain.pronunciation import MAX_LOCATORS
from app.domain.script import (
    FORMAT_VERSION,
    Block,
    CastMember,
    Script,
    Take,
    WordTime,
    normalized_settings,
)

FORMAT_NAME = "xi-studio-script"
FILE_SUFFIX = ".xiscript.json"
# What a block id may be: it is a folder's name on every system (see `_block_id`).
_SAFE_ID = re.compile(r'[^\x00-\x1f/\\:*?"<>|]{1,100}')


class ScriptFormatError(ValueError):
    """The script file cannot be read; the message names the field and is for the user."""


# --- Writing ---------------------------------------------------------------------------


def _settings_out(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if settings is None else normalized_settings(settings)


def take_to_dict(take: Take) -> dict[str, Any]:
    return {
        "take_id": take.take_id,
        "file": take.file,
        "text": take.text,
        "voice_id": take.voice_id,
        "model_id": take.model_id,
        "output_format": take.output_format,
        "settings": normalized_settings(take.settings),
        "request_id": take.request_id,
        "piece_request_ids": list(take.piece_request_ids),
        "character_cost": take.character_cost,
        "created_at": take.created_at,
        "duration_ms": take.duration_ms,
        "alignment": None if take.alignment is None
        else [[w.word, w.start_ms, w.end_ms] for w in take.alignment],
        "from_dialogue": take.from_dialogue,
        **({"dictionaries": [list(pair) for pair in take.dictionaries]}
           if take.dictionaries else {}),
    }


def block_to_dict(block: Block) -> dict[str, Any]:
    return {
        "block_id": block.block_id,
        "speaker": block.speaker,
        "text": block.text,
        "settings": _settings_out(block.settings),
        "chosen_take_id": block.chosen_take_id,
        "error": block.error,
        "takes": [take_to_dict(t) for t in block.takes],
    }


def _head_to_dict(script: Script) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "title": script.title,
        "model_id": script.model_id,
        "output_format": script.output_format,
        "gap_ms": script.gap_ms,
        "target_lufs": script.target_lufs,
        "pronunciation_dictionary_locators": [dict(x) for x in
                                              script.pronunciation_dictionary_locators],
        "cast": [{"speaker": m.speaker, "voice_id": m.voice_id, "voice_name": m.voice_name,
                  "settings": _settings_out(m.settings)} for m in script.cast],
    }


def script_to_dict(script: Script) -> dict[str, Any]:
    return {**_head_to_dict(script),
            "blocks": [block_to_dict(b) for b in script.blocks]}


class ScriptJsonWriter:
    """The file's bytes (see `script_to_json`), remembering each block's line so the next
    call encodes only the blocks that changed.

    The batch queue saves the script after every take; re-encoding all 500 blocks with
    their takes each time (~15 ms of Python in a worker thread, once per take) kept the
    interpreter lock busy for most of the queue, and the window waited for it on every
    call into Python (benchmark figure 10b). Blocks are immutable and an edit replaces
    only the blocks it changes, so a block that is the same object has the same line.
    The memory is only a hint checked by identity, so two overlapping calls (a save whose
    caller gave up waiting, and the next) still each write their own script exactly.

    `chunks` hands the file over in pieces, the head and then one block line at a time,
    for a save to write as it goes. Joined and encoded as one text, a 5,000-block script
    (7 MB) was copied three times in single C calls that each held the interpreter lock
    for milliseconds, once per take: the window froze for 40-80 ms (figure 10f)."""

    def __init__(self) -> None:
        # id(block) -> (block, its encoded line); the block is kept so its id cannot be
        # reused.
        self._lines: dict[int, tuple[Block, bytes]] = {}

    def __call__(self, script: Script) -> str:
        return b"".join(self.chunks(script)).decode("utf-8")

    def remember(self, script: Script) -> None:
        """Encode every block now (in a worker, when a script is opened), so the next
        save only writes."""
        for _chunk in self.chunks(script):
            pass

    def chunks(self, script: Script) -> Iterator[bytes]:
        """The file's bytes, piece by piece (joined, they are `script_to_json`'s text)."""
        head = json.dumps(_head_to_dict(script), ensure_ascii=False, indent=1)
        assert head.endswith("\n}")
        previous: dict[int, tuple[Block, bytes]] = self._lines
        current: dict[int, tuple[Block, bytes]] = {}
        if not script.blocks:
            self._lines = current
            yield (head[:-2] + ',\n "blocks": []\n}\n').encode("utf-8")
            return
        yield (head[:-2] + ',\n "blocks": [\n').encode("utf-8")
        for index, block in enumerate(script.blocks):
            known = previous.get(id(block))
            line = (known[1] if known is not None and known[0] is block
                    else json.dumps(block_to_dict(block), ensure_ascii=False).encode("utf-8"))
            current[id(block)] = (block, line)
            if index:
                yield b",\n"
            yield line
        self._lines = current  # blocks no longer in the script are forgotten
        yield b"\n ]\n}\n"


def script_to_json(script: Script) -> str:
    """The file's text: the head indented, then one block per line.

    Each block is written by its own (C) `json.dumps` call. The indented form of the
    whole document went through json's pure-Python encoder instead: ~150-450 ms for a
    500-block script with its takes, once per finished take while the queue runs, which
    starved the window of CPU (benchmark figure 10b). Block by block it is ~10× faster,
    and other threads get their turn between blocks. A document saved again and again
    uses a `ScriptJsonWriter`, which re-encodes only the blocks that changed."""
    return ScriptJsonWriter()(script)


# --- Reading ---------------------------------------------------------------------------


def _fail(where: str, message: str) -> ScriptFormatError:
    return ScriptFormatError(f"{where}: {message}" if where else message)


def _get(obj: Mapping[str, Any], key: str, where: str, required: bool = True,
         default: Any = None) -> Any:
    if key in obj:
        return obj[key]
    if required:
        raise _fail(f"{where}.{key}" if where else key, "missing")
    return default


def _str(obj: Mapping[str, Any], key: str, where: str, required: bool = True,
         default: str | None = "") -> Any:
    value = _get(obj, key, where, required, default)
    if value is None and not required:
        return default
    if not isinstance(value, str):
        raise _fail(f"{where}.{key}" if where else key, f"should be text, not {value!r:.40}")
    return value


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise _fail(f"{where}.{key}", f"should be text or null, not {value!r:.40}")
    return value


def _int(value: Any, where: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    # (json reads NaN, Infinity and 1e400 as floats that int() cannot take)
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value)) or value != int(value)):
        raise _fail(where, f"should be a whole number, not {value!r:.40}")
    return int(value)


def _flag(value: Any, where: str) -> bool:
    """true or false: bool("no") is True, so a hand-edited "no" must not read as yes."""
    if not isinstance(value, bool):
        raise _fail(where, f"should be true or false, not {value!r:.40}")
    return value


def _count(value: Any, where: str, allow_none: bool = False) -> int | None:
    """A whole number of at least 0 (a duration, a time in a take)."""
    number = _int(value, where, allow_none)
    if number is not None and number < 0:
        raise _fail(where, f"cannot be negative ({number})")
    return number


def _number(value: Any, where: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value)):
        raise _fail(where, f"should be a number, not {value!r:.40}")
    return float(value)


def _dict(value: Any, where: str, allow_none: bool = False) -> dict[str, Any] | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, dict):
        raise _fail(where, f"should be an object, not {value!r:.40}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, f"should be a list, not {value!r:.40}")
    return value


def _alignment(value: Any, where: str) -> tuple[WordTime, ...] | None:
    if value is None:
        return None
    words: list[WordTime] = []
    for i, item in enumerate(_list(value, where)):
        at = f"{where}[{i}]"
        if not isinstance(item, list) or len(item) != 3 or not isinstance(item[0], str):
            raise _fail(at, "should be [word, start_ms, end_ms]")
        start, end = _count(item[1], at + "[1]"), _count(item[2], at + "[2]")
        assert start is not None and end is not None
        if end < start:
            raise _fail(at, "ends before it starts")
        words.append(WordTime(item[0], start, end))
    return tuple(words)


def take_from_dict(raw: Any, where: str) -> Take:
    obj = _dict(raw, where)
    assert obj is not None
    file = _str(obj, "file", where)
    if not _inside_takes_folder(file):
        raise _fail(f"{where}.file", "should be a path inside the takes folder")
    ids = [_str({"id": x}, "id", f"{where}.piece_request_ids[{i}]")
           for i, x in enumerate(_list(obj.get("piece_request_ids", []),
                                       f"{where}.piece_request_ids"))]
    settings = _dict(obj.get("settings", {}), f"{where}.settings", allow_none=True) or {}
    return Take(
        take_id=_str(obj, "take_id", where),
        file=file,
        text=_str(obj, "text", where),
        voice_id=_str(obj, "voice_id", where),
        model_id=_str(obj, "model_id", where),
        output_format=_str(obj, "output_format", where),
        settings=settings,
        request_id=_opt_str(obj, "request_id", where),
        piece_request_ids=tuple(ids),
        character_cost=_int(obj.get("character_cost"), f"{where}.character_cost", True),
        created_at=_str(obj, "created_at", where, required=False, default=""),
        duration_ms=_count(obj.get("duration_ms"), f"{where}.duration_ms", True),
        alignment=_alignment(obj.get("alignment"), f"{where}.alignment"),
        from_dialogue=_flag(obj.get("from_dialogue", False), f"{where}.from_dialogue"),
        dictionaries=_dictionary_pairs(obj.get("dictionaries", []), f"{where}.dictionaries"),
    )


def _inside_takes_folder(file: str) -> bool:
    """A relative path that stays in the takes folder on every system: no root, no
    drive (`C:x` is not relative on Windows), no `..`, no NUL."""
    windows = PureWindowsPath(file)
    return bool(file) and "\0" not in file and not file.startswith(("/", "\\")) \
        and not windows.drive and ".." not in windows.parts


def _block_id(obj: Mapping[str, Any], where: str) -> str:
    """A block's id names the folder its new takes are written into
    (`<takes>/<block id>/<take id>.mp3`): one that is empty, a path (`../../x`, `/tmp`) or
    odd for a file name would write outside the takes folder."""
    block_id = _str(obj, "block_id", where)
    # (Windows drops a name's trailing dots and spaces: "b1." would be b1's folder.)
    if not _SAFE_ID.fullmatch(block_id) or block_id != block_id.strip(". "):
        raise _fail(f"{where}.block_id", f"cannot name a folder (it should be a short name "
                                         f"such as b_1, without / or \\), not "
                                         f"{block_id!r:.40}")
    return str(block_id)


def _dictionary_pairs(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for i, item in enumerate(_list(raw, where)):
        if (not isinstance(item, list) or len(item) != 2
                or not all(isinstance(x, str) for x in item)):
            raise _fail(f"{where}[{i}]", "should be [dictionary id, version id]")
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _block(raw: Any, where: str) -> Block:
    obj = _dict(raw, where)
    assert obj is not None
    takes = tuple(take_from_dict(t, f"{where}.takes[{i}]")
                  for i, t in enumerate(_list(obj.get("takes", []), f"{where}.takes")))
    take_ids = [t.take_id for t in takes]
    if len(set(take_ids)) != len(take_ids):
        dup = next(i for i in take_ids if take_ids.count(i) > 1)
        raise _fail(f"{where}.takes", f"the take id {dup!r} is used twice")
    chosen = _opt_str(obj, "chosen_take_id", where)
    if chosen is not None and all(t.take_id != chosen for t in takes):
        raise _fail(f"{where}.chosen_take_id", f"names a take the block does not have: "
                                               f"{chosen!r}")
    return Block(
        block_id=_block_id(obj, where),
        speaker=_str(obj, "speaker", where),
        text=_str(obj, "text", where),
        settings=_dict(obj.get("settings"), f"{where}.settings", allow_none=True),
        takes=takes,
        chosen_take_id=chosen,
        error=_opt_str(obj, "error", where),
    )


def _cast_member(raw: Any, where: str) -> CastMember:
    obj = _dict(raw, where)
    assert obj is not None
    return CastMember(
        speaker=_str(obj, "speaker", where),
        voice_id=_str(obj, "voice_id", where, required=False, default=""),
        voice_name=_str(obj, "voice_name", where, required=False, default=""),
        settings=_dict(obj.get("settings"), f"{where}.settings", allow_none=True),
    )


def script_from_dict(raw: Any) -> Script:
    obj = _dict(raw, "the file")
    assert obj is not None
    if obj.get("format") != FORMAT_NAME:
        raise _fail("format", f"this is not an XI Studio script (expected "
                              f"\"{FORMAT_NAME}\", found {obj.get('format')!r:.40})")
    version = _int(_get(obj, "format_version", ""), "format_version")
    assert version is not None
    if version > FORMAT_VERSION or version < 1:
        raise _fail("format_version", f"version {version} was written by a newer XI Studio; "
                                      f"this one reads version {FORMAT_VERSION}")
    blocks = tuple(_block(b, f"blocks[{i}]")
                   for i, b in enumerate(_list(_get(obj, "blocks", ""), "blocks")))
    ids = [b.block_id for b in blocks]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise _fail("blocks", f"the block id {dup!r} is used twice")
    cast = tuple(_cast_member(m, f"cast[{i}]")
                 for i, m in enumerate(_list(obj.get("cast", []), "cast")))
    locators = tuple(_dict(x, f"pronunciation_dictionary_locators[{i}]") or {}
                     for i, x in enumerate(_list(obj.get("pronunciation_dictionary_locators",
                                                         []),
                                                 "pronunciation_dictionary_locators")))
    if len(locators) > MAX_LOCATORS:
        raise _fail("pronunciation_dictionary_locators",
                    f"a script can use at most {MAX_LOCATORS} dictionaries")
    for i, locator in enumerate(locators):
        _str(locator, "pronunciation_dictionary_id", f"pronunciation_dictionary_locators[{i}]")
    gap = _int(obj.get("gap_ms", 400), "gap_ms")
    assert gap is not None
    if gap < 0:
        raise _fail("gap_ms", "cannot be negative")
    return Script(
        title=_str(obj, "title", "", required=False, default=""),
        model_id=_str(obj, "model_id", ""),
        output_format=_str(obj, "output_format", ""),
        cast=cast,
        blocks=blocks,
        gap_ms=gap,
        target_lufs=_number(obj.get("target_lufs", -16.0), "target_lufs"),
        pronunciation_dictionary_locators=locators,
        format_version=FORMAT_VERSION,
    )


def script_from_json(text: str | bytes) -> Script:
    """Parse a script file's content. Raises ScriptFormatError with a plain message."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ScriptFormatError(f"the file is not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise ScriptFormatError("the file is not a script: its lists are nested thousands "
                                "deep") from exc
    return script_from_dict(raw)
