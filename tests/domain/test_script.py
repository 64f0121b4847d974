"""The script document: fingerprints, staleness, edits, the file format, stitching,
costs and delivery names (pure logic)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.domain.script import Block, CastMember, Script, Take, WordTime, make_fingerprint
from app.domain.script_delivery import block_file_name, caption_cues, place
from app.domain.script_edit import (
    add_take,
    choose_take,
    edit_text,
    insert_block,
    join_with_next,
    move_block,
    move_blocks,
    remove_blocks,
    remove_take,
    rename_speaker,
    set_block_settings,
    split_block,
)
from app.domain.script_file import (
    ScriptFormatError,
    script_from_json,
    script_to_dict,
    script_to_json,
)
from app.domain.script_plan import (
    concurrency_for_tier,
    estimate,
    estimate_missing,
    neighbours_affected,
    regeneration_cost,
    stitch_context,
    stitch_runs,
)

CAST = (CastMember("ANNA", "voiceA", "Anna", {"stability": 0.4}),
        CastMember("BEN", "voiceB", "Ben"))


def take_for(script: Script, block: Block, take_id: str, request_id: str | None = None) -> Take:
    member = script.cast_for(block.speaker)
    assert member is not None
    return Take(take_id, f"{block.block_id}/{take_id}.mp3", block.text, member.voice_id,
                script.model_id, script.output_format, block.effective_settings(member),
                request_id=request_id or f"req-{take_id}", character_cost=len(block.text),
                created_at="2026-01-01T00:00:00+00:00", duration_ms=1000,
                alignment=(WordTime(block.text.split()[0], 0, 300),))


def sample(with_takes: bool = True) -> Script:
    blocks = (Block("b1", "ANNA", "Hello there."), Block("b2", "ANNA", "How are you?"),
              Block("b3", "ANNA", "Fine day."), Block("b4", "BEN", "Indeed it is."),
              Block("b5", "ANNA", "Bye."))
    script = Script(title="t", cast=CAST, blocks=blocks)
    if with_takes:
        for block in blocks:
            script = add_take(script, block.block_id, take_for(script, block, "t" + block.block_id))
    return script


def test_fingerprint_depends_on_everything_that_changes_the_audio() -> None:
    base = make_fingerprint("Hi", "v", "m", "mp3_44100_128", {"stability": 0.5})
    assert base == make_fingerprint("Hi", "v", "m", "mp3_44100_128",
                                    {"stability": 0.5, "style": None})
    for changed in (("Hi!", "v", "m", "mp3_44100_128", {"stability": 0.5}),
                    ("Hi", "w", "m", "mp3_44100_128", {"stability": 0.5}),
                    ("Hi", "v", "n", "mp3_44100_128", {"stability": 0.5}),
                    ("Hi", "v", "m", "wav_44100", {"stability": 0.5}),
                    ("Hi", "v", "m", "mp3_44100_128", {"stability": 0.6})):
        assert make_fingerprint(*changed) != base


def test_stale_when_text_voice_settings_or_model_change() -> None:
    script = sample()
    assert script.all_takes_chosen and not script.missing_blocks()
    assert not any(script.is_stale(b) for b in script.blocks)
    edited = edit_text(script, "b1", "Hello again.")
    assert edited.is_stale(edited.block("b1")) and [b.block_id for b in
                                                   edited.missing_blocks()] == ["b1"]
    # Editing back: the old take matches again and nothing needs paying for.
    back = edit_text(edited, "b1", "Hello there.")
    assert not back.is_stale(back.block("b1"))
    recast = script.with_cast_member(CastMember("BEN", "voiceC"))
    assert [b.block_id for b in recast.missing_blocks()] == ["b4"]
    own = set_block_settings(script, "b2", {"stability": 0.9})
    assert own.is_stale(own.block("b2"))
    assert len(replace(script, model_id="other").missing_blocks()) == 5
    assert estimate_missing(recast).credits == len("Indeed it is.")


def test_matching_older_take_costs_nothing() -> None:
    script = sample()
    first = script.block("b1").chosen_take
    assert first is not None
    script = add_take(script, "b1", replace(first, take_id="new", text="Other."))
    assert script.is_stale(script.block("b1"))
    assert estimate_missing(script).credits == 0  # the first take can be chosen again
    assert script.block("b1").take_matching(script.fingerprint_of(script.block("b1"))) == first


def test_edits_are_pure_and_keep_takes() -> None:
    script = sample()
    split = split_block(script, "b1", len("Hello"), new_id="b1x")
    assert [b.text for b in split.blocks[:2]] == ["Hello", "there."]
    assert split.block("b1").takes == script.block("b1").takes
    assert split.block("b1x").speaker == "ANNA" and not split.block("b1x").takes
    with pytest.raises(ValueError):
        split_block(script, "b1", 0)
    joined = join_with_next(split, "b1")
    assert joined.block("b1").text == "Hello there." and not joined.is_stale(joined.block("b1"))
    with pytest.raises(ValueError):
        join_with_next(script, "b5")
    assert [b.block_id for b in move_block(script, 0, 4).blocks] == ["b2", "b3", "b4", "b5",
                                                                     "b1"]
    assert [b.block_id for b in move_blocks(script, ["b4", "b2"], 0).blocks] == [
        "b2", "b4", "b1", "b3", "b5"]
    assert [b.block_id for b in remove_blocks(script, ["b3"]).blocks] == ["b1", "b2", "b4",
                                                                          "b5"]
    inserted = insert_block(script, 99, "BEN", "Last.", block_id="b9")
    assert inserted.blocks[-1].block_id == "b9"
    chosen = choose_take(script, "b1", None)
    assert chosen.block("b1").chosen_take is None
    with pytest.raises(KeyError):
        choose_take(script, "b1", "nope")
    assert remove_take(script, "b1", "tb1").block("b1").chosen_take_id is None
    renamed = rename_speaker(script, "anna", "Anne")
    assert renamed.cast_for("Anne") is not None and renamed.block("b1").speaker == "Anne"
    assert script.block("b1").text == "Hello there."  # the original is untouched


def test_file_round_trip_and_errors_name_the_field() -> None:
    script = set_block_settings(sample(), "b2", {"speed": 1.1})
    text = script_to_json(script)
    assert script_from_json(text) == script
    data = script_to_dict(script)
    data["blocks"][1]["takes"][0]["file"] = "../../etc/passwd"
    with pytest.raises(ScriptFormatError, match=r"blocks\[1\]\.takes\[0\]\.file"):
        script_from_json(json.dumps(data))
    data = script_to_dict(script)
    data["blocks"][2]["takes"][0]["alignment"] = [["w", 10, 5]]
    with pytest.raises(ScriptFormatError, match=r"blocks\[2\]\.takes\[0\]\.alignment\[0\]"):
        script_from_json(json.dumps(data))
    data = script_to_dict(script)
    data["blocks"][0]["chosen_take_id"] = "ghost"
    with pytest.raises(ScriptFormatError, match=r"blocks\[0\]\.chosen_take_id"):
        script_from_json(json.dumps(data))
    data = script_to_dict(script)
    data["format_version"] = 2
    with pytest.raises(ScriptFormatError, match="newer XI Studio"):
        script_from_json(json.dumps(data))
    with pytest.raises(ScriptFormatError, match="not valid JSON"):
        script_from_json("{")
    with pytest.raises(ScriptFormatError, match="not an XI Studio script"):
        script_from_json("{}")
    data = script_to_dict(script)
    data["blocks"][3]["block_id"] = "b1"
    with pytest.raises(ScriptFormatError, match="used twice"):
        script_from_json(json.dumps(data))


def test_500_blocks_round_trip_with_their_statuses() -> None:
    # How fast it opens is measured in benchmarks/scripts.py (figure 10), not here.
    script = Script(cast=CAST, blocks=tuple(Block(f"b{i}", "ANNA", f"Line number {i}.")
                                            for i in range(500)))
    for block in script.blocks[:400]:
        script = script.with_block(replace(block, takes=(take_for(script, block, "t"),),
                                           chosen_take_id="t"))
    opened = script_from_json(script_to_json(script))
    assert opened == script
    assert len(opened.blocks) == 500
    assert [b.block_id for b in opened.missing_blocks()] == [f"b{i}" for i in range(400, 500)]
    assert all(opened.is_done(b) for b in opened.blocks[:400])


def test_stitch_context_links_same_voice_runs() -> None:
    script = sample()
    ctx = stitch_context(script, "b3")
    assert ctx.previous_request_ids == ("req-tb1", "req-tb2")
    assert ctx.previous_text == "Hello there. How are you?"
    assert ctx.next_request_ids == () and ctx.next_text is None  # BEN comes next
    middle = stitch_context(script, "b2")
    assert middle.previous_request_ids == ("req-tb1",) and middle.next_request_ids == ("req-tb3",)
    assert stitch_context(script, "b4") == type(ctx)()
    # A stale neighbour's request id is not linked (it was made from other text).
    stale = edit_text(script, "b1", "Changed.")
    assert stitch_context(stale, "b2").previous_request_ids == ()
    # Empty blocks are stepped over.
    spaced = insert_block(script, 1, "ANNA", "   ", block_id="empty")
    assert stitch_context(spaced, "b2").previous_request_ids == ("req-tb1",)
    assert stitch_runs(script, ["b1", "b2", "b3", "b4", "b5"]) == [["b1", "b2", "b3"], ["b4"],
                                                                  ["b5"]]


def test_neighbours_and_costs() -> None:
    script = sample()
    assert neighbours_affected(script, "b2") == ["b1", "b3"]
    assert neighbours_affected(script, "b4") == []
    assert regeneration_cost(script, "b2", 0.5) == {"b2": 6, "b1": 6, "b3": 5}
    all_cost = estimate(script, cost_multiplier=1.0)
    assert all_cost.blocks == 5 and all_cost.characters == all_cost.credits
    assert concurrency_for_tier("creator") == 5 and concurrency_for_tier(None) == 2


def test_delivery_names_and_captions() -> None:
    assert block_file_name(3, 12, "Dr. Ray", "Héllo, wörld! It's / me: now.", "mp3") == \
        "03_Dr-Ray_Hello-world-It-s-me.mp3"
    assert block_file_name(7, 150, "", "", "wav") == "007_speaker_block.wav"
    script = sample()
    items = [(b, b.chosen_take, 1000) for b in script.blocks]
    placed = place([(b, t, d) for b, t, d in items if t is not None], gap_ms=400)
    assert [p.start_ms for p in placed] == [0, 1400, 2800, 4200, 5600]
    cues = caption_cues(placed)
    assert [c.start_ms for c in cues] == [0, 1400, 2800, 4200, 5600]
    # A take without timings gets evenly spread words, never past its end.
    no_words = replace(placed[0], take=replace(placed[0].take, alignment=None))
    cue = caption_cues([no_words])[0]
    assert cue.text == "Hello there." and cue.end_ms <= 1000


def test_a_writer_used_again_writes_exactly_what_a_fresh_encoding_writes() -> None:
    """The queue's saves re-encode only changed blocks; the text must not drift from
    script_to_json, whatever changed: a take added, a block edited, moved, removed, the
    cast renamed, and the same script written twice."""
    from app.domain.script_file import ScriptJsonWriter

    writer = ScriptJsonWriter()
    cast = (CastMember("ANNA", "v1", "Anna"),)
    blocks = tuple(Block(f"b{i}", "ANNA", f"Line {i}") for i in range(4))
    script = Script(title="Ad", cast=cast, blocks=blocks)
    steps = [script]
    take = Take("t1", "t1.mp3", "Line 1", "v1", "m", "mp3_44100_128", duration_ms=900)
    with_take = replace(script, blocks=(blocks[0], replace(blocks[1], takes=(take,),
                                                           chosen_take_id="t1"),
                                        *blocks[2:]))
    steps += [with_take, with_take]
    edited = replace(with_take, blocks=(replace(with_take.blocks[0], text="Änderung “x”"),
                                        *with_take.blocks[1:]))
    steps.append(edited)
    steps.append(replace(edited, blocks=edited.blocks[::-1]))
    steps.append(replace(edited, blocks=edited.blocks[1:3]))
    steps.append(replace(edited, cast=(CastMember("ANNA", "v2", "Anna B"),)))
    steps.append(replace(edited, blocks=()))
    for step in steps:
        assert writer(step) == script_to_json(step)
        assert script_from_json(writer(step)) == step


def test_a_reimported_text_keeps_the_takes_of_its_unchanged_lines() -> None:
    from app.domain.script import CastMember, Take
    from app.domain.script_edit import reimported

    take = Take("t1", "b1/t1.mp3", "Hi.", "v1", "m", "mp3_44100_128")
    previous = Script(title="Old", model_id="eleven_v3", cast=(CastMember("ANNA", "v1"),),
                      blocks=(Block("b1", "ANNA", "Hi.", takes=(take,), chosen_take_id="t1"),
                              Block("b2", "BEN", "Old words."),
                              Block("b3", "ANNA", "Hi.")))
    imported = Script(title="New", cast=(CastMember("BEN", "v2"),),
                      blocks=(Block("n1", "ANNA", "Hi."), Block("n2", "BEN", "New words."),
                              Block("n3", "ANNA", "Hi."), Block("n4", "ANNA", "Hi.")))
    script, changed = reimported(previous, imported)
    assert [b.block_id for b in script.blocks] == ["b1", "n2", "b3", "n4"]
    assert script.blocks[0].takes == (take,) and changed == 2
    assert script.model_id == "eleven_v3" and script.title == "New"
    assert {m.speaker: m.voice_id for m in script.cast} == {"ANNA": "v1", "BEN": "v2"}
