from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.music_detailed import (
    DetailedResponseError,
    WordTiming,
    build_detailed_response,
    parse_detailed_response,
)
from app.domain.music_plan import Plan, Section, SongRef
from app.domain.music_plan_json import plan_from_json
from app.domain.music_plan_write import to_v1_composition_plan, to_v2_chunks
from app.domain.music_request import (
    ENDPOINT_PATHS,
    MUSIC_OUTPUT_FORMATS,
    PLAN_PATH,
    MusicRequestError,
    compose_body,
    compose_query,
    plan_request_body,
    validate_prompt,
)
from tests.support.spec import find_operation, load_spec, request_body_schema, validate_request

SAMPLES = Path(__file__).resolve().parents[1] / "contract" / "samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def check(path: str, body: dict[str, Any], query: dict[str, str] | None = None) -> None:
    """Valid per the spec, and no field the operation does not declare (the schemas do
    not forbid extra properties, so check that separately)."""
    validate_request("POST", path, {k: [v] for k, v in (query or {}).items()}, body)
    schema = request_body_schema(find_operation("POST", path), "application/json")
    assert schema is not None
    name = schema["$ref"].rsplit("/", 1)[-1]
    declared = load_spec()["components"]["schemas"][name]["properties"]
    assert set(body) <= set(declared), set(body) - set(declared)


def a_plan() -> Plan:
    return Plan(
        ["pop", "120 bpm"], ["metal"],
        [Section("Verse", 10_000, ["soft"], [], ["la la"], directions="gentle"),
         Section("Chorus", 8_000, ["loud"], ["quiet"], ["oh oh"])],
        respect_sections_durations=False,
    )


# --- compose bodies ---------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["compose", "stream", "detailed"])
@pytest.mark.parametrize("model", ["music_v1", "music_v2"])
def test_prompt_bodies_follow_the_spec(endpoint: Any, model: str) -> None:
    body = compose_body(model, prompt="A calm piano piece", music_length_ms=30_000,
                        force_instrumental=True, store_for_inpainting=True,
                        with_timestamps=endpoint == "detailed", endpoint=endpoint)
    assert body["prompt"] == "A calm piano piece"
    assert body["music_length_ms"] == 30_000
    assert body["force_instrumental"] is True
    assert "composition_plan" not in body and "seed" not in body
    check(ENDPOINT_PATHS[endpoint], body, compose_query("mp3_44100_128"))


@pytest.mark.parametrize("endpoint", ["compose", "stream", "detailed"])
@pytest.mark.parametrize("model", ["music_v1", "music_v2"])
def test_plan_bodies_follow_the_spec(endpoint: Any, model: str) -> None:
    body = compose_body(model, plan=a_plan(), seed=42, endpoint=endpoint,
                        sign_with_c2pa=endpoint != "stream")
    check(ENDPOINT_PATHS[endpoint], body, compose_query())
    assert body["seed"] == 42
    if model == "music_v1":
        assert body["composition_plan"] == to_v1_composition_plan(a_plan())
    else:
        assert body["composition_plan"] == to_v2_chunks(a_plan())
    if model == "music_v1" and endpoint != "stream":
        assert body["respect_sections_durations"] is False
    else:
        assert "respect_sections_durations" not in body
    assert "prompt" not in body and "music_length_ms" not in body


def test_defaults_are_left_out() -> None:
    assert compose_body("music_v1", prompt="x") == {"model_id": "music_v1", "prompt": "x"}
    body = compose_body("music_v1", plan=Plan(["pop"], [], [Section("A", 5000)]))
    assert body["respect_sections_durations"] is True  # the plan's own setting, explicit
    assert set(body) == {"model_id", "composition_plan", "respect_sections_durations"}


def test_wire_plans_pass_through_after_a_shape_check() -> None:
    v1 = sample("music_composition_plan_v1.json")
    v2 = sample("music_composition_plan_v2.json")
    body = compose_body("music_v1", plan=v1, respect_sections_durations=False)
    assert body["composition_plan"] == v1
    assert body["respect_sections_durations"] is False
    check("/v1/music", body)
    check("/v1/music", compose_body("music_v2", plan=v2))
    with pytest.raises(MusicRequestError, match="music_v2 takes a plan made of chunks"):
        compose_body("music_v2", plan=v1)
    with pytest.raises(MusicRequestError, match="music_v1 takes a plan made of sections"):
        compose_body("music_v1", plan=v2)
    with pytest.raises(MusicRequestError, match="not a composition plan"):
        compose_body("music_v1", plan={"hello": 1})


