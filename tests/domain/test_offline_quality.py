from app.domain.offline_quality import DRAFT_TEXT, offline_note


def test_cloud_transcripts_have_no_note() -> None:
    assert offline_note({"text": "hi"}) is None


def test_pocketsphinx_is_a_draft() -> None:
    note = offline_note({"xi_studio_engine": {"recognizer": "pocketsphinx", "approximate": True}})
    assert note is not None and note[0] == DRAFT_TEXT


def test_whisper_names_its_model_and_is_not_a_draft() -> None:
    note = offline_note({"xi_studio_engine": {"recognizer": "whisper", "approximate": False,
                                              "model": "whisper-base",
                                              "model_title": "Whisper base"}})
    assert note is not None and note[0] == "Offline (Whisper base)"
    assert "draft" not in note[0].lower()


def test_a_fallback_says_why() -> None:
    note = offline_note({"xi_studio_engine": {"approximate": True, "note": "model gone"}})
    assert note is not None and "model gone" in note[1]
