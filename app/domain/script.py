"""Scripts: multi-voice voiceovers made block by block, each block with its takes.

A `Script` is an ordered list of `Block`s (a speaker and a line of text); the `cast`
maps each speaker to a voice. Every generation of a block is kept as a `Take` (its audio
file, request id, cost, and exactly what it was made from), and one take per block is the
chosen one that goes into the delivered audio.

All objects are frozen: an edit returns a new script (see `app.domain.script_edit`), so
undo/redo is keeping the old value, and a worker thread can save a snapshot while the
user keeps editing.

"Never pay twice": `make_fingerprint` condenses what a take would be made from (text,
voice, model, output format, effective settings) into a short string. A block whose
current fingerprint already has a take needs no request (`Block.take_matching`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.domain.word_timing import WordTime as WordTime  # its home; named here too

FORMAT_VERSION = 1
DEFAULT_MODEL_ID = "eleven_multilingual_v2"
DEFAULT_OUTPUT_FORMAT = "mp3_44100_128"
DEFAULT_GAP_MS = 400
DEFAULT_TARGET_LUFS = -16.0

Settings = Mapping[str, Any]


def normalized_settings(settings: Settings | None) -> dict[str, Any]:
    """Settings as compared and stored: keys sorted, unset (None) values left out."""
    if not settings:
        return {}
    return {key: settings[key] for key in sorted(settings) if settings[key] is not None}


#: Pronunciation dictionaries as (dictionary id, version id) pairs, in the order sent.
DictionaryKeys = tuple[tuple[str, str], ...]


def dictionary_keys(locators: Sequence[Mapping[str, str]]) -> DictionaryKeys:
    """The (id, version) pairs of locator dicts: what a take remembers of them."""
    return tuple((str(x.get("pronunciation_dictionary_id") or ""),
                  str(x.get("version_id") or "")) for x in locators)


def make_fingerprint(text: str, voice_id: str, model_id: str, output_format: str,
                     settings: Settings | None, dictionaries: DictionaryKeys = ()) -> str:
    """A short stable digest of everything that decides a take's audio. Dictionaries
    join the digest only when there are some, so takes made before scripts had
    dictionaries keep their fingerprints (and stay fresh)."""
    parts: list[Any] = [text, voice_id, model_id, output_format, normalized_settings(settings)]
    if dictionaries:
        parts.append([list(pair) for pair in dictionaries])
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Take:
    """One generation of a block. `file` is relative to the script's takes folder."""

    take_id: str
    file: str
    text: str
    voice_id: str
    model_id: str
    output_format: str
    settings: Settings = field(default_factory=dict)
    #: The request id of the (last) request that made it: what stitching links to.
    request_id: str | None = None
    #: All request ids when a long block was made in several stitched pieces.
    piece_request_ids: tuple[str, ...] = ()
    character_cost: int | None = None
    created_at: str = ""
    duration_ms: int | None = None
    alignment: tuple[WordTime, ...] | None = None
    #: Made as part of one text-to-dialogue request (all blocks share the request id).
    from_dialogue: bool = False
    #: The pronunciation dictionaries (id, version) it was made with.
    dictionaries: DictionaryKeys = ()
    # The fingerprint, worked out on first use: a take never changes, and every status,
    # count and "Generate all missing" asked again (a JSON encoding and a hash each time,
    # for every take of a 5,000-block script). Not part of the value.
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False,
                                     hash=False)

    @property
    def fingerprint(self) -> str:
        known = self._fingerprint
        if known is None:
            known = make_fingerprint(self.text, self.voice_id, self.model_id,
                                     self.output_format, self.settings, self.dictionaries)
            object.__setattr__(self, "_fingerprint", known)  # a cache on a frozen value
        return known


