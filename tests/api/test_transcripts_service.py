"""TranscriptsService: what goes on the wire (checked against the spec) and what comes back."""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from app.api import errors
from app.api.client import ApiClient, ClientConfig
from app.api.transcripts import (
    TranscriptionOptionsError,
    TranscriptsService,
    UploadFile,
    guess_mime_type,
)
from app.domain.stt_options import ExportFormat, TranscriptionOptions
from tests.support.spec import (
    find_operation,
    request_body_schema,
    validate_against,
    validate_query,
    validate_request,
    validate_response_json,
)

pytestmark = pytest.mark.anyio

SINGLE = {
    "language_code": "en", "language_probability": 0.98, "text": "Hello world",
    "transcription_id": "tr_1",
    "words": [
        {"text": "Hello", "start": 0.0, "end": 0.5, "type": "word", "speaker_id": "speaker_0",
         "logprob": -0.1},
        {"text": " ", "start": 0.5, "end": 0.5, "type": "spacing", "speaker_id": "speaker_0",
         "logprob": 0.0},
        {"text": "world", "start": 0.5, "end": 1.0, "type": "word", "speaker_id": "speaker_0",
         "logprob": -0.2},
    ],
}


# -- reading a captured multipart body ------------------------------------------------

def parse_multipart(request: httpx.Request) -> list[tuple[str, str | None, str | None, bytes]]:
    """(name, filename, content type, payload) for each part, in order."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        head + request.content)
    assert message.is_multipart()
    parts = []
    for part in message.iter_parts():
        disposition = part.get("content-disposition", "")
        params = dict(part.get_params(header="content-disposition") or [])
        assert disposition.startswith("form-data")
        payload = part.get_payload(decode=True) or b""
        content_type = part.get("content-type")
        parts.append((params["name"], params.get("filename"),
                      str(content_type) if content_type else None, payload))
    return parts


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    from tests.support.spec import load_spec

    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return load_spec()["components"]["schemas"][name]  # type: ignore[no-any-return]
    return schema


def _kinds(schema: dict[str, Any]) -> set[str]:
    schema = _resolve(schema)
    return {o.get("type", "") for o in schema.get("anyOf", [schema])}


def _coerce(text: str, kinds: set[str]) -> Any:
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    if "integer" in kinds:
        try:
            return int(text)
        except ValueError:
            pass
    if "number" in kinds:
        try:
            return float(text)
        except ValueError:
            pass
    return text


def form_instance(parts: list[tuple[str, str | None, str | None, bytes]],
                  schema: dict[str, Any]) -> dict[str, Any]:
    """The multipart form as the JSON object the spec's body schema describes."""
    properties = _resolve(schema)["properties"]
    instance: dict[str, Any] = {}
    for name, filename, content_type, payload in parts:
        assert name in properties, f"{name} is not a field of the spec"
        if filename is not None:
            instance[name] = "<binary>"
            continue
        text = payload.decode("utf-8")
        if content_type and content_type.startswith("application/json"):
            instance[name] = json.loads(text)
            continue
        kinds = _kinds(properties[name])
        if "array" in kinds and "string" not in kinds:
            instance.setdefault(name, []).append(text)
        else:
            assert name not in instance, f"{name} sent twice"
            instance[name] = _coerce(text, kinds)
    return instance


def validate_multipart(request: httpx.Request) -> dict[str, Any]:
    path = request.url.path
    op = find_operation(request.method, path)
    validate_query(op, parse_qs(request.url.query.decode(), keep_blank_values=True))
    schema = request_body_schema(op, request.headers["content-type"])
    assert schema is not None, "the operation takes no multipart body"
    instance = form_instance(parse_multipart(request), schema)
    validate_against(schema, instance, ("body",))
    return instance


# -- a recording transport ---------------------------------------------------------------

class Recorder:
    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.status = status
        self.body = SINGLE if body is None else body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body)


def service_for(recorder: Recorder) -> tuple[TranscriptsService, ApiClient]:
    client = ApiClient(ClientConfig(base_url="https://api.example.test", api_key="k",
                                    retry_base_delay_s=0.001),
                       transport=httpx.MockTransport(recorder))
    return TranscriptsService(client), client


