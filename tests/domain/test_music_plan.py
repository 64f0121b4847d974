from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.domain.music_plan import (
    MAX_CHUNK_TEXT_CHARS,
    MUSIC_V1_LIMITS,
    MUSIC_V2_LIMITS,
    Plan,
    Section,
    SongRef,
    limits_for,
)
from app.domain.music_plan_checks import errors_only, validate_plan
from app.domain.music_plan_json import (
    PlanFormatError,
    classify_json,
    looks_like_plan,
    looks_like_transcript,
    parse_chunk_text,
    plan_from_json,
)
from app.domain.music_plan_write import (
    chunk_text,
    plan_to_dict,
    to_v1_composition_plan,
    to_v2_chunks,
    to_wire_plan,
)
from tests.support.spec import (
    ContractError,
    load_spec,
    schema_named,
    validate_against,
    validate_response_json,
)

SAMPLES = Path(__file__).resolve().parents[1] / "contract" / "samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def spec_example(schema: str) -> dict[str, Any]:
    example = load_spec()["components"]["schemas"][schema]["example"]
    assert isinstance(example, dict)
    return example


# --- loading the spec's and the samples' shapes -------------------------------------------


def test_v1_sample_loads_and_converts_back_unchanged() -> None:
    data = sample("music_composition_plan_v1.json")
    plan = plan_from_json(data)
    assert [s.name for s in plan.sections] == ["Intro", "Verse 1", "Chorus"]
    assert plan.global_positive_styles[0] == "indie pop"
    assert plan.sections[1].lines[0] == "Streetlights hum a quiet tune"
    assert plan.total_ms == 44_000
    assert to_v1_composition_plan(plan) == data
    validate_against(schema_named("MusicPrompt"), to_v1_composition_plan(plan))


def test_v2_sample_loads_and_converts_back_unchanged() -> None:
    data = sample("music_composition_plan_v2.json")
    plan = plan_from_json(data)
    assert [s.name for s in plan.sections] == ["Intro", "Verse", "Chorus"]
    chorus = plan.sections[2]
    assert chorus.context_adherence == "medium"
    assert chorus.lines == ["{louder}Hold the night a little longer", "Let the city sing along"]
    assert chorus.directions is None  # an inline direction stays inside its line
    assert to_v2_chunks(plan) == data
    validate_against(schema_named("CompositionPlan"), to_v2_chunks(plan))


def test_detailed_metadata_is_read_as_a_wrapped_plan() -> None:
    plan = plan_from_json(sample("music_detailed_metadata_part.json"))
    assert plan == plan_from_json(sample("music_composition_plan_v1.json"))


@pytest.mark.parametrize("schema", ["MusicPrompt", "CompositionPlan"])
def test_spec_examples_load(schema: str) -> None:
    example = spec_example(schema)
    plan = plan_from_json(example)
    assert plan.sections
    wire = to_v1_composition_plan(plan) if schema == "MusicPrompt" else to_v2_chunks(plan)
    validate_against(schema_named(schema), wire)
    assert plan_from_json(wire) == plan


def test_v2_example_headings_and_inline_directions() -> None:
    plan = plan_from_json(spec_example("CompositionPlan"))
    assert [s.name for s in plan.sections] == ["Verse", "Chorus", "Instrumental Outro"]
    assert plan.sections[1].lines[1] == "{very loud}Let it rise and come alive"
    assert plan.sections[2].lines == []


@pytest.mark.parametrize(
    "wrapper", ["composition_plan", "source_composition_plan", "music_prompt"]
)
def test_wrapped_forms_load(wrapper: str) -> None:
    inner = sample("music_composition_plan_v2.json")
    assert plan_from_json({wrapper: inner, "prompt": None}) == plan_from_json(inner)


def test_plan_endpoint_replies_load() -> None:
    for name in ("music_composition_plan_v1.json", "music_composition_plan_v2.json"):
        data = sample(name)
        validate_response_json("POST", "/v1/music/plan", 200, data)
        assert plan_from_json(json.dumps(data)) == plan_from_json(data)
        assert plan_from_json(json.dumps(data).encode()) == plan_from_json(data)