@dataclass(frozen=True, slots=True)
class CastMember:
    """Who speaks a speaker's lines: a voice and, optionally, its default settings."""

    speaker: str
    voice_id: str
    voice_name: str = ""
    settings: Settings | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """One line of the script: a speaker, a text, optional own settings, and takes."""

    block_id: str
    speaker: str
    text: str
    #: Overrides the cast member's settings for this block only (None: use the cast's).
    settings: Settings | None = None
    takes: tuple[Take, ...] = ()
    chosen_take_id: str | None = None
    #: Why the last generation failed (e.g. the voice was deleted); None when it did not.
    error: str | None = None

    @property
    def chosen_take(self) -> Take | None:
        for take in self.takes:
            if take.take_id == self.chosen_take_id:
                return take
        return None

    def take(self, take_id: str) -> Take | None:
        return next((t for t in self.takes if t.take_id == take_id), None)

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()

    def effective_settings(self, cast: CastMember | None) -> dict[str, Any]:
        if self.settings is not None:
            return normalized_settings(self.settings)
        return normalized_settings(cast.settings if cast is not None else None)

    def fingerprint(self, cast: CastMember | None, model_id: str,
                    output_format: str, dictionaries: DictionaryKeys = ()) -> str | None:
        """What a new take would be made from; None when the speaker has no voice yet."""
        if cast is None or not cast.voice_id:
            return None
        return make_fingerprint(self.text, cast.voice_id, model_id, output_format,
                                self.effective_settings(cast), dictionaries)

    def take_matching(self, fingerprint: str | None) -> Take | None:
        """The newest take made from exactly this (never pay twice for it)."""
        if fingerprint is None:
            return None
        for take in reversed(self.takes):
            if take.fingerprint == fingerprint:
                return take
        return None

    def is_stale(self, cast: CastMember | None, model_id: str, output_format: str,
                 dictionaries: DictionaryKeys = ()) -> bool:
        """The chosen take was made from another text, voice, model, format, settings or
        pronunciation dictionaries."""
        chosen = self.chosen_take
        if chosen is None:
            return False
        return chosen.fingerprint != self.fingerprint(cast, model_id, output_format,
                                                      dictionaries)