@pytest.fixture
def audio_file(tmp_path: Path) -> Path:
    path = tmp_path / "interview take 1.wav"
    path.write_bytes(b"RIFF" + bytes(range(256)) * 1200)  # ~300 KB, content checked below
    return path


# -- create ------------------------------------------------------------------------------

async def test_create_streams_the_file_with_default_options(audio_file: Path) -> None:
    recorder = Recorder()
    service, client = service_for(recorder)
    progress: list[tuple[int, int]] = []
    data, info = await service.create(audio_file, TranscriptionOptions(),
                                      lambda sent, total: progress.append((sent, total)))
    await client.aclose()
    assert data["transcription_id"] == "tr_1" and info.status_code == 200
    (request,) = recorder.requests
    assert request.method == "POST" and request.url.path == "/v1/speech-to-text"
    # A known length (not chunked), so servers and proxies see the size up front.
    assert "content-length" in request.headers
    instance = validate_multipart(request)
    assert instance == {"model_id": "scribe_v2", "file": "<binary>"}
    file_part = next(p for p in parse_multipart(request) if p[0] == "file")
    assert file_part[1] == "interview take 1.wav"
    assert file_part[2] == "audio/wav"
    assert file_part[3] == audio_file.read_bytes()
    size = audio_file.stat().st_size
    # Read in pieces (httpx takes 64 KB at a time), never all at once.
    assert len(progress) >= size // (64 * 1024)
    assert progress[-1] == (size, size)
    assert all(b - a <= 64 * 1024 for (a, _), (b, _) in itertools.pairwise(progress))


async def test_create_sends_every_option_as_the_spec_describes(audio_file: Path) -> None:
    recorder = Recorder()
    service, client = service_for(recorder)
    options = TranscriptionOptions(
        model_id="scribe_v2", language_code="de", tag_audio_events=False, num_speakers=3,
        timestamps_granularity="character", diarize=True, keyterms=("XI Studio", "Kubernetes"),
        no_verbatim=True, use_multi_channel=True, enable_logging=False,
        additional_formats=(ExportFormat("srt", max_characters_per_line=32),
                            ExportFormat("txt", include_speakers=False)),
    )
    await service.create(audio_file, options)
    await client.aclose()
    (request,) = recorder.requests
    assert parse_qs(request.url.query.decode()) == {"enable_logging": ["false"]}
    instance = validate_multipart(request)
    assert instance["language_code"] == "de"
    assert instance["tag_audio_events"] is False
    assert instance["num_speakers"] == 3
    assert instance["timestamps_granularity"] == "character"
    assert instance["diarize"] is True
    assert instance["keyterms"] == ["XI Studio", "Kubernetes"]
    assert instance["no_verbatim"] is True
    assert instance["use_multi_channel"] is True
    assert instance["additional_formats"] == [
        {"format": "srt", "max_characters_per_line": 32},
        {"format": "txt", "include_speakers": False},
    ]
    json_part = next(p for p in parse_multipart(request) if p[0] == "additional_formats")
    assert json_part[1] is None and json_part[2] == "application/json"


async def test_diarization_threshold_goes_as_a_number(audio_file: Path) -> None:
    recorder = Recorder()
    service, client = service_for(recorder)
    await service.create(audio_file, TranscriptionOptions(diarize=True,
                                                          diarization_threshold=0.3))
    await client.aclose()
    assert validate_multipart(recorder.requests[0])["diarization_threshold"] == 0.3


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (TranscriptionOptions(model_id="scribe_v9"), "transcription model"),
        (TranscriptionOptions(num_speakers=40), "number of speakers"),
        (TranscriptionOptions(no_verbatim=True, model_id="scribe_v1"), "scribe_v2"),
        (TranscriptionOptions(keyterms=("a" * 60,)), "longer than"),
        (TranscriptionOptions(language_code="english"), "language"),
        (TranscriptionOptions(diarization_threshold=0.3), "diarization threshold"),
    ],
)
async def test_bad_options_are_refused_before_sending(
    audio_file: Path, options: TranscriptionOptions, words: str
) -> None:
    recorder = Recorder()
    service, client = service_for(recorder)
    with pytest.raises(TranscriptionOptionsError) as caught:
        await service.create(audio_file, options)
    await client.aclose()
    assert recorder.requests == []
    assert any(words in problem for problem in caught.value.problems)