def test_audio_ref_chunk_becomes_a_sourced_section_and_back() -> None:
    data = {
        "chunks": [
            {"song_id": "song_1", "range": {"start_ms": 1000, "end_ms": 9000}},
            {"text": "[Verse]\nla la", "duration_ms": 5000, "positive_styles": ["pop"]},
        ]
    }
    plan = plan_from_json(data)
    assert plan.sections[0].source == SongRef("song_1", 1000, 9000)
    assert plan.sections[0].duration_ms == 8000
    wire = to_v2_chunks(plan)
    validate_against(schema_named("CompositionPlan"), wire)
    assert wire["chunks"][0] == data["chunks"][0]
    assert plan_from_json(wire) == plan


def test_v1_source_from_round_trips() -> None:
    plan = Plan(
        sections=[
            Section(
                "Bridge", 6000, ["pop"], source=SongRef("song_1", 0, 6000, ((1000, 2000),))
            )
        ]
    )
    wire = to_v1_composition_plan(plan)
    validate_against(schema_named("MusicPrompt"), wire)
    assert wire["sections"][0]["source_from"] == {
        "song_id": "song_1",
        "range": {"start_ms": 0, "end_ms": 6000},
        "negative_ranges": [{"start_ms": 1000, "end_ms": 2000}],
    }
    assert plan_from_json(wire) == plan


def test_v2_conditioning_round_trips() -> None:
    plan = Plan(
        sections=[
            Section("A", 5000, ["pop"], conditioning=SongRef("s", 0, 4000),
                    condition_strength="xhigh"),
            Section("B", 5000, ["rock"], directions="whisper", context_adherence="low"),
        ]
    )
    wire = to_v2_chunks(plan)
    validate_against(schema_named("CompositionPlan"), wire)
    assert wire["chunks"][0]["conditioning_ref"] == {
        "song_id": "s", "range": {"start_ms": 0, "end_ms": 4000}
    }
    assert wire["chunks"][1]["text"] == "[B]\n{whisper}"
    assert plan_from_json(wire) == plan


# --- chunk text ----------------------------------------------------------------------------


def test_chunk_text_layout() -> None:
    section = Section("Chorus", 5000, lines=["one", "{loud}two"], directions="building")
    assert chunk_text(section) == "[Chorus]\n{building}\none\n{loud}two"
    assert parse_chunk_text(chunk_text(section)) == ("Chorus", "building", ["one", "{loud}two"])


def test_chunk_without_heading_has_no_name() -> None:
    assert parse_chunk_text("just words\r\n\r\nmore") == ("", None, ["just words", "more"])
    assert chunk_text(Section("", 5000, lines=["x"])) == "x"


# --- the timeline --------------------------------------------------------------------------


def test_timeline() -> None:
    plan = Plan(sections=[Section("A", 1000), Section("B", 0), Section("C", 500)])
    assert plan.total_ms == 1500
    assert plan.section_starts_ms() == [0, 1000, 1000]
    assert plan.section_bounds_ms() == [(0, 1000), (1000, 1000), (1000, 1500)]
    assert plan.section_at(-1) is None
    assert plan.section_at(0) == 0
    assert plan.section_at(999) == 0
    assert plan.section_at(1000) == 2  # the empty section is never "playing"
    assert plan.section_at(1499) == 2
    assert plan.section_at(1500) is None
    assert Plan().section_at(0) is None


# --- round trips (hypothesis) ----------------------------------------------------------------

_word = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(lambda t: t.strip() == t and bool(t))
_styles = st.lists(_word, max_size=4)
# Lyric lines: one line each, not blank, and not a lone `[heading]` or `{direction}`.
_line = _word.filter(lambda t: not (t[0] in "[{" and t[-1] in "]}"))
_name = _word.filter(lambda t: "]" not in t)
_directions = st.none() | _word.filter(lambda t: "{" not in t and "}" not in t)
_ref = st.builds(
    SongRef,
    song_id=st.text(alphabet="abc123_", min_size=1, max_size=10),
    start_ms=st.integers(0, 10_000),
    end_ms=st.integers(10_001, 20_000),
)