@dataclass(frozen=True, slots=True)
class Script:
    title: str = ""
    model_id: str = DEFAULT_MODEL_ID
    output_format: str = DEFAULT_OUTPUT_FORMAT
    cast: tuple[CastMember, ...] = ()
    blocks: tuple[Block, ...] = ()
    gap_ms: int = DEFAULT_GAP_MS
    target_lufs: float = DEFAULT_TARGET_LUFS
    #: Up to three (pronunciation.MAX_LOCATORS) `{"pronunciation_dictionary_id": ..., "version_id":
    #: ..., "name": ...}` dicts sent with every block (the name is only for display).
    pronunciation_dictionary_locators: tuple[Mapping[str, str], ...] = ()
    format_version: int = FORMAT_VERSION
    # Block id -> position, made on the first look-up: the queue and the table look
    # blocks up by id once or more per take, and a scan of 500 blocks each time made
    # a whole queue quadratic. Not part of the value (compare, repr, replace).
    _positions: dict[str, int] | None = field(default=None, init=False, repr=False,
                                              compare=False, hash=False)
    # Speaker (casefolded) -> cast member, made on the first look-up: every block's status
    # and fingerprint asks for its speaker's, and a scan of 30 speakers for each of 5,000
    # blocks was most of a count of the script.
    _members: dict[str, CastMember] | None = field(default=None, init=False, repr=False,
                                                   compare=False, hash=False)

    # --- Look-ups --------------------------------------------------------------------

    def cast_for(self, speaker: str) -> CastMember | None:
        members = self._members
        if members is None:
            members = {}
            for member in self.cast:
                members.setdefault(member.speaker.casefold(), member)  # the first, as before
            object.__setattr__(self, "_members", members)  # a cache on a frozen value
        return members.get(speaker.casefold())

    def speakers(self) -> list[str]:
        """Speakers in order of first appearance (blocks first, then cast-only ones)."""
        seen: dict[str, str] = {}
        # (Exact repeats are dropped first, in C: a 500-block script has a few names.)
        for name in dict.fromkeys([b.speaker for b in self.blocks]
                                  + [m.speaker for m in self.cast]):
            seen.setdefault(name.casefold(), name)
        return list(seen.values())

    def uncast_speakers(self) -> list[str]:
        return [s for s in self.speakers()
                if (m := self.cast_for(s)) is None or not m.voice_id]

    def index_of(self, block_id: str) -> int:
        positions = self._positions
        if positions is None:
            positions = {}
            for index, block in enumerate(self.blocks):
                positions.setdefault(block.block_id, index)  # the first, as a scan finds
            object.__setattr__(self, "_positions", positions)  # a cache on a frozen value
        try:
            return positions[block_id]
        except KeyError:
            raise KeyError(f"no block {block_id!r} in the script") from None

    def has_block(self, block_id: str) -> bool:
        """Whether a block of this id is in the script (a look-up, not a scan: the queue
        asks once or more per block it makes)."""
        try:
            self.index_of(block_id)
        except KeyError:
            return False
        return True

    def block(self, block_id: str) -> Block:
        return self.blocks[self.index_of(block_id)]

    def voice_of(self, block: Block) -> str | None:
        member = self.cast_for(block.speaker)
        return member.voice_id if member is not None and member.voice_id else None

    def fingerprint_of(self, block: Block) -> str | None:
        return block.fingerprint(self.cast_for(block.speaker), self.model_id,
                                 self.output_format, self.dictionaries)

    @property
    def dictionaries(self) -> DictionaryKeys:
        return dictionary_keys(self.pronunciation_dictionary_locators)

    def is_stale(self, block: Block) -> bool:
        return block.is_stale(self.cast_for(block.speaker), self.model_id, self.output_format,
                              self.dictionaries)

    def is_done(self, block: Block) -> bool:
        """The block's chosen take was made from what it says now (or it has nothing to
        say)."""
        if block.is_empty:
            return True
        chosen = block.chosen_take
        return chosen is not None and chosen.fingerprint == self.fingerprint_of(block)

    def needs_request(self, block: Block) -> bool:
        """Not done, and no earlier take matches either (one would be chosen for free)."""
        return not self.is_done(block) and block.take_matching(
            self.fingerprint_of(block)) is None

    def missing_blocks(self) -> list[Block]:
        """Blocks with text whose chosen take is missing or stale ("Generate missing"
        makes these; those with a matching older take get it chosen, at no cost)."""
        return [b for b in self.blocks if not self.is_done(b)]

    @property
    def all_takes_chosen(self) -> bool:
        """Every block with text has a chosen take that matches what it says now."""
        return all(b.is_empty or (b.chosen_take is not None and not self.is_stale(b))
                   for b in self.blocks)

    # --- Small updates (for bigger edits see app.domain.script_edit) -----------------

    def with_block(self, block: Block) -> Script:
        """The script with the block of the same id replaced."""
        index = self.index_of(block.block_id)
        blocks = (*self.blocks[:index], block, *self.blocks[index + 1:])
        changed = replace(self, blocks=blocks)
        # The same ids in the same places: the position table still holds. Made anew
        # for each take the queue records, it cost a pass over every block per take.
        object.__setattr__(changed, "_positions", self._positions)
        object.__setattr__(changed, "_members", self._members)  # the same cast too
        return changed

    def with_cast_member(self, member: CastMember) -> Script:
        key = member.speaker.casefold()
        others = tuple(m for m in self.cast if m.speaker.casefold() != key)
        if len(others) == len(self.cast):
            return replace(self, cast=(*self.cast, member))
        cast = tuple(member if m.speaker.casefold() == key else m for m in self.cast)
        return replace(self, cast=cast)
