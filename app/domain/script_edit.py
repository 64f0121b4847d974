"""Edits of a script, each a pure function returning the new script.

The window wraps each in an undo command that keeps the script before and after; nothing
here touches files. Takes are never thrown away by an edit (a changed block keeps its
takes, which then read as stale), so an edit undone brings back the audio it had.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace

from app.domain.script import Block, Script, Settings, Take


def new_block_id() -> str:
    return "b_" + os.urandom(6).hex()


def new_take_id() -> str:
    return "t_" + os.urandom(6).hex()


def _update(script: Script, block_id: str, **changes: object) -> Script:
    block = script.block(block_id)
    return script.with_block(replace(block, **changes))  # type: ignore[arg-type]


def insert_block(script: Script, index: int, speaker: str, text: str = "",
                 block_id: str | None = None) -> Script:
    """A new block at `index` (clamped: past the end appends)."""
    index = max(0, min(index, len(script.blocks)))
    block = Block(block_id or new_block_id(), speaker, text)
    return replace(script, blocks=(*script.blocks[:index], block, *script.blocks[index:]))


def remove_blocks(script: Script, block_ids: Iterable[str]) -> Script:
    gone = set(block_ids)
    return replace(script, blocks=tuple(b for b in script.blocks if b.block_id not in gone))


def edit_text(script: Script, block_id: str, text: str) -> Script:
    """New text; the takes stay (the chosen one is now stale unless the text is the same)."""
    return _update(script, block_id, text=text, error=None)


def set_speaker(script: Script, block_id: str, speaker: str) -> Script:
    return _update(script, block_id, speaker=speaker, error=None)


def set_block_settings(script: Script, block_id: str, settings: Settings | None) -> Script:
    """Own settings for one block; None goes back to the cast member's."""
    return _update(script, block_id, settings=dict(settings) if settings is not None else None)


def move_blocks(script: Script, block_ids: Sequence[str], to_index: int) -> Script:
    """Move the given blocks (kept in their current order) so the first lands at
    `to_index` of the list without them (the usual drag-and-drop meaning)."""
    moving_ids = set(block_ids)
    moving = tuple(b for b in script.blocks if b.block_id in moving_ids)
    rest = tuple(b for b in script.blocks if b.block_id not in moving_ids)
    to_index = max(0, min(to_index, len(rest)))
    return replace(script, blocks=rest[:to_index] + moving + rest[to_index:])


def move_block(script: Script, from_index: int, to_index: int) -> Script:
    """Move one block from `from_index` to `to_index` (both positions in the list now)."""
    blocks = list(script.blocks)
    block = blocks.pop(from_index)
    blocks.insert(max(0, min(to_index, len(blocks))), block)
    return replace(script, blocks=tuple(blocks))


def split_block(script: Script, block_id: str, position: int,
                new_id: str | None = None) -> Script:
    """Split a block's text at a character position into two blocks of the same speaker.

    The first part keeps the block's id, settings and takes (now stale); the second is
    new. Whitespace around the cut is trimmed. Raises ValueError when either part would
    be empty.
    """
    block = script.block(block_id)
    head, tail = block.text[:position].rstrip(), block.text[position:].lstrip()
    if not head or not tail:
        raise ValueError("split a block somewhere inside its text, not at an end")
    first = replace(block, text=head, error=None)
    second = Block(new_id or new_block_id(), block.speaker, tail, settings=block.settings)
    index = script.index_of(block_id)
    blocks = (*script.blocks[:index], first, second, *script.blocks[index + 1:])
    return replace(script, blocks=blocks)


def join_with_next(script: Script, block_id: str, separator: str = " ") -> Script:
    """Join a block with the one after it. The result keeps the first block's id,
    speaker, settings and takes, and the second's takes too (all stale: the text changed).
    Raises ValueError for the last block."""
    index = script.index_of(block_id)
    if index + 1 >= len(script.blocks):
        raise ValueError("the last block has nothing after it to join")
    first, second = script.blocks[index], script.blocks[index + 1]
    text = separator.join(part for part in (first.text.strip(), second.text.strip()) if part)
    joined = replace(first, text=text, takes=first.takes + second.takes, error=None)
    blocks = (*script.blocks[:index], joined, *script.blocks[index + 2:])
    return replace(script, blocks=blocks)


