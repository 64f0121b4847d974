"""A long voiceover script for the scale tests: an audiobook chapter's worth of blocks,
many speakers, several takes per block (the last one chosen and fresh)."""

from __future__ import annotations

from pathlib import Path

from app.domain.script import Block, CastMember, Script, Take

VOICES = ("JBFqnCBsd6RMkjVDRZzb", "EXAVITQu4vr4xnSDxMaL")  # the test servers' voices
MODEL = "eleven_multilingual_v2"
FORMAT = "mp3_44100_128"


def speaker(i: int) -> str:
    return f"SPEAKER{i}"


def line(i: int) -> str:
    return f"Line {i}: a sentence of ordinary length, as a chapter has them."


def long_script(blocks: int = 5000, speakers: int = 30, takes: int = 3) -> Script:
    """`blocks` blocks spoken in turn by `speakers` speakers (all cast), each with
    `takes` takes: older ones of an earlier wording, the last of its text, chosen."""
    cast = tuple(CastMember(speaker(i), VOICES[i % 2], f"Voice {i}") for i in range(speakers))
    rows = []
    for i in range(blocks):
        text = line(i)
        voice = VOICES[(i % speakers) % 2]
        made = tuple(Take(take_id=f"t{i}_{k}", file=f"b{i}/t{k}.mp3",
                          text=text if k == takes - 1 else f"{text} (take {k})",
                          voice_id=voice, model_id=MODEL, output_format=FORMAT,
                          request_id=f"req-{i}-{k}", character_cost=len(text),
                          duration_ms=1500) for k in range(takes))
        rows.append(Block(f"b{i}", speaker(i % speakers), text, takes=made,
                          chosen_take_id=made[-1].take_id if made else None))
    return Script(title="Chapter", model_id=MODEL, output_format=FORMAT, cast=cast,
                  blocks=tuple(rows))


def write_take_files(takes_dir: Path, script: Script) -> None:
    """An (empty) audio file for every take, where the script says it is."""
    for block in script.blocks:
        for take in block.takes:
            file = takes_dir / take.file
            file.parent.mkdir(parents=True, exist_ok=True)
            file.touch()