@st.composite
def v1_sections(draw: st.DrawFn) -> Section:
    source = draw(st.none() | _ref)
    if source is not None:
        negatives = draw(st.lists(st.tuples(st.integers(0, 5), st.integers(6, 9)), max_size=2))
        source = SongRef(source.song_id, source.start_ms, source.end_ms, tuple(negatives))
    return Section(
        name=draw(_name),
        duration_ms=draw(st.integers(3000, 120_000)),
        positive_styles=draw(_styles),
        negative_styles=draw(_styles),
        lines=draw(st.lists(_line, max_size=4)),
        source=source,
    )


@st.composite
def v2_sections(draw: st.DrawFn) -> Section:
    if draw(st.integers(0, 9)) == 0:
        ref = draw(_ref)
        return Section(name="", duration_ms=ref.duration_ms, source=ref)
    return Section(
        name=draw(st.just("") | _name),
        duration_ms=draw(st.integers(3000, 120_000)),
        positive_styles=draw(_styles),
        negative_styles=draw(_styles),
        lines=draw(st.lists(_line, max_size=4)),
        directions=draw(_directions),
        context_adherence=draw(st.none() | st.sampled_from(["low", "medium", "high"])),
        conditioning=draw(st.none() | _ref),
        condition_strength=draw(st.none() | st.sampled_from(["low", "medium", "high", "xhigh"])),
    )


def plans(sections: st.SearchStrategy[Section], min_size: int = 0) -> st.SearchStrategy[Plan]:
    return st.builds(
        Plan,
        global_positive_styles=_styles,
        global_negative_styles=_styles,
        sections=st.lists(sections, min_size=min_size, max_size=5),
        respect_sections_durations=st.just(True),
    )


@settings(max_examples=60, deadline=None)
@given(plans(v1_sections()))
def test_plan_to_v1_to_plan(plan: Plan) -> None:
    wire = to_v1_composition_plan(plan)
    assert plan_from_json(wire) == plan
    assert plan_from_json(json.loads(json.dumps(wire))) == plan
    validate_against(schema_named("MusicPrompt"), wire)


def _common_start(lists: list[list[str]]) -> bool:
    return all(lst and lst[0] == lists[0][0] for lst in lists) if lists else False


@settings(max_examples=60, deadline=None)
@given(plans(v2_sections()))
def test_plan_to_v2_is_stable_on_the_wire(plan: Plan) -> None:
    wire = to_v2_chunks(plan)
    validate_against(schema_named("CompositionPlan"), wire)
    again = plan_from_json(json.loads(json.dumps(wire)))
    assert to_v2_chunks(again) == wire
    assert again.total_ms == plan.total_ms


@settings(max_examples=60, deadline=None)
@given(plans(v2_sections(), min_size=2))
def test_plan_to_v2_to_plan(plan: Plan) -> None:
    generated = [s for s in plan.sections if s.source is None]
    # v2 has no global styles: they come back from what every chunk starts with, so the
    # round trip is exact when there are two chunks that do not all start alike.
    assume(len(generated) >= 2)
    assume(not _common_start([s.positive_styles for s in generated]))
    assume(not _common_start([s.negative_styles for s in generated]))
    for s in plan.sections:
        if s.source is not None:  # an AudioRefChunk carries only the song and range
            assume(s.duration_ms == s.source.duration_ms)
    assert plan_from_json(to_v2_chunks(plan)) == plan


def test_a_single_chunk_keeps_its_styles_local() -> None:
    plan = Plan(["pop"], ["metal"], [Section("A", 5000, ["piano"])])
    back = plan_from_json(to_v2_chunks(plan))
    assert back.global_positive_styles == []
    assert back.sections[0].positive_styles == ["pop", "piano"]
    assert back.sections[0].negative_styles == ["metal"]
    assert to_v2_chunks(back) == to_v2_chunks(plan)