def test_inpainting_reference_sections() -> None:
    plan = Plan(["pop"], [], [Section("Keep", 8000, source=SongRef("song_9", 0, 8000)),
                              Section("New", 8000, ["rock"], [], ["hey"])])
    for model in ("music_v1", "music_v2"):
        body = compose_body(model, plan=plan, store_for_inpainting=True)
        check("/v1/music", body)
        assert body["store_for_inpainting"] is True
    assert compose_body("music_v2", plan=plan)["composition_plan"]["chunks"][0] == {
        "song_id": "song_9", "range": {"start_ms": 0, "end_ms": 8000}
    }


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "Give either a prompt or a composition plan"),
        ({"prompt": "x", "plan": Plan()}, "not both"),
        ({"prompt": "x", "seed": 1}, "seed can only be used with a composition plan"),
        ({"prompt": "x", "respect_sections_durations": False}, "only apply to a composition"),
        ({"prompt": ""}, "Describe the music"),
        ({"prompt": "x" * 4101}, "4,101 characters"),
        ({"prompt": "x", "music_length_ms": 2999}, "between 3 seconds and 10 minutes"),
        ({"prompt": "x", "with_timestamps": True}, "detailed reply"),
        ({"prompt": "x", "sign_with_c2pa": True, "endpoint": "stream"}, "C2PA"),
        ({"plan": Plan(["p"], [], [Section("A", 5000)]), "music_length_ms": 5000},
         "comes from the plan"),
        ({"plan": Plan(["p"], [], [Section("A", 5000)]), "force_instrumental": True},
         "Instrumental only"),
        ({"plan": Plan(["p"], [], [Section("A", 5000)]), "seed": -1}, "0 to 2,147,483,647"),
        ({"plan": Plan(["p"], [], [Section("A", 5000)]), "seed": 2**31}, "seed"),
        ({"plan": Plan(["p"], [], [Section("A", 1000)])}, "between 3 and 120 seconds"),
    ],
)
def test_refused_requests(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(MusicRequestError, match=words):
        compose_body("music_v1", **kwargs)


def test_invalid_plan_carries_its_problems() -> None:
    with pytest.raises(MusicRequestError) as caught:
        compose_body("music_v1", plan=Plan())
    assert [p.field for p in caught.value.problems] == ["sections"]


def test_warnings_do_not_stop_a_request() -> None:
    body = compose_body("music_v1", plan=a_plan())  # directions: a v1 warning only
    check("/v1/music", body)


def test_models_outside_music_are_refused() -> None:
    with pytest.raises(ValueError):
        compose_body("eleven_multilingual_v2", prompt="x")
    assert compose_body("music_v2_5", prompt="x")["model_id"] == "music_v2_5"


def test_output_formats() -> None:
    params = load_spec()["paths"]["/v1/music"]["post"]["parameters"]
    enum = next(p for p in params if p["name"] == "output_format")["schema"]["enum"]
    assert set(MUSIC_OUTPUT_FORMATS) == set(enum)
    assert compose_query() == {"output_format": "auto"}
    for value in MUSIC_OUTPUT_FORMATS:
        validate_request("POST", "/v1/music", {"output_format": [value]}, None)
    with pytest.raises(MusicRequestError):
        compose_query("wav_44100")


# --- prompt mode and /v1/music/plan ----------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "length", "fields"),
    [
        ("x" * 4100, None, []),
        ("x" * 4101, None, ["prompt"]),
        ("  ", None, ["prompt"]),
        ("x", 3000, []),
        ("x", 2999, ["music_length_ms"]),
        ("x", 600_000, []),
        ("x", 600_001, ["music_length_ms"]),
    ],
)
def test_validate_prompt_boundaries(prompt: str, length: int | None, fields: list[str]) -> None:
    assert [p.field for p in validate_prompt(prompt, length)] == fields


def test_prompt_length_message() -> None:
    (problem,) = validate_prompt("x", 600_001)
    assert problem.message == (
        "The song length must be between 3 seconds and 10 minutes (it is 600,001 ms)"
    )


@pytest.mark.parametrize("model", ["music_v1", "music_v2"])
def test_plan_request_bodies(model: str) -> None:
    body = plan_request_body("An epic trailer", 60_000, model)
    assert body == {"prompt": "An epic trailer", "model_id": model, "music_length_ms": 60_000}
    check(PLAN_PATH, body)
    body = plan_request_body("Make it darker", model_id=model, source_composition_plan=a_plan())
    check(PLAN_PATH, body)
    assert plan_from_json(body["source_composition_plan"]).sections[0].name == "Verse"
    wire = sample("music_composition_plan_v1.json" if model == "music_v1"
                  else "music_composition_plan_v2.json")
    check(PLAN_PATH, plan_request_body("x", model_id=model, source_composition_plan=wire))
    with pytest.raises(MusicRequestError):
        plan_request_body("x" * 4101)
    with pytest.raises(MusicRequestError):
        plan_request_body("x", 1000)


# --- /v1/music/detailed ----------------------------------------------------------------------


def test_detailed_round_trip_with_the_sample_metadata() -> None:
    metadata = sample("music_detailed_metadata_part.json")
    audio = b"ID3\x00\r\n--not-the-boundary\r\n\r\n\xff\xfb" + bytes(range(256))
    content_type, body = build_detailed_response(metadata, audio, boundary="b0und4ry")
    result = parse_detailed_response(content_type, body, song_id="song_123")
    assert result.audio == audio
    assert result.metadata == metadata
    assert result.song_id == "song_123"
    assert result.section_timings_ms == [(0, 8000), (8000, 28000), (28000, 44000)]
    assert result.plan is not None and result.plan.sections[2].name == "Chorus"
    assert result.words[0] == WordTiming("Streetlights", 8420, 9310)
    assert result.title == "Till the Morning"
    assert result.filename == "song.mp3"
    assert result.audio_content_type == "audio/mpeg"


