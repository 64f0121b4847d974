"""Bad files and data: every parser gets generated input and may only answer with its
result or its documented error type; a huge input keeps memory bounded.

Parsers and their promises:
- API error bodies -> `error_from_response` (always an ApiStatusError) and the UI's
  `describe_error` (always a UserMessage); `parse_retry_after` (None or a finite wait);
- wire models (models, voices page, voice, subscription, voice settings, alignment) ->
  the model or ApiProtocolError;
- transcript JSON -> `parse_transcript`: a Transcript or TranscriptFormatError;
- plan JSON -> `plan_from_json`: a Plan or PlanFormatError (then `validate_plan` and
  `to_wire_plan` work on whatever it returns);
- the music detailed reply -> `parse_detailed_response`: DetailedResponseError;
- audio (valid, truncated, wrong type, random) -> `decode_bytes` / `decode_file` /
  `StreamDecoder`: samples or AudioDecodeError.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import itertools
import json
import math
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.api._parse import parse_list, parse_model
from app.api.client import ResponseInfo
from app.api.errors import ApiProtocolError, ApiStatusError, error_from_response, parse_retry_after
from app.audio.decode import decode_bytes, decode_file
from app.audio.errors import AudioDecodeError
from app.audio.stream_decoder import StreamDecoder
from app.domain.formats import TTS_FORMATS, OutputFormat
from app.domain.music_detailed import DetailedResponseError, build_detailed_response
from app.domain.music_detailed import parse_detailed_response as parse_detailed
from app.domain.music_plan import Plan
from app.domain.music_plan_checks import validate_plan
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.music_plan_write import to_wire_plan
from app.domain.transcript import Transcript, TranscriptFormatError
from app.domain.transcript_parse import parse_transcript
from app.domain.wire import (
    AudioWithTimestamps,
    Model,
    Subscription,
    Voice,
    VoiceSettings,
    VoicesPage,
)
from app.ui.errors import UserMessage, describe_error
from tests.support.cloud_server import SAMPLES, encode_tone

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
INFO = ResponseInfo()


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


# -- JSON, random and near-miss -----------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda children: (st.lists(children, max_size=5)
                      | st.dictionaries(st.text(max_size=12), children, max_size=5)),
    max_leaves=25)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, original: Any, mutations: int = 3) -> Any:
    """A valid document with a few values replaced by random JSON, or removed."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, mutations))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        if not path:
            data = draw(json_values)
            continue
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict | list):
            parent[path[-1]] = draw(json_values)
    return data


def _documents(*names: str) -> st.SearchStrategy[Any]:
    samples = [sample(n) for n in names]
    return st.one_of(json_values, *[mutated(s) for s in samples], *[st.just(s) for s in samples])


# -- error bodies --------------------------------------------------------------------------

error_details = st.one_of(
    st.fixed_dictionaries({"detail": st.lists(st.fixed_dictionaries(
        {"loc": st.lists(st.text(max_size=8) | st.integers(), max_size=4) | json_values,
         "msg": json_values, "type": json_values}), max_size=4)}),
    st.fixed_dictionaries({"detail": st.fixed_dictionaries({}, optional={
        "status": json_values, "message": json_values, "code": json_values, "type": json_values,
        "request_id": json_values, "param": json_values})}),
    json_values,
)
error_bodies = st.one_of(
    st.binary(max_size=300),
    error_details.map(lambda d: json.dumps(d, allow_nan=True).encode()),
    _documents(*(p.name for p in SAMPLES.glob("error_*.json"))).map(
        lambda d: json.dumps(d, allow_nan=True).encode()),
    st.text(max_size=200).map(str.encode),
)
header_values = st.one_of(st.text(max_size=30), st.sampled_from(
    ["inf", "-inf", "nan", "1e400", "-3", "0", "2.5", "Wed, 21 Oct 2015 07:28:00 GMT",
     "Fri, 31 Dec 9999 23:59:59 GMT", "99999999999999999999"]))


@FUZZ
@example(status=429, body=b"", headers={"retry-after": "inf"})
@example(status=429, body=b"", headers={"retry-after-ms": "1e400"})
@given(status=st.integers(300, 599), body=error_bodies,
       headers=st.dictionaries(st.sampled_from(["retry-after", "retry-after-ms", "request-id",
                                                "x-request-id", "content-type"]),
                               header_values, max_size=4))
def test_error_bodies_become_errors_and_words(status: int, body: bytes,
                                              headers: dict[str, str]) -> None:
    safe_headers = {k: v for k, v in headers.items() if v.isprintable()}
    error = error_from_response(status, safe_headers, body)
    assert isinstance(error, ApiStatusError)
    assert isinstance(str(error), str) and len(error.message) <= 500
    message = describe_error(error)
    assert isinstance(message, UserMessage) and message.title and message.next_step
    assert message.as_text()


@FUZZ
@given(headers=st.dictionaries(st.sampled_from(["retry-after", "Retry-After", "retry-after-ms"]),
                               header_values, max_size=2))