async def test_missing_and_empty_files_are_refused(tmp_path: Path) -> None:
    recorder = Recorder()
    service, client = service_for(recorder)
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(TranscriptionOptionsError, match="empty"):
        await service.create(empty, TranscriptionOptions())
    with pytest.raises(TranscriptionOptionsError, match="no longer exists"):
        await service.create(tmp_path / "gone.mp3", TranscriptionOptions())
    with pytest.raises(TranscriptionOptionsError, match="folder"):
        await service.create(tmp_path, TranscriptionOptions())
    await client.aclose()
    assert recorder.requests == []


async def test_create_maps_a_422_to_a_validation_error(audio_file: Path) -> None:
    body = {"detail": [{"loc": ["body", "model_id"], "msg": "Input should be 'scribe_v1'",
                        "type": "enum"}]}
    recorder = Recorder(422, body)
    service, client = service_for(recorder)
    with pytest.raises(errors.ValidationError) as caught:
        await service.create(audio_file, TranscriptionOptions())
    await client.aclose()
    assert caught.value.field_errors[0].loc == ("body", "model_id")


async def test_webhook_acknowledgement_is_returned_as_is(audio_file: Path) -> None:
    ack = {"message": "Request accepted.", "request_id": "r1", "transcription_id": "t9"}
    recorder = Recorder(202, ack)
    service, client = service_for(recorder)
    data, info = await service.create(audio_file, TranscriptionOptions(webhook=True))
    await client.aclose()
    assert data == ack and info.status_code == 202


# -- get and delete --------------------------------------------------------------------

async def test_get_fetches_by_id_and_checks_the_shape() -> None:
    recorder = Recorder()
    service, client = service_for(recorder)
    data, _ = await service.get("  tr_1 ")
    await client.aclose()
    (request,) = recorder.requests
    assert request.url.path == "/v1/speech-to-text/transcripts/tr_1"
    validate_request("GET", request.url.path, {}, None)
    validate_response_json("GET", request.url.path, 200, data)


async def test_get_escapes_the_id_so_it_stays_one_path_segment() -> None:
    recorder = Recorder()
    service, client = service_for(recorder)
    await service.get("../voices/x")
    await client.aclose()
    assert recorder.requests[0].url.raw_path == b"/v1/speech-to-text/transcripts/..%2Fvoices%2Fx"


async def test_get_not_found_and_not_a_transcript() -> None:
    missing = Recorder(404, {"detail": {"status": "not_found_error",
                                        "message": "Transcript not found."}})
    service, client = service_for(missing)
    with pytest.raises(errors.NotFoundError, match="Transcript not found"):
        await service.get("nope")
    await client.aclose()
    odd = Recorder(200, {"hello": "world"})
    service, client = service_for(odd)
    with pytest.raises(errors.ApiProtocolError, match="not a transcript"):
        await service.get("x")
    await client.aclose()


async def test_delete_sends_a_valid_request() -> None:
    recorder = Recorder(200, {})
    service, client = service_for(recorder)
    info = await service.delete("tr_1")
    await client.aclose()
    (request,) = recorder.requests
    assert request.method == "DELETE"
    validate_request("DELETE", request.url.path, {}, None)
    assert info.status_code == 200


# -- the upload wrapper -------------------------------------------------------------------

def test_upload_file_restarts_counting_when_rewound(audio_file: Path) -> None:
    seen: list[int] = []
    with UploadFile(audio_file, lambda sent, _total: seen.append(sent)) as upload:
        upload.read(1000)
        upload.seek(0)
        assert upload.sent == 0
        upload.read(10)
    assert seen == [1000, 10]


def test_mime_types_for_common_media() -> None:
    assert guess_mime_type(Path("a.MP3")) == "audio/mpeg"
    assert guess_mime_type(Path("a.m4a")) == "audio/mp4"
    assert guess_mime_type(Path("clip.mp4")) == "video/mp4"
    assert guess_mime_type(Path("x.unknownext")) == "application/octet-stream"
