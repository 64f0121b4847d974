"""Hostile servers, driven by the contract: for every JSON endpoint the app reads, damaged
answers made from its 200 schema (tests/api/fuzz_answers.py) are served from the cloud
test server on loopback to the app's own service method (and, where the app reads the
answer further before showing it, that reading too: a transcript, a forced alignment).

Each call must either give a value or raise one of the app's own errors, which
`describe_error` turns into a specific message; never a raw KeyError, TypeError,
RecursionError..., never a hang, never gigabytes of memory.
"""

from __future__ import annotations

import asyncio
import base64
import resource
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from app.api.account import AccountService
from app.api.alignment import AlignmentService
from app.api.client import ApiClient
from app.api.dialogue import DialogueService
from app.api.dictionaries import DictionariesService
from app.api.errors import ApiError, ApiProtocolError
from app.api.history import HistoryService
from app.api.music import MusicService
from app.api.music_finetunes import MusicFinetuneService
from app.api.music_upload import MusicUploadService
from app.api.speech import SpeechService
from app.api.transcripts import TranscriptsService
from app.api.voices import VoicesService
from app.domain.alignment import alignment_to_transcript
from app.domain.dialogue import DialogueInput, DialogueRequest
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.pronunciation import AliasRule
from app.domain.transcript import TranscriptFormatError
from app.domain.transcript_parse import parse_transcript
from app.domain.wire import SpeechRequest
from app.ui.errors import describe_error
from app.ui.transcripts.messages import describe as describe_transcripts_error
from tests.api.fuzz_answers import Mutation, answer_schema, encode, example, mutations
from tests.support.cloud import Cloud
from tests.support.cloud_server import Fault

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
CALL_DEADLINE_S = 30.0  # generous: a hang is minutes, a slow parse is milliseconds
MAX_GROWTH_BYTES = 1500 * 1024 * 1024  # the whole run; 100k-item answers are ~10 MB

# What the app shows in words (describe_error); a raw Python error is none of these.
APP_ERRORS: tuple[type[BaseException], ...] = (ApiError, TranscriptFormatError,
                                               PlanFormatError)

Call = Callable[[ApiClient, Path], Awaitable[Any]]


@dataclass
class Endpoint:
    name: str
    method: str
    spec_path: str
    path_regex: str
    call: Call
    base: Any = None  # a valid answer, when the schema's own example is not one
    extra: list[tuple[str, Any]] = field(default_factory=list)  # inconsistent values


