from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.domain.stt_options import (
    ADDITIONAL_FORMATS_MAX,
    EXPORT_FORMATS,
    JSON_PART_FIELDS,
    KEYTERMS_MAX_COUNT,
    STT_MODEL_IDS,
    TIMESTAMPS_GRANULARITIES,
    ExportFormat,
    TranscriptionOptions,
)

SPEC = Path(__file__).parents[1] / "contract" / "openapi-subset.json"


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return json.loads(SPEC.read_text())["components"]["schemas"]


def test_defaults_are_valid_and_minimal() -> None:
    options = TranscriptionOptions()
    assert options.validate() == []
    assert options.to_form_fields() == [("model_id", "scribe_v2")]
    assert options.to_query_params() == []


def test_constants_match_the_spec(schemas: dict[str, Any]) -> None:
    body = schemas["Body_Speech_to_Text_v1_speech_to_text_post"]["properties"]
    assert tuple(body["model_id"]["enum"]) == STT_MODEL_IDS
    assert tuple(body["timestamps_granularity"]["enum"]) == TIMESTAMPS_GRANULARITIES
    assert schemas["AdditionalFormats"]["maxItems"] == ADDITIONAL_FORMATS_MAX
    mapping = schemas["ExportOptions"]["discriminator"]["mapping"]
    assert set(mapping) == set(EXPORT_FORMATS)
    assert "1000" in body["keyterms"]["description"]
    speakers = body["num_speakers"]["anyOf"][0]
    assert (speakers["minimum"], speakers["maximum"]) == (1, 32)
    options = TranscriptionOptions()
    for name in body:
        if name not in {"file", "cloud_storage_url"}:
            assert hasattr(options, name), name


def test_every_field_name_is_in_the_spec(schemas: dict[str, Any]) -> None:
    body = schemas["Body_Speech_to_Text_v1_speech_to_text_post"]["properties"]
    options = TranscriptionOptions(
        model_id="scribe_v2",
        language_code="en",
        tag_audio_events=False,
        num_speakers=3,
        timestamps_granularity="character",
        diarize=True,
        additional_formats=(ExportFormat("srt", max_characters_per_line=32),),
        file_format="pcm_s16le_16",
        source_url="https://example.com/a.mp3",
        webhook=True,
        webhook_id="wh_1",
        webhook_metadata={"job": "42"},
        temperature=0.5,
        seed=7,
        use_multi_channel=True,
        multichannel_output_style="separate",
        entity_detection="all",
        entity_redaction=("pii",),
        entity_redaction_mode="redacted",
        keyterms=("XI Studio", "Scribe"),
        no_verbatim=True,
        use_speaker_library=True,
    )
    assert options.validate() == []
    fields = options.to_form_fields()
    assert {name for name, _ in fields} <= set(body)
    as_dict = dict(fields)
    assert as_dict["tag_audio_events"] == "false"
    assert as_dict["diarize"] == "true"
    assert as_dict["num_speakers"] == "3"
    assert as_dict["temperature"] == "0.5"
    assert as_dict["entity_detection"] == '"all"'
    assert json.loads(as_dict["entity_redaction"]) == ["pii"]
    assert json.loads(as_dict["webhook_metadata"]) == {"job": "42"}
    assert [v for k, v in fields if k == "keyterms"] == ["XI Studio", "Scribe"]
    assert json.loads(as_dict["additional_formats"]) == [
        {"format": "srt", "max_characters_per_line": 32}
    ]
    assert "additional_formats" in JSON_PART_FIELDS
    assert all(isinstance(v, str) for _, v in fields)