@settings(max_examples=60, deadline=None)
@given(plans(v1_sections() | v2_sections()), st.booleans())
def test_native_json_is_lossless(plan: Plan, respect: bool) -> None:
    plan.respect_sections_durations = respect
    assert plan_from_json(json.dumps(plan_to_dict(plan))) == plan


def test_to_wire_plan_picks_the_models_shape() -> None:
    plan = Plan(["pop"], [], [Section("A", 5000)])
    assert "sections" in to_wire_plan(plan, "music_v1")
    assert "chunks" in to_wire_plan(plan, "music_v2")
    assert "chunks" in to_wire_plan(plan, "music_v2_5")
    with pytest.raises(ValueError):
        to_wire_plan(plan, "eleven_v3")


# --- what is not a plan ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "JSON object"),
        ("not json {", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ({"hello": 1}, "neither"),
        ({"sections": [], "chunks": []}, "both"),
        ({"sections": "x"}, "should be a list"),
        ({"sections": [{"section_name": "A"}]}, "Section 1: the duration"),
        ({"sections": [{"section_name": "A", "duration_ms": 1.5}]}, "whole number"),
        ({"sections": [{"section_name": "A", "duration_ms": True}]}, "whole number"),
        ({"sections": [{"section_name": 3, "duration_ms": 3000}]}, "should be text"),
        ({"sections": [{"duration_ms": 3000, "lines": ["a", 2]}]}, "item 2"),
        ({"chunks": [{"text": "x", "duration_ms": 3000, "context_adherence": "max"}]},
         "low, medium or high"),
        ({"chunks": [{"song_id": "s", "range": {"start_ms": 0}}]}, "range end"),
        ({"format": "xi-studio/music-plan", "version": 99, "sections": []}, "newer"),
        # A damaged version was "saved by a newer XI Studio (format version None)".
        ({"format": "xi-studio/music-plan", "sections": []},
         r"should be a whole number like 1, not nothing \(null\); the file may be damaged"),
        ({"format": "xi-studio/music-plan", "version": "1", "sections": []},
         "should be a whole number like 1, not text"),
    ],
)
def test_not_a_plan(data: Any, words: str) -> None:
    with pytest.raises(PlanFormatError, match=words):
        plan_from_json(data)
    assert not looks_like_plan(data)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from([
            "sections", "chunks", "composition_plan", "music_prompt", "section_name",
            "duration_ms", "lines", "text", "positive_styles", "negative_styles",
            "positive_global_styles", "negative_local_styles", "song_id", "range",
            "start_ms", "end_ms", "source_from", "negative_ranges", "context_adherence",
            "conditioning_ref", "condition_strength", "format", "version", "source",
            "respect_sections_durations", "name", "directions",
        ]) | st.text(max_size=4),
        inner,
        max_size=6,
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_json)
def test_fuzz_plan_from_json_raises_only_plan_format_error(data: Any) -> None:
    try:
        plan = plan_from_json(data)
    except PlanFormatError as exc:
        assert str(exc)
    else:
        assert isinstance(plan, Plan)
        validate_plan(plan, "music_v1")
        validate_plan(plan, "music_v2")
        to_v1_composition_plan(plan)
        to_v2_chunks(plan)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=64))
def test_fuzz_plan_from_raw_text(data: bytes | str) -> None:
    with contextlib.suppress(PlanFormatError):
        plan_from_json(data)


def test_deeply_nested_json_is_a_plan_format_error() -> None:
    with pytest.raises(PlanFormatError):
        plan_from_json("[" * 100_000 + "]" * 100_000)
    nested: dict[str, Any] = sample("music_composition_plan_v1.json")
    for _ in range(5):
        nested = {"composition_plan": nested}
    with pytest.raises(PlanFormatError):
        plan_from_json(nested)


# --- plan or transcript? ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("music_composition_plan_v1.json", "plan"),
        ("music_composition_plan_v2.json", "plan"),
        ("music_detailed_metadata_part.json", "plan"),
        ("stt_diarized_word.json", "transcript"),
        ("stt_multichannel.json", "transcript"),
        ("stt_with_additional_format_srt.json", "transcript"),
        ("voices_v2_page.json", "unknown"),
        ("stt_webhook_ack.json", "unknown"),
    ],
)
def test_classify_json(name: str, kind: str) -> None:
    data = sample(name)
    assert classify_json(data) == kind
    assert classify_json(json.dumps(data)) == kind