def test_retry_after_is_none_or_a_finite_wait(headers: dict[str, str]) -> None:
    wait = parse_retry_after(headers)
    assert wait is None or (math.isfinite(wait) and wait >= 0)


# -- wire models ---------------------------------------------------------------------------

WIRE = [
    (Model, None, ("models_list.json",)),
    (VoicesPage, None, ("voices_v2_page.json",)),
    (Subscription, None, ("user_subscription.json",)),
    (VoiceSettings, None, ("voice_settings_default.json",)),
    (AudioWithTimestamps, None, ("tts_with_timestamps.json",)),
]


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize(("model", "_unused", "names"), WIRE,
                         ids=[m[0].__name__ for m in WIRE])
def test_wire_models_parse_or_say_protocol_error(model: Any, _unused: Any,
                                                 names: tuple[str, ...], data: Any) -> None:
    document = data.draw(_documents(*names))
    is_list = isinstance(sample(names[0]), list)
    try:
        if is_list:
            parsed = parse_list(model, document, INFO)
            assert all(isinstance(p, model) for p in parsed)
        else:
            assert isinstance(parse_model(model, document, INFO), model)
    except ApiProtocolError:
        pass


@FUZZ
@given(document=_documents("voices_v2_page.json").map(
    lambda d: d["voices"][0] if isinstance(d, dict) and isinstance(d.get("voices"), list)
    and d["voices"] else d))
def test_a_voice_parses_or_says_protocol_error(document: Any) -> None:
    try:
        voice = parse_model(Voice, document, INFO)
    except ApiProtocolError:
        return
    assert isinstance(voice.name, str)


# -- transcripts ---------------------------------------------------------------------------

TRANSCRIPTS = ("stt_diarized_word.json", "stt_multichannel.json",
               "stt_with_additional_format_srt.json")


@FUZZ
@given(document=st.one_of(_documents(*TRANSCRIPTS),
                          _documents(*TRANSCRIPTS).map(lambda d: json.dumps(d, allow_nan=True)),
                          st.binary(max_size=200), st.text(max_size=200)))