def add_take(script: Script, block_id: str, take: Take, choose: bool = True) -> Script:
    block = script.block(block_id)
    chosen = take.take_id if choose or block.chosen_take_id is None else block.chosen_take_id
    return script.with_block(replace(block, takes=(*block.takes, take),
                                     chosen_take_id=chosen, error=None))


def choose_take(script: Script, block_id: str, take_id: str | None) -> Script:
    block = script.block(block_id)
    if take_id is not None and block.take(take_id) is None:
        raise KeyError(f"block {block_id!r} has no take {take_id!r}")
    return script.with_block(replace(block, chosen_take_id=take_id))


def remove_take(script: Script, block_id: str, take_id: str) -> Script:
    """Forget a take (its file stays on disk; the library decides about files)."""
    block = script.block(block_id)
    takes = tuple(t for t in block.takes if t.take_id != take_id)
    chosen = block.chosen_take_id
    if chosen == take_id:
        chosen = takes[-1].take_id if takes else None
    return script.with_block(replace(block, takes=takes, chosen_take_id=chosen))


def remove_takes(script: Script, gone: Iterable[tuple[str, str]]) -> Script:
    """Forget many takes, given as (block id, take id), in one pass over the blocks; the
    same as `remove_take` for each (a removed chosen take gives way to the last one
    left). One by one, each rebuilt the whole script: thousands of takes whose audio was
    lost made opening a long script take minutes."""
    by_block: dict[str, set[str]] = {}
    for block_id, take_id in gone:
        by_block.setdefault(block_id, set()).add(take_id)
    if not by_block:
        return script
    blocks = []
    for block in script.blocks:
        removed = by_block.get(block.block_id)
        if not removed:
            blocks.append(block)
            continue
        takes = tuple(t for t in block.takes if t.take_id not in removed)
        chosen = block.chosen_take_id
        if chosen in removed:
            chosen = takes[-1].take_id if takes else None
        blocks.append(replace(block, takes=takes, chosen_take_id=chosen))
    return replace(script, blocks=tuple(blocks))


def mark_failed(script: Script, block_id: str, reason: str | None) -> Script:
    """Record (or clear, with None) why the block's last generation failed."""
    return _update(script, block_id, error=reason)


def rename_speaker(script: Script, old: str, new: str) -> Script:
    """Rename a speaker in every block and in the cast."""
    key = old.casefold()
    blocks = tuple(replace(b, speaker=new) if b.speaker.casefold() == key else b
                   for b in script.blocks)
    cast = tuple(replace(m, speaker=new) if m.speaker.casefold() == key else m
                 for m in script.cast)
    return replace(script, blocks=blocks, cast=cast)


def reimported(previous: Script, imported: Script) -> tuple[Script, int]:
    """`imported` (a text or table read again after it was edited) with what `previous`
    (the script an earlier import of it became) already has: each block whose speaker and
    text are unchanged keeps its block, so its takes and settings (never paid for twice);
    the cast, model, format and delivery settings chosen since stay, with the imported
    cast's voices for speakers the file now names. Returns the script and how many of its
    blocks are new or changed."""
    unused: dict[tuple[str, str], list[Block]] = {}
    for block in previous.blocks:
        unused.setdefault((block.speaker, block.text), []).append(block)
    blocks = []
    changed = 0
    for block in imported.blocks:
        same = unused.get((block.speaker, block.text))
        if same:
            blocks.append(same.pop(0))
        else:
            blocks.append(block)
            changed += 1
    cast = {member.speaker: member for member in previous.cast}
    cast.update({member.speaker: member for member in imported.cast})
    return replace(previous, title=imported.title or previous.title, blocks=tuple(blocks),
                   cast=tuple(cast.values())), changed