def test_classify_oddities() -> None:
    assert classify_json("{") == "unknown"
    assert classify_json([1, 2]) == "unknown"
    assert not looks_like_transcript({"transcripts": []})
    assert classify_json(plan_to_dict(Plan())) == "plan"


# --- validation --------------------------------------------------------------------------------


def one_section(**changes: Any) -> Plan:
    section = Section("Verse", 10_000, ["pop"], [], ["la"])
    for key, value in changes.items():
        setattr(section, key, value)
    return Plan(["pop"], [], [section])


def messages(plan: Plan, model: str, severity: str = "error") -> list[str]:
    return [p.message for p in validate_plan(plan, model) if p.severity == severity]


def test_example_message_wording() -> None:
    plan = Plan(["pop"], [], [Section("Intro", 5000), Section("Verse", 5000),
                              Section("Chorus", 2000)])
    problems = validate_plan(plan, "music_v1")
    assert len(problems) == 1
    assert problems[0].section_index == 2
    assert problems[0].field == "duration_ms"
    assert problems[0].message.startswith(
        "Section 3 “Chorus”: duration must be between 3 and 120 seconds"
    )
    assert "(it is 2 s)" in problems[0].message


@pytest.mark.parametrize("model", ["music_v1", "music_v2"])
@pytest.mark.parametrize(("ms", "ok"), [(2999, False), (3000, True), (120_000, True),
                                        (120_001, False)])
def test_duration_boundaries(model: str, ms: int, ok: bool) -> None:
    assert (messages(one_section(duration_ms=ms), model) == []) == ok


@pytest.mark.parametrize(("name", "ok"), [("", False), ("   ", False), ("A", True),
                                          ("x" * 100, True), ("x" * 101, False)])
def test_v1_name_boundaries(name: str, ok: bool) -> None:
    found = messages(one_section(name=name), "music_v1")
    assert (found == []) == ok
    if not ok:
        assert "name" in found[0]


def test_v2_names_are_free_but_single_line() -> None:
    assert messages(one_section(name=""), "music_v2") == []
    assert messages(one_section(name="x" * 101), "music_v2") == []
    assert messages(one_section(name="a\nb"), "music_v2") == [
        "Section 1 “a\nb”: the name must fit on one line"
    ]


@pytest.mark.parametrize("model", ["music_v1", "music_v2"])
@pytest.mark.parametrize(("count", "ok"), [(30, True), (31, False)])
def test_section_count(model: str, count: int, ok: bool) -> None:
    plan = Plan(["pop"], [], [Section(f"S{i}", 3000) for i in range(count)])
    found = messages(plan, model)
    assert (found == []) == ok
    if not ok:
        assert found == [f"The plan has 31 sections; {model} allows at most 30"]


def test_no_sections() -> None:
    assert messages(Plan(), "music_v1") == ["The plan has no sections; add at least one"]


@pytest.mark.parametrize(("count", "ok"), [(50, True), (51, False)])
def test_v1_style_counts(count: int, ok: bool) -> None:
    styles = [f"s{i}" for i in range(count)]
    assert (messages(one_section(positive_styles=styles), "music_v1") == []) == ok
    assert (messages(one_section(negative_styles=styles), "music_v1") == []) == ok
    plan = one_section()
    plan.global_positive_styles = styles
    assert (messages(plan, "music_v1") == []) == ok
    plan.global_positive_styles = []
    plan.global_negative_styles = styles
    assert (messages(plan, "music_v1") == []) == ok