def test_transcripts_parse_or_say_format_error(document: Any) -> None:
    try:
        transcript = parse_transcript(document)
    except TranscriptFormatError as exc:
        assert str(exc)
        return
    assert isinstance(transcript, Transcript)
    for ms in (0, transcript.duration_ms // 2, transcript.duration_ms, 10**9):
        transcript.word_index.word_at(ms)


# -- music plans and the detailed reply ----------------------------------------------------

PLANS = ("music_composition_plan_v1.json", "music_composition_plan_v2.json")


@FUZZ
@given(document=st.one_of(
    _documents(*PLANS), _documents(*PLANS).map(lambda d: {"composition_plan": d}),
    _documents(*PLANS).map(lambda d: json.dumps(d, allow_nan=True)), st.text(max_size=200)))
def test_plans_load_or_say_format_error(document: Any) -> None:
    try:
        plan = plan_from_json(document)
    except PlanFormatError as exc:
        assert str(exc)
        return
    assert isinstance(plan, Plan)
    for model_id in ("music_v1", "music_v2"):
        assert isinstance(validate_plan(plan, model_id), list)
        assert isinstance(to_wire_plan(plan, model_id), dict)


DETAILED = build_detailed_response(sample("music_detailed_metadata_part.json"),
                                   encode_tone("mp3_44100_128", 0.5), boundary="b0undary")


@FUZZ
@given(content_type=st.one_of(st.just(DETAILED[0]), st.text(max_size=60),
                              st.sampled_from(["multipart/mixed", "application/json",
                                               "audio/mpeg", "multipart/mixed; boundary="])),
       body=st.one_of(st.binary(max_size=300),
                      st.integers(0, len(DETAILED[1])).map(lambda n: DETAILED[1][:n]),
                      st.just(DETAILED[1])))
def test_detailed_reply_parses_or_says_why(content_type: str, body: bytes) -> None:
    try:
        parse_detailed(content_type, body, None)
    except DetailedResponseError as exc:
        assert str(exc)


# -- audio ---------------------------------------------------------------------------------

FORMATS = [f for f in TTS_FORMATS if f.sample_rate_hz <= 24000 or f.codec.value == "opus"]
_VALID = {f.value: encode_tone(f.value, 0.3) for f in FORMATS}


@st.composite
def audio_inputs(draw: st.DrawFn) -> tuple[bytes, OutputFormat | None]:
    fmt = draw(st.sampled_from(FORMATS))
    valid = _VALID[fmt.value]
    data = draw(st.one_of(
        st.just(valid),
        st.integers(0, len(valid)).map(lambda n: valid[:n]),  # truncated
        st.binary(max_size=2000),  # not audio at all
        st.just(json.dumps(sample("models_list.json")).encode()),  # the wrong type
        st.sampled_from(list(_VALID.values())),  # another format than announced
        st.binary(min_size=1, max_size=64).map(lambda b: valid[: len(valid) // 2] + b),
    ))
    return data, draw(st.one_of(st.just(fmt), st.none()))


@FUZZ
@given(case=audio_inputs())
def test_decode_bytes_decodes_or_says_why(case: tuple[bytes, OutputFormat | None]) -> None:
    data, fmt = case
    try:
        clip = decode_bytes(data, fmt)
    except AudioDecodeError as exc:
        assert str(exc)
        return
    assert clip.sample_rate_hz > 0 and np.all(np.isfinite(clip.samples))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=audio_inputs(), name=st.sampled_from(["a.mp3", "b.wav", "c.ogg", "d_pcm_16000.pcm",
                                                   "e.ulaw", "f.txt", "g"]))
def test_decode_file_decodes_or_says_why(case: tuple[bytes, OutputFormat | None], name: str,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    data, fmt = case
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    try:
        decode_file(path, fmt)
    except AudioDecodeError as exc:
        assert str(exc)


@FUZZ
@given(case=audio_inputs(), cuts=st.lists(st.integers(0, 4000), max_size=6))
def test_stream_decoder_decodes_or_says_why(case: tuple[bytes, OutputFormat | None],
                                            cuts: list[int]) -> None:
    data, fmt = case
    decoder = StreamDecoder(fmt or OutputFormat.parse("mp3_44100_128"))
    bounds = sorted({0, len(data), *[c for c in cuts if c < len(data)]})
    try:
        for start, end in itertools.pairwise(bounds):
            out = decoder.feed(data[start:end])
            assert np.all(np.isfinite(out))
        decoder.flush()
    except AudioDecodeError as exc:
        assert str(exc)


# -- memory for huge inputs ----------------------------------------------------------------

def peak_bytes(work: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        with contextlib.suppress(AudioDecodeError, TranscriptFormatError, PlanFormatError,
                                 ApiStatusError):
            work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        gc.collect()


MB = 1024 * 1024


def test_memory_is_bounded_for_huge_inputs(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    garbage = rng.integers(0, 256, 24 * MB, dtype=np.uint8).tobytes()
    # Random bytes claiming to be MP3 (or anything): refused without copying it around.
    assert peak_bytes(lambda: decode_bytes(garbage, OutputFormat.parse("mp3_44100_128"))) \
        < len(garbage) + 16 * MB
    assert peak_bytes(lambda: decode_bytes(garbage, None)) < len(garbage) + 16 * MB

    # A long, valid WAV (3 minutes at 24 kHz): the samples, plus a bounded overhead.
    seconds, rate = 180, 24_000
    tone = (0.2 * np.sin(np.arange(seconds * rate) * 0.05)).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, tone, rate, format="WAV", subtype="PCM_16")
    wav = buffer.getvalue()
    decoded_bytes = seconds * rate * 4  # float32 mono
    peak = peak_bytes(lambda: decode_bytes(wav, OutputFormat.parse("wav_24000")))
    assert peak < len(wav) + 2 * decoded_bytes + 8 * MB, f"{peak / MB:.0f} MB"
    path = tmp_path / "long.wav"
    path.write_bytes(wav)
    peak = peak_bytes(lambda: decode_file(path))
    assert peak < len(wav) + 2 * decoded_bytes + 8 * MB, f"{peak / MB:.0f} MB"

    # A stream of garbage fed in pieces: nothing piles up.
    def feed_garbage() -> None:
        decoder = StreamDecoder(OutputFormat.parse("mp3_44100_128"))
        for start in range(0, len(garbage), 64 * 1024):
            decoder.feed(garbage[start:start + 64 * 1024])
        decoder.flush()

    assert peak_bytes(feed_garbage) < 16 * MB  # does not grow with the input

    # A 1 MB error body (the most the client reads of one).
    body = b'{"detail": {"message": "' + b"x" * MB + b'"}}'
    assert peak_bytes(lambda: error_from_response(500, {}, body)) < 12 * MB

    # A huge transcript (100,000 words) and a huge plan.
    words: list[dict[str, Any]] = [
        {"text": f"w{i}", "start": i * 0.3, "end": i * 0.3 + 0.2, "type": "word",
         "speaker_id": f"speaker_{i % 3}", "logprob": -0.1} for i in range(100_000)]
    transcript = json.dumps({"language_code": "en", "language_probability": 0.9,
                             "text": " ".join(w["text"] for w in words), "words": words})
    peak = peak_bytes(lambda: parse_transcript(transcript))
    assert peak < 12 * len(transcript), f"{peak / MB:.0f} MB for {len(transcript) / MB:.0f} MB"
    plan = sample("music_composition_plan_v1.json")
    plan["sections"] = plan["sections"] * 2000
    text = json.dumps(plan)
    peak = peak_bytes(lambda: plan_from_json(text))
    assert peak < 12 * len(text), f"{peak / MB:.0f} MB for {len(text) / MB:.0f} MB"
