"""Turn exceptions into plain words and a next step for people who are not programmers."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, replace

from app.api import errors as api
from app.audio.errors import AudioDecodeError
from app.audio.player import AudioDeviceError
from app.domain.api_key import ApiKeyFormatError
from app.library.history import AudioMissingError
from app.library.logs import redact


@dataclass(frozen=True)
class UserMessage:
    title: str
    text: str
    next_step: str
    can_retry: bool = False
    #: The retry button's words, when it does something other than the same again (e.g.
    #: "Make them one by one" after a refused dialogue).
    retry_label: str = "Try again"

    def as_text(self) -> str:
        return f"{self.title}. {self.text} {self.next_step}".strip()


def wait_words(seconds: float | None) -> str:
    """" a moment", " about 40 s", " about 5 minutes", " about an hour"."""
    if seconds is None or not math.isfinite(seconds) or seconds < 2:
        return " a moment"
    if seconds < 120:
        return f" about {math.ceil(seconds)} s"
    if seconds < 3000:
        return f" about {round(seconds / 60)} minutes"
    return " about an hour" if seconds <= api.MAX_RETRY_AFTER_S else " a few hours"


def restricted_key_text(exc: api.MissingPermissionsError) -> str:
    what = exc.permission or "this feature"
    return (f"This key works but is not allowed to use {what}. In your ElevenLabs account "
            "give it that permission, or use another key.")


#: How the local engine says an offline voice is missing or damaged on this computer
#: (app/engine/piper_voices.py): it is not about the user's ElevenLabs account.
OFFLINE_VOICE_WORDS = "this computer"

#: What a failed generation leaves untouched, said after the next step. Other work passes
#: its own words (stems: "The version is unchanged."), or "" where nothing was typed.
TEXT_KEPT = "Your text is kept."


def describe_error(exc: BaseException, kept: str = TEXT_KEPT) -> UserMessage:
    """The message a user sees for an exception raised by a task (any key that slipped
    into it, raw or escaped, is taken out). `kept` says what the failure left as it was:
    "Your text is kept." fits Speech and Scripts, not account history or stems."""
    message = _describe(exc, kept)
    return replace(message, title=redact(message.title), text=redact(message.text),
                   next_step=redact(message.next_step))


def autosave_failed(exc: BaseException) -> UserMessage:
    """An autosave that failed: the work is still open, only the copy on disk is behind
    (said, not left silent, so the user can act before closing the app)."""
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return UserMessage(
        "Your work could not be saved",
        f"Why: {redact(why or type(exc).__name__)}; it is still open here.",
        "Free some disk space or check the data folder's permissions; it is saved again "
        "with your next change.")


def _field_summary(exc: api.ValidationError) -> str:
    parts = []
    for field in exc.field_errors[:3]:
        name = ".".join(str(p) for p in field.loc if p not in ("body", "query"))
        parts.append(f"{name or 'request'}: {field.message}")
    return "; ".join(parts)


def _then(step: str, kept: str) -> str:
    return f"{step} {kept}" if kept else step


def _describe(exc: BaseException, kept: str) -> UserMessage:
    if isinstance(exc, ApiKeyFormatError | api.ApiKeyError):
        text = exc.message if isinstance(exc, api.ApiKeyError) else str(exc)
        if getattr(exc, "from_environment", False):
            return UserMessage("The API key cannot be used", text,
                               "Correct the ELEVENLABS_API_KEY variable (or unset it and "
                               "use Settings), then start XI Studio again.")
        return UserMessage("The API key cannot be used", text,
                           "Open Settings (Ctrl+,) and paste the key again.")
    if isinstance(exc, api.MissingPermissionsError):
        return UserMessage("This key is restricted", restricted_key_text(exc),
                           "Your text and settings are kept." if kept == TEXT_KEPT else kept)
    if isinstance(exc, api.ServerReportedError):
        return UserMessage("The server reported a problem", exc.message,
                           "Nothing was saved from this answer. Try again; if it keeps "
                           "happening, check the server address in Settings.", can_retry=True)
    if isinstance(exc, api.QuotaExceededError):
        return UserMessage(
            "Out of credits",
            "Your ElevenLabs account has used up its characters for this period.",
            "Wait for your quota to reset, upgrade your plan, or remove the key in Settings to "
            "use the free offline voices.",
        )
    if isinstance(exc, api.AuthError):
        return UserMessage(
            "The API key was not accepted",
            "ElevenLabs says the key is missing, wrong or revoked.",
            "Open Settings (Ctrl+,) and paste a valid key, or remove it to use offline voices.",
        )
    if isinstance(exc, api.ForbiddenError):
        return UserMessage(
            "Not included in your plan",
            exc.message,
            "Choose another output format or voice, or upgrade your ElevenLabs plan.",
        )
    if isinstance(exc, api.NotFoundError) and exc.code == "voice_not_found":
        if OFFLINE_VOICE_WORDS in exc.message:  # the local engine's: damaged or removed
            return UserMessage("This offline voice cannot be used", exc.message,
                               _then("Pick another voice, or install this one again in "
                                     "Settings.", kept))
        return UserMessage(
            "This voice is not available",
            exc.message,
            _then("It may have been removed from your account: pick another voice and try "
                  "again.", kept),
        )
    if isinstance(exc, api.NotFoundError) and exc.code == "pronunciation_dictionary_not_found":
        return UserMessage(
            "A pronunciation dictionary is missing",
            exc.message,
            _then("It may have been deleted on the server: open Pronunciation… on the Speech "
                  "tab, which detaches missing dictionaries, then generate again.", kept),
        )
    if isinstance(exc, api.NotFoundError) and exc.code == "song_not_found":
        return UserMessage(
            "The server no longer has this song",
            "The server no longer has this song; upload it again. (It keeps songs for a "
            "while only, or was restarted since.)",
            "Press Your song… to upload it again, or untick Keep on the kept sections "
            "and compose them anew. Your plan is kept.",
        )
    if isinstance(exc, api.NotFoundError):
        return UserMessage(
            "Not found",
            exc.message,
            "What you asked for may have been deleted, or its id is wrong: pick another voice, "
            "or check the transcription id or server address, then try again.",
        )
    if isinstance(exc, api.ValidationError):
        return UserMessage(
            "The server did not accept a setting",
            _field_summary(exc) or exc.message,
            "Check the highlighted setting and try again.",
        )
    if isinstance(exc, api.BadRequestError) and exc.code == "invalid_audio":
        # A file sent as audio (your song, stems, a recording): the text and settings
        # are not what to change.
        return UserMessage("The file is not audio the server can read", exc.message,
                           "Choose an audio file (MP3, WAV, FLAC or OGG) and try again.")
    if isinstance(exc, api.BadRequestError):
        return UserMessage("The request was refused", exc.message, "Adjust the text or settings "
                           "and try again.")
    if isinstance(exc, api.RateLimitError):
        wait = wait_words(exc.retry_after_s)
        if exc.is_concurrency_limit:
            return UserMessage(
                "Too many generations at once",
                "Your plan allows only a few requests at the same time.",
                f"Wait{wait} for the others to finish, then press Generate again.",
                can_retry=True,
            )
        return UserMessage(
            "ElevenLabs is busy",
            "The service is under heavy load right now.",
            _then(f"Try again in{wait}.", kept),
            can_retry=True,
        )
    if isinstance(exc, api.ServerError):
        return UserMessage(
            "The server had a problem",
            f"It answered with error {exc.status_code}.",
            _then("This is usually temporary: try again in a minute.", kept),
            can_retry=True,
        )
    if isinstance(exc, api.ApiTimeoutError):
        return UserMessage(
            "The server took too long to answer",
            "No reply arrived in time.",
            "Check your internet connection and try again.",
            can_retry=True,
        )
    if isinstance(exc, api.ApiConnectionError):
        return UserMessage(
            "Could not reach the server",
            exc.message,
            "Check your internet connection or the server address in Settings, then try again. "
            "Without a key, XI Studio uses its offline voices.",
            can_retry=True,
        )
    if isinstance(exc, api.ApiProtocolError):
        return UserMessage(
            "The server's answer could not be used",
            exc.message,
            "Try again; if it keeps happening, check the server address in Settings.",
            can_retry=True,
        )
    if isinstance(exc, api.ApiError):
        return UserMessage("Something went wrong", exc.message, "Try again.", can_retry=True)
    if isinstance(exc, AudioDeviceError):
        return UserMessage("Sound output problem", str(exc),
                           "Pick another output device in Settings; you can still save the audio.")
    if isinstance(exc, AudioDecodeError):
        return UserMessage("The audio could not be read", str(exc),
                           "Try another output format.")
    if isinstance(exc, AudioMissingError):
        return UserMessage("The audio is no longer there", str(exc),
                           "Re-open it from History (if it is still listed) to make it again.")
    if isinstance(exc, sqlite3.Error):
        return UserMessage(
            "History could not be read",
            f"Its database answered: {exc}.",
            "Close any other copy of XI Studio and try again. What you made is still in "
            "the data folder.",
            can_retry=True,
        )
    if isinstance(exc, OSError):
        return UserMessage(
            "Could not write a file",
            exc.strerror or str(exc),
            "Check that the disk has space and the folder can be written to.",
        )
    return UserMessage("Something unexpected went wrong", str(exc) or type(exc).__name__,
                       "Try again. If it keeps happening, the log in the data folder has details.")