def test_additional_formats_validate_against_the_spec(schemas: dict[str, Any]) -> None:
    import jsonschema  # a test dependency (pyproject.toml): never skipped
    items = [
        ExportFormat("segmented_json"),
        ExportFormat("docx", include_speakers=False),
        ExportFormat("pdf", include_timestamps=False),
        ExportFormat("txt", max_characters_per_line=80, max_segment_chars=200),
        ExportFormat("html", segment_on_silence_longer_than_s=1.5),
        ExportFormat("srt", max_segment_duration_s=3.0),
    ]
    options = TranscriptionOptions(additional_formats=tuple(items))
    assert options.validate() == []
    value = json.loads(dict(options.to_form_fields())["additional_formats"])
    schema = {"$ref": "#/components/schemas/AdditionalFormats", "components": {"schemas": schemas}}
    jsonschema.validate(value, schema)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"model_id": "scribe_v9"}, "model"),
        ({"language_code": "english"}, "ISO 639"),
        ({"num_speakers": 0}, "number of speakers"),
        ({"num_speakers": 33}, "number of speakers"),
        ({"diarization_threshold": 0.3}, "only applies"),
        ({"diarize": True, "diarization_threshold": 0.5}, "between 0.1 and 0.4"),
        ({"diarize": True, "num_speakers": 2, "diarization_threshold": 0.2}, "not both"),
        ({"timestamps_granularity": "sentence"}, "Timestamps"),
        ({"file_format": "mp3"}, "file format"),
        ({"source_url": "ftp://x"}, "http"),
        ({"model_id": "scribe_v1", "no_verbatim": True}, "scribe_v2"),
        ({"webhook_id": "w"}, "webhook"),
        ({"webhook_metadata": "{bad"}, "not valid JSON"),
        ({"webhook_metadata": "[1]"}, "JSON object"),
        ({"webhook_metadata": {"a": {"b": {"c": 1}}}}, "nest"),
        ({"webhook_metadata": {"a": "x" * 17_000}}, "16 KB"),
        ({"temperature": 2.5}, "Temperature"),
        ({"seed": -1}, "seed"),
        (
            {
                "use_multi_channel": True,
                "multichannel_output_style": "combined",
                "timestamps_granularity": "none",
            },
            "needs timestamps",
        ),
        (
            {
                "use_multi_channel": True,
                "multichannel_output_style": "combined",
                "entity_detection": "all",
            },
            "entities",
        ),
        ({"entity_redaction": "pii"}, "entity detection"),
        ({"entity_detection": "all", "entity_redaction_mode": "blur"}, "redaction style"),
        ({"detect_speaker_roles": True}, "diarize"),
        ({"detect_speaker_roles": True, "diarize": True, "use_multi_channel": True}, "channel"),
        ({"keyterms": ("",)}, "empty"),
        ({"keyterms": ("x" * 50,)}, "longer than 49"),
        ({"keyterms": ("one two three four five six",)}, "more than 5 words"),
        ({"keyterms": ("a<b",)}, "not allowed"),
        ({"keyterms": ("k",) * (KEYTERMS_MAX_COUNT + 1)}, "At most 1000"),
        ({"additional_formats": (ExportFormat("srt"),) * 11}, "At most 10"),
        ({"additional_formats": (ExportFormat("pdf", max_characters_per_line=40),)}, "pdf"),
        ({"additional_formats": (ExportFormat("srt", max_segment_chars=0),)}, "more than zero"),
    ],
)
def test_problems_in_plain_words(changes: dict[str, Any], words: str) -> None:
    problems = replace(TranscriptionOptions(), **changes).validate()
    assert problems, changes
    assert any(words in p for p in problems), problems


def test_limits_themselves_are_allowed() -> None:
    options = TranscriptionOptions(
        diarize=True,
        diarization_threshold=0.4,
        num_speakers=None,
        keyterms=("x" * 49, "one two three four five") + ("k",) * 998,
        seed=2_147_483_647,
        temperature=0.0,
        additional_formats=(ExportFormat("txt"),) * 10,
        webhook_metadata={"a": {"b": 1}},
        language_code="eng",
    )
    assert options.validate() == []
    fields = options.to_form_fields()
    assert ("diarization_threshold", "0.4") in fields
    assert sum(1 for k, _ in fields if k == "keyterms") == 1000


def test_logging_off_is_a_query_parameter() -> None:
    options = TranscriptionOptions(enable_logging=False)
    assert options.to_query_params() == [("enable_logging", "false")]
    assert "enable_logging" not in dict(options.to_form_fields())