def test_detailed_as_the_sdk_reads_it() -> None:
    """A hand-written reply with LF line ends, a quoted boundary and a preamble."""
    meta = {"composition_plan": sample("music_composition_plan_v2.json"),
            "song_metadata": {"title": None}, "words_timestamps": None, "song_id": "abc"}
    body = (
        b"preamble\n--XYZ\nContent-Type: application/json; charset=utf-8\n\n"
        + json.dumps(meta).encode()
        + b"\n--XYZ\nContent-Type: audio/mpeg\n"
        b'Content-Disposition: attachment; filename="x y.mp3"\n\nAUDIO\n--XYZ--\n'
    )
    result = parse_detailed_response('multipart/mixed; boundary="XYZ"', body)
    assert result.audio == b"AUDIO"
    assert result.song_id == "abc"
    assert result.filename == "x y.mp3"
    assert result.section_timings_ms == [(0, 8000), (8000, 23000), (23000, 38000)]
    assert result.words == []
    assert result.title is None


def test_detailed_json_with_base64_audio() -> None:
    meta = sample("music_detailed_metadata_part.json")
    body = json.dumps({**meta, "audio_base64": base64.b64encode(b"RIFF").decode()}).encode()
    result = parse_detailed_response("application/json", body, "s1")
    assert result.audio == b"RIFF"
    assert "audio_base64" not in result.metadata
    assert len(result.section_timings_ms) == 3


def test_detailed_bare_audio() -> None:
    result = parse_detailed_response("audio/mpeg", b"\xff\xfb", "s1")
    assert (result.audio, result.metadata, result.song_id) == (b"\xff\xfb", {}, "s1")
    assert result.section_timings_ms == []


def test_detailed_with_a_bad_plan_still_gives_the_audio() -> None:
    ct, body = build_detailed_response({"composition_plan": {"x": 1}}, b"A", boundary="q")
    result = parse_detailed_response(ct, body)
    assert (result.audio, result.plan, result.section_timings_ms) == (b"A", None, [])


@pytest.mark.parametrize(
    ("content_type", "body", "words"),
    [
        ("multipart/mixed", b"--x\r\n\r\n{}", "no boundary"),
        ("multipart/mixed; boundary=x", b"nothing here", "no parts"),
        ("multipart/mixed; boundary=x",
         b"--x\r\nContent-Type: audio/mpeg\r\n\r\nA\r\n--x--", "no song details"),
        ("multipart/mixed; boundary=x",
         b"--x\r\nContent-Type: application/json\r\n\r\n{}\r\n--x--", "no audio"),
        ("multipart/mixed; boundary=x",
         b"--x\r\nContent-Type: application/json\r\n\r\n{nope\r\n--x\r\n\r\nA\r\n--x--",
         "not JSON"),
        ("multipart/mixed; boundary=x",
         b"--x\r\nContent-Type: application/json\r\n\r\n[1]\r\n--x\r\n\r\nA\r\n--x--",
         "JSON object"),
        ("application/json", b"{}", "no audio"),
        ("application/json", b'{"audio_base64": "!!"}', "bad base64"),
        ("text/html", b"<html>", "text/html"),
        ("", b"", "no stated type"),
    ],
)
def test_unreadable_detailed_replies(content_type: str, body: bytes, words: str) -> None:
    with pytest.raises(DetailedResponseError, match=words):
        parse_detailed_response(content_type, body)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["multipart/mixed; boundary=b", "multipart/mixed; boundary=\"b\"",
                     "application/json", "audio/mpeg", "multipart/mixed", "text/plain", ""])
    | st.text(max_size=30),
    st.lists(st.sampled_from([b"--b", b"--b--", b"\r\n", b"\n", b"Content-Type: audio/mpeg",
                              b"Content-Type: application/json", b"{}", b'{"a":1}', b"[",
                              b'{"audio_base64":"QQ=="}', b"\xff"]) | st.binary(max_size=8),
             max_size=12).map(b"".join),
)
def test_fuzz_detailed_raises_only_its_error(content_type: str, body: bytes) -> None:
    try:
        parse_detailed_response(content_type, body)
    except DetailedResponseError as exc:
        assert str(exc)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.text(alphabet="abcXYZ0123456789'()+_,-./:=?",
                                        min_size=1, max_size=40))
def test_any_audio_survives_the_multipart_round_trip(audio: bytes, boundary: str) -> None:
    # A boundary never occurs in the content it separates (RFC 2046).
    if f"--{boundary}".encode() in audio or boundary.endswith(" "):
        return
    ct, body = build_detailed_response({"song_metadata": {}}, audio, boundary=boundary)
    assert parse_detailed_response(ct, body).audio == audio
