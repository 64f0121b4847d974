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