def _wav(tmp: Path) -> Path:
    wav = tmp / "a.wav"
    if not wav.exists():
        t = np.arange(16000) / 16000
        sf.write(str(wav), (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return wav


async def _transcript(client: ApiClient, _tmp: Path) -> Any:
    raw, _info = await TranscriptsService(client).get("tr_1")
    return await asyncio.to_thread(parse_transcript, raw)


async def _alignment(client: ApiClient, tmp: Path) -> Any:
    result, _info = await AlignmentService(client).create(_wav(tmp), "Hello there")
    raw = alignment_to_transcript(result, speakers=["speaker_0"], speaker_names={})
    return await asyncio.to_thread(parse_transcript, raw)


async def _speech_lines(client: ApiClient, _tmp: Path) -> list[Any]:
    async with SpeechService(client).stream_with_timestamps(
            GEORGE, SpeechRequest(text="Hi")) as stream:
        return [item async for item in stream.chunks()]


async def _dialogue_lines(client: ApiClient, _tmp: Path) -> list[Any]:
    request = DialogueRequest(inputs=[DialogueInput(text="Hi", voice_id=GEORGE)])
    async with DialogueService(client).stream_with_timestamps(request) as stream:
        return [item async for item in stream.chunks()]


async def _upload(client: ApiClient, _tmp: Path) -> Any:
    """As the Music tab's own-song upload reads it (app/ui/music/own_song.py): the plan
    that came with the song, its faults said as the server's."""
    song, info = await MusicUploadService(client).upload(b"RIFF0000WAVE", "a.wav")
    if not song.composition_plan:
        return song
    try:
        return plan_from_json(song.composition_plan)
    except PlanFormatError as exc:
        raise ApiProtocolError(f"The server's plan of the song could not be read: {exc}",
                               info=info) from exc


def _rule() -> list[AliasRule]:
    return [AliasRule("tomato", "tomahto")]


WORD = {"text": "Hello", "start": 0.0, "end": 0.4, "type": "word", "speaker_id": "speaker_0",
        "logprob": -0.1, "characters": None}
TRANSCRIPT = {"language_code": "en", "language_probability": 0.98, "text": "Hello there",
              "words": [WORD, {**WORD, "text": " ", "start": 0.4, "end": 0.5, "type": "spacing"},
                        {**WORD, "text": "there", "start": 0.5, "end": 0.9}],
              "transcription_id": "tr_1"}
ALIGNMENT = {"characters": [{"text": c, "start": i * 0.1, "end": i * 0.1 + 0.1}
                            for i, c in enumerate("Hi")],
             "words": [{"text": "Hi", "start": 0.0, "end": 0.2, "loss": 0.1}], "loss": 0.1}
TIMED = {"audio_base64": base64.b64encode(b"\xff\xf3" * 64).decode(),
         "alignment": {"characters": ["H", "i"], "character_start_times_seconds": [0.0, 0.1],
                       "character_end_times_seconds": [0.1, 0.2]},
         "normalized_alignment": {"characters": ["H", "i"],
                                  "character_start_times_seconds": [0.0, 0.1],
                                  "character_end_times_seconds": [0.1, 0.2]}}


def _timed_broken() -> list[tuple[str, Any]]:
    alignment = TIMED["alignment"]
    return [
        ("alignment arrays of different lengths",
         {**TIMED, "alignment": {**alignment, "character_end_times_seconds": [0.1]}}),
        ("alignment end before start",
         {**TIMED, "alignment": {**alignment, "character_end_times_seconds": [0.1, 0.05]}}),
        ("alignment times out of order",
         {**TIMED, "alignment": {**alignment, "character_start_times_seconds": [0.1, 0.0]}}),
        ("alignment negative times",
         {**TIMED, "alignment": {**alignment, "character_start_times_seconds": [-5.0, -1.0]}}),
        ("audio_base64 not base64", {**TIMED, "audio_base64": "%%%not base64%%%"}),
        ("audio_base64 odd length", {**TIMED, "audio_base64": "abcde"}),
    ]


def _transcript_broken() -> list[tuple[str, Any]]:
    words = TRANSCRIPT["words"]
    return [
        ("word end before start", {**TRANSCRIPT, "words": [{**WORD, "start": 2.0, "end": 1.0}]}),
        ("words out of order", {**TRANSCRIPT, "words": list(reversed(words))}),
        ("negative times", {**TRANSCRIPT, "words": [{**WORD, "start": -3.0, "end": -1.0}]}),
        ("times 1e308", {**TRANSCRIPT, "words": [{**WORD, "start": 1e308, "end": 1e308}]}),
        ("times 2**70", {**TRANSCRIPT, "words": [{**WORD, "start": 2**70, "end": 2**71}]}),
        ("both shapes", {**TRANSCRIPT, "transcripts": [TRANSCRIPT]}),
        ("channels empty", {"transcripts": []}),
        ("channel not an object", {"transcripts": [1, "x"]}),
    ]


def _alignment_broken() -> list[tuple[str, Any]]:
    return [
        ("word end before start", {**ALIGNMENT, "words": [{"text": "Hi", "start": 1.0,
                                                             "end": 0.5, "loss": 0}]}),
        ("negative times", {**ALIGNMENT, "words": [{"text": "Hi", "start": -2.0,
                                                     "end": -1.0, "loss": 0}]}),
        ("times 1e308", {**ALIGNMENT, "words": [{"text": "Hi", "start": 1e308,
                                                  "end": 1e308, "loss": 0}]}),
    ]


def _subscription_broken(base: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("used above the limit", {**base, "character_count": 10**12, "character_limit": 10}),
        ("negative counts", {**base, "character_count": -5, "character_limit": -1}),
        ("reset in the past, huge", {**base, "next_character_count_reset_unix": -(2**70)}),
    ]


def _history_broken(base: dict[str, Any]) -> list[tuple[str, Any]]:
    item = base["history"][0]
    return [
        ("dates out of order", {**base, "history": [{**item, "date_unix": 10},
                                                    {**item, "date_unix": 5}]}),
        ("date 2**70", {**base, "history": [{**item, "date_unix": 2**70}]}),
        ("negative counts", {**base, "history": [{**item, "character_count_change_from": -9,
                                                  "character_count_change_to": -10**12}]}),
        ("has_more without a cursor", {**base, "has_more": True, "last_history_item_id": None}),
    ]


ENDPOINTS = [
    Endpoint("models", "GET", "/v1/models", "^/v1/models$",
             lambda c, _t: VoicesService(c).list_models()),
    Endpoint("voices", "GET", "/v2/voices", "^/v2/voices$",
             lambda c, _t: VoicesService(c).search_voices()),
    Endpoint("voice", "GET", "/v1/voices/{voice_id}", f"^/v1/voices/{GEORGE}$",
             lambda c, _t: VoicesService(c).get_voice(GEORGE)),
    Endpoint("default settings", "GET", "/v1/voices/settings/default",
             "^/v1/voices/settings/default$",
             lambda c, _t: VoicesService(c).default_settings()),
    Endpoint("voice settings", "GET", "/v1/voices/{voice_id}/settings",
             f"^/v1/voices/{GEORGE}/settings$",
             lambda c, _t: VoicesService(c).voice_settings(GEORGE)),
    Endpoint("subscription", "GET", "/v1/user/subscription", "^/v1/user/subscription$",
             lambda c, _t: AccountService(c).subscription()),
    Endpoint("history page", "GET", "/v1/history", "^/v1/history$",
             lambda c, _t: HistoryService(c).page()),
    Endpoint("history item", "GET", "/v1/history/{history_item_id}", "^/v1/history/h1$",
             lambda c, _t: HistoryService(c).item("h1")),
    Endpoint("dictionaries", "GET", "/v1/pronunciation-dictionaries",
             "^/v1/pronunciation-dictionaries$",
             lambda c, _t: DictionariesService(c).list_page()),
    Endpoint("dictionary", "GET", "/v1/pronunciation-dictionaries/{pronunciation_dictionary_id}",
             "^/v1/pronunciation-dictionaries/d1$",
             lambda c, _t: DictionariesService(c).get("d1")),
    Endpoint("dictionary from rules", "POST",
             "/v1/pronunciation-dictionaries/add-from-rules",
             "^/v1/pronunciation-dictionaries/add-from-rules$",
             lambda c, _t: DictionariesService(c).create_from_rules("Names", _rule())),
    Endpoint("dictionary add rules", "POST",
             "/v1/pronunciation-dictionaries/{pronunciation_dictionary_id}/add-rules",
             "^/v1/pronunciation-dictionaries/d1/add-rules$",
             lambda c, _t: DictionariesService(c).add_rules("d1", _rule())),
    Endpoint("transcript", "GET", "/v1/speech-to-text/transcripts/{transcription_id}",
             "^/v1/speech-to-text/transcripts/tr_1$", _transcript, base=TRANSCRIPT,
             extra=_transcript_broken()),
    Endpoint("speech with timestamps", "POST", "/v1/text-to-speech/{voice_id}/with-timestamps",
             f"^/v1/text-to-speech/{GEORGE}/with-timestamps$",
             lambda c, _t: SpeechService(c).with_timestamps(
                 GEORGE, SpeechRequest(text="Hi")), base=TIMED, extra=_timed_broken()),
    # Streamed: lines of JSON, each answer here being one line (the fault's bytes as sent).
    Endpoint("speech stream with timestamps", "POST",
             "/v1/text-to-speech/{voice_id}/stream/with-timestamps",
             f"^/v1/text-to-speech/{GEORGE}/stream/with-timestamps$", _speech_lines,
             base=TIMED, extra=_timed_broken()),
    Endpoint("dialogue stream with timestamps", "POST",
             "/v1/text-to-dialogue/stream/with-timestamps",
             "^/v1/text-to-dialogue/stream/with-timestamps$", _dialogue_lines),
    Endpoint("dialogue with timestamps", "POST", "/v1/text-to-dialogue/with-timestamps",
             "^/v1/text-to-dialogue/with-timestamps$",
             lambda c, _t: DialogueService(c).with_timestamps(DialogueRequest(
                 inputs=[DialogueInput(text="Hi", voice_id=GEORGE)]))),
    Endpoint("forced alignment", "POST", "/v1/forced-alignment", "^/v1/forced-alignment$",
             _alignment, base=ALIGNMENT, extra=_alignment_broken()),
    Endpoint("music finetunes", "GET", "/v1/music/finetunes", "^/v1/music/finetunes$",
             lambda c, _t: MusicFinetuneService(c).list()),
    Endpoint("music plan", "POST", "/v1/music/plan", "^/v1/music/plan$",
             lambda c, _t: MusicService(c).written_plan(
                 {"prompt": "calm piano", "music_length_ms": 10_000})),
    Endpoint("music upload", "POST", "/v1/music/upload", "^/v1/music/upload$",
             _upload),
]


def _base(endpoint: Endpoint) -> Any:
    if endpoint.base is not None:
        return endpoint.base
    return example(answer_schema(endpoint.method, endpoint.spec_path))


def _extra(endpoint: Endpoint, base: Any) -> list[tuple[str, Any]]:
    if endpoint.name == "subscription":
        return [*endpoint.extra, *_subscription_broken(base)]
    if endpoint.name == "history page":
        return [*endpoint.extra, *_history_broken(base)]
    return endpoint.extra


def all_mutations(endpoint: Endpoint) -> list[Mutation]:
    base = _base(endpoint)
    schema = answer_schema(endpoint.method, endpoint.spec_path)
    return mutations(endpoint.name, schema, base, _extra(endpoint, base))


def _serve(cloud: Cloud, endpoint: Endpoint, body: bytes) -> None:
    """The next matching request is answered with `body` (a `raw_body` fault), set on the
    server object directly: hundreds of them through the control endpoint, base64 in
    JSON, took most of the run. The answer itself still goes over HTTP."""
    fault = Fault.from_json({"path_regex": endpoint.path_regex, "method": endpoint.method,
                             "fault": "raw_body"})
    fault.raw_base64 = base64.b64encode(body).decode("ascii")
    with cloud.server.lock:
        cloud.server.faults[:] = [fault]


async def _outcome(client: ApiClient, cloud: Cloud, endpoint: Endpoint, mutation: Mutation,
                   tmp: Path) -> str | None:
    """None when the app coped; else what went wrong, in one line."""
    _serve(cloud, endpoint, mutation.body)
    try:
        await asyncio.wait_for(endpoint.call(client, tmp), CALL_DEADLINE_S)
    except TimeoutError:
        return f"{endpoint.name}: {mutation.name}: no answer within {CALL_DEADLINE_S:g} s"
    except APP_ERRORS as exc:
        # The Transcripts tab says what is wrong with a transcript in its own words.
        shown = (describe_transcripts_error("transcripts.fetch", exc)
                 if endpoint.call in (_transcript, _alignment) else describe_error(exc))
        if shown.title == "Something unexpected went wrong":
            return f"{endpoint.name}: {mutation.name}: shown as unexpected: {exc!r}"[:300]
    except Exception as exc:  # what escaped is the finding
        return f"{endpoint.name}: {mutation.name}: {type(exc).__name__}: {exc}"[:300]
    finally:
        with cloud.server.lock:  # a fault the call never reached must not meet the next one
            cloud.server.faults.clear()
    return None


def _rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
async def test_the_valid_answer_is_read(client: ApiClient, cloud: Cloud, endpoint: Endpoint,
                                        tmp_path: Path) -> None:
    """The base every mutation starts from is read: the mutations damage a good answer."""
    _serve(cloud, endpoint, encode(_base(endpoint)))
    await endpoint.call(client, tmp_path)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
async def test_damaged_answers_give_the_apps_own_errors(
        client: ApiClient, cloud: Cloud, endpoint: Endpoint, tmp_path: Path) -> None:
    before = _rss_bytes()
    problems = []
    for mutation in all_mutations(endpoint):
        problem = await _outcome(client, cloud, endpoint, mutation, tmp_path)
        if problem is not None:
            problems.append(problem)
    assert not problems, "\n".join(problems)
    assert _rss_bytes() - before < MAX_GROWTH_BYTES