@pytest.mark.parametrize(("own", "ok"), [(49, True), (50, False)])
def test_v2_counts_global_and_section_styles_together(own: int, ok: bool) -> None:
    plan = one_section(positive_styles=[f"s{i}" for i in range(own)])  # plus 1 global
    found = messages(plan, "music_v2")
    assert (found == []) == ok
    if not ok:
        assert found == ["Section 1 “Verse”: 1 global and 50 section styles make 51; "
                         "music_v2 allows at most 50 per section"]
    assert messages(plan, "music_v1") == []


@pytest.mark.parametrize(("count", "ok"), [(30, True), (31, False)])
def test_v1_line_count(count: int, ok: bool) -> None:
    found = messages(one_section(lines=["la"] * count), "music_v1")
    assert found == ([] if ok else [
        "Section 1 “Verse”: 31 lyric lines are too many; music_v1 allows at most 30"
    ])
    assert messages(one_section(lines=["la"] * count), "music_v2") == []


@pytest.mark.parametrize(("size", "ok"), [(200, True), (201, False)])
def test_v1_line_length(size: int, ok: bool) -> None:
    found = messages(one_section(lines=["ok", "x" * size]), "music_v1")
    assert (found == []) == ok
    if not ok:
        assert found == ["Section 1 “Verse”: lyric line 2 is 201 characters long; "
                         "music_v1 allows at most 200"]


def test_many_long_lines_make_one_problem() -> None:
    assert messages(one_section(lines=["x" * 201] * 7), "music_v1") == [
        "Section 1 “Verse”: 7 lyric lines (1, 2, 3, 4, 5, …) are longer than 200 characters; "
        "music_v1 allows at most 200"
    ]


def test_v1_style_count_message() -> None:
    assert messages(one_section(negative_styles=["x"] * 51), "music_v1") == [
        "Section 1 “Verse”: 51 styles to avoid are too many; music_v1 allows at most 50"
    ]


@pytest.mark.parametrize(("size", "ok"), [(MAX_CHUNK_TEXT_CHARS, True),
                                          (MAX_CHUNK_TEXT_CHARS + 1, False)])
def test_v2_text_length(size: int, ok: bool) -> None:
    heading = len("[Verse]\n")
    plan = one_section(lines=["x" * (size - heading)])
    assert len(chunk_text(plan.sections[0])) == size
    found = messages(plan, "music_v2")
    assert (found == []) == ok
    if not ok:
        assert "6,001 characters; music_v2 allows at most 6,000 per section" in found[0]


def test_v2_only_fields_are_warnings_for_v1() -> None:
    plan = one_section(directions="soft", context_adherence="low",
                       conditioning=SongRef("s", 0, 1000))
    assert messages(plan, "music_v1") == []
    warned = {p.field for p in validate_plan(plan, "music_v1") if p.severity == "warning"}
    assert warned == {"directions", "context_adherence", "conditioning"}
    assert validate_plan(plan, "music_v2") == []


def test_bad_directions_for_v2() -> None:
    assert messages(one_section(directions="a}b"), "music_v2") == [
        "Section 1 “Verse”: directions cannot contain curly braces or line breaks"
    ]


def test_song_refs() -> None:
    plan = one_section(source=SongRef("", 5000, 5000))
    found = messages(plan, "music_v1")
    assert any("needs a song id" in m for m in found)
    assert any("must end after it starts" in m for m in found)
    plan = one_section(source=SongRef("s", 0, 10_000, tuple((i, i + 1) for i in range(11))))
    assert messages(plan, "music_v1") == [
        "Section 1 “Verse”: at most 10 ranges can be left out of the audio source"
    ]
    warned = messages(plan, "music_v2", "warning")
    assert any("styles and lyrics are not sent" in m for m in warned)
    assert any("cannot leave ranges out" in m for m in warned)


def test_long_songs_and_v2_durations_are_warnings() -> None:
    plan = Plan(["pop"], [], [Section(f"S{i}", 120_000) for i in range(6)])
    assert messages(plan, "music_v1") == []
    assert messages(plan, "music_v1", "warning") == [
        "The song is 12 minutes long; songs longer than 10 minutes may be refused"
    ]
    plan = one_section()
    plan.respect_sections_durations = False
    assert messages(plan, "music_v1", "warning") == []
    assert messages(plan, "music_v2", "warning") == ["music_v2 always keeps the section durations"]


