from __future__ import annotations

import re

from app.engine.espeak import Espeak
from app.engine.voices import ENGINE_VOICES, VoiceCatalog, VoiceQuery
from tests.support.spec import schema_named, validate_against


def test_voice_ids_look_like_the_clouds_and_are_unique() -> None:
    ids = [v.voice_id for v in ENGINE_VOICES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9]{20}", i) for i in ids)
    assert 8 <= len(ENGINE_VOICES) <= 12


def test_every_voice_is_spoken_by_espeak() -> None:
    espeak = Espeak()
    for voice in ENGINE_VOICES:
        result = espeak.synthesize(voice.preview_text, voice.espeak_name)
        assert result.duration_s > 1.0, voice.name


def test_voice_json_validates() -> None:
    for voice in ENGINE_VOICES:
        body = voice.to_json("http://127.0.0.1:1/")
        validate_against(schema_named("VoiceResponseModel"), body)
        assert body["preview_url"] == f"http://127.0.0.1:1/v1/engine/previews/{voice.voice_id}.mp3"
        assert set(body["labels"]) == {"accent", "gender", "age", "language", "use_case",
                                       "description"}
    assert ENGINE_VOICES[0].to_json(None)["preview_url"] is None


def test_search_filters() -> None:
    catalog = VoiceCatalog()
    names = lambda q: [v.name for v in catalog.search(q)]  # noqa: E731
    assert len(names(VoiceQuery())) == len(ENGINE_VOICES)
    assert names(VoiceQuery(search="ava")) == ["Ava (English, US)"]
    assert names(VoiceQuery(search="british male")) == ["Arthur (English, UK)"]
    assert all("English" in n for n in names(VoiceQuery(language=["en"])))
    assert names(VoiceQuery(gender="female", language=["de"])) == ["Lena (German)"]
    assert names(VoiceQuery(category="cloned")) == []
    assert names(VoiceQuery(voice_type="personal")) == []
    assert len(names(VoiceQuery(voice_type="default"))) == len(ENGINE_VOICES)
    ordered = names(VoiceQuery(sort="name", sort_direction="desc"))
    assert ordered == sorted(ordered, key=str.lower, reverse=True)
    one = ENGINE_VOICES[3].voice_id
    assert [v.voice_id for v in catalog.search(VoiceQuery(voice_ids=[one]))] == [one]


def test_cloud_premade_ids_resolve_for_synthesis_only() -> None:
    catalog = VoiceCatalog()
    george = "JBFqnCBsd6RMkjVDRZzb"
    assert catalog.get(george) is None
    resolved = catalog.resolve(george)
    assert resolved is not None and resolved.gender == "male" and resolved.accent == "british"
    assert catalog.resolve("nope") is None
