"""`describe_error` only takes keys out of the message `_describe` words: every other
part (can it be retried, what the retry button says) reaches the banner as worded."""

from __future__ import annotations

import pytest

from app.ui import errors
from app.ui.errors import UserMessage, describe_error


def test_the_retry_buttons_words_and_the_next_step_survive(
        monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk_" + "a1" * 24
    worded = UserMessage("Could not make the dialogue", f"The server said no ({key}).",
                         f"Make the lines one by one ({key}).", can_retry=True,
                         retry_label="Make them one by one")
    monkeypatch.setattr(errors, "_describe", lambda _exc, _kept: worded)
    monkeypatch.setattr(errors, "redact", lambda text: text.replace(key, "[key]"))
    message = describe_error(RuntimeError("refused"))
    assert message == UserMessage("Could not make the dialogue", "The server said no ([key]).",
                                  "Make the lines one by one ([key]).", can_retry=True,
                                  retry_label="Make them one by one")


def test_an_offline_voice_that_is_gone_is_not_said_to_be_off_the_account() -> None:
    """The local engine's 404 for a Piper voice removed from (or damaged on) this computer
    carries the same code as the cloud's; the next step must not send the user to their
    ElevenLabs account."""
    from app.api.errors import NotFoundError
    from app.engine.piper_voices import stable_voice_id, voice_not_found_message
    from app.library.models.catalogue import CATALOGUE

    piper = next(entry for entry in CATALOGUE if entry.kind == "piper")
    engine_says = voice_not_found_message(stable_voice_id(piper.name))
    message = describe_error(NotFoundError(404, "voice_not_found", engine_says))
    assert message.title == "This offline voice cannot be used"
    assert "account" not in message.next_step
    assert "install this one again in Settings" in message.next_step
    removed = ("The voice Joe (English, US) · Piper was removed from this computer. Choose "
               "another voice, or install it again in Settings > Offline voices and "
               "transcripts.")  # app/engine/piper_voices.py, PiperSpeaker._voice
    assert describe_error(NotFoundError(404, "voice_not_found", removed)).title == \
        "This offline voice cannot be used"
    cloud_says = "A voice with the voice_id abc was not found."
    message = describe_error(NotFoundError(404, "voice_not_found", cloud_says))
    assert "removed from your account" in message.next_step