def test_v2_warns_when_the_first_section_has_no_style() -> None:
    plan = Plan([], [], [Section("A", 5000), Section("B", 5000, ["rock"])])
    assert messages(plan, "music_v2", "warning") == [
        "music_v2 takes the song's genre and mood from the first section's styles; add a few "
        "(e.g. “lo-fi, calm, piano”)"
    ]


def test_limits_table() -> None:
    assert limits_for("music_v1") is MUSIC_V1_LIMITS
    assert limits_for("music_v2") is MUSIC_V2_LIMITS
    assert limits_for("music_v2_5").shape == "chunks"
    with pytest.raises(ValueError):
        limits_for("eleven_multilingual_v2")
    spec = load_spec()["components"]["schemas"]
    section = spec["SongSection"]["properties"]
    chunk = spec["GenerationChunk-Input"]["properties"]
    assert MUSIC_V1_LIMITS.min_section_ms == section["duration_ms"]["minimum"]
    assert MUSIC_V1_LIMITS.max_section_ms == section["duration_ms"]["maximum"]
    assert MUSIC_V1_LIMITS.name_max_chars == section["section_name"]["maxLength"]
    assert MUSIC_V1_LIMITS.max_lines == section["lines"]["maxItems"]
    assert MUSIC_V1_LIMITS.max_line_chars == section["lines"]["items"]["maxLength"]
    assert MUSIC_V1_LIMITS.max_styles == section["positive_local_styles"]["maxItems"]
    assert MUSIC_V1_LIMITS.max_sections == spec["MusicPrompt"]["properties"]["sections"]["maxItems"]
    assert MUSIC_V2_LIMITS.max_sections == spec["CompositionPlan"]["properties"]["chunks"][
        "maxItems"
    ]
    assert MUSIC_V2_LIMITS.max_text_chars == chunk["text"]["maxLength"]
    assert MUSIC_V2_LIMITS.min_section_ms == chunk["duration_ms"]["minimum"]
    assert MUSIC_V2_LIMITS.max_section_ms == chunk["duration_ms"]["maximum"]
    assert MUSIC_V2_LIMITS.max_styles == chunk["positive_styles"]["maxItems"]


# Validation agrees with the spec: a plan without errors is accepted by the schema, and
# one the schema refuses has errors.
_sizes = st.sampled_from([0, 1, 29, 30, 31, 49, 50, 51])


@st.composite
def edge_plans(draw: st.DrawFn) -> Plan:
    def styles() -> list[str]:
        return ["s"] * draw(st.sampled_from([0, 1, 24, 25, 26, 50, 51]))

    sections = [
        Section(
            name=draw(st.sampled_from(["", "A", "x" * 100, "x" * 101])),
            duration_ms=draw(st.sampled_from([2999, 3000, 120_000, 120_001])),
            positive_styles=styles(),
            negative_styles=styles(),
            lines=["l" * draw(st.sampled_from([1, 200, 201]))] * draw(_sizes),
            source=draw(st.none() | st.sampled_from([
                SongRef("s", 0, 5000), SongRef("x" * 101, 0, 5000),
                SongRef("s", 0, 5000, ((0, 1),) * 11),
            ])),
        )
        for _ in range(draw(st.sampled_from([1, 2, 30, 31])))
    ]
    return Plan(styles(), styles(), sections)


@settings(max_examples=80, deadline=None)
@given(edge_plans(), st.sampled_from(["music_v1", "music_v2"]))
def test_validation_agrees_with_the_schema(plan: Plan, model: str) -> None:
    schema = "MusicPrompt" if model == "music_v1" else "CompositionPlan"
    try:
        validate_against(schema_named(schema), to_wire_plan(plan, model))
        accepted = True
    except ContractError:
        accepted = False
    errors = errors_only(validate_plan(plan, model))
    blank_names = model == "music_v1" and any(not s.name.strip() for s in plan.sections)
    if accepted and not blank_names:
        assert errors == []
    if not accepted:
        assert errors
