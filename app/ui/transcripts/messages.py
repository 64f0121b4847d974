"""Plain words for what can go wrong in the Transcripts tab (on top of app/ui/errors.py)."""

from __future__ import annotations

from pathlib import Path

from app.api import errors as api
from app.api.alignment import AlignmentInputError
from app.api.transcripts import TranscriptionOptionsError
from app.audio.errors import AudioDecodeError
from app.domain.subtitles import SubtitlesNeedTimingsError
from app.domain.transcript import TranscriptFormatError
from app.ui.errors import UserMessage, autosave_failed, describe_error
from app.ui.transcripts.transcripts_controller import Opened
from app.ui.transcripts.transcripts_controller import TranscriptsController as C
from app.ui.widgets.player_bar import format_ms


def recording_unplayable(path: Path, error: object) -> UserMessage:
    """A linked long recording (played from disk) that cannot be opened any more."""
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        text = (f"{path.name} is no longer in {path.parent}: it was moved, renamed or "
                "deleted after it was linked.")
    else:
        text = f"{path.name} cannot be read any more ({error})."
    return UserMessage("The recording cannot be played", text,
                       "Put the file back, or use Link audio… to choose it again. The "
                       "transcript is not affected.")


def describe(task: str, exc: BaseException) -> UserMessage:
    if task == C.AUTOSAVE:
        return autosave_failed(exc)
    if isinstance(exc, TranscriptionOptionsError) and exc.only_the_file:
        return UserMessage("This file cannot be transcribed", " ".join(exc.problems),
                           "Choose another recording (Open…), then press Transcribe.")
    if isinstance(exc, TranscriptionOptionsError):
        return UserMessage("Some settings need a change", " ".join(exc.problems),
                           "Change them and press Transcribe again.")
    if isinstance(exc, AlignmentInputError):
        return UserMessage("This cannot be aligned", str(exc),
                           "Choose a text file with the script's words (and its "
                           "recording), then press Align again.")
    if isinstance(exc, TranscriptFormatError):
        return UserMessage("This is not a transcript XI Studio can read", str(exc),
                           "Choose a transcript saved by XI Studio or ElevenLabs (.json).")
    if isinstance(exc, api.NotFoundError) and task == C.FETCH:
        return UserMessage("No transcript with that id", exc.message,
                           "Check the id (copy it again from where you found it); "
                           "transcripts made with another account or server cannot be "
                           "fetched here.")
    if isinstance(exc, api.NotFoundError) and task == C.DELETE:
        return UserMessage("Already gone", "The server has no transcript with this id; "
                           "it may have been deleted before.",
                           "Nothing to do: your copy on this computer is kept.")
    if isinstance(exc, api.BadRequestError) and task == C.TRANSCRIBE:
        return UserMessage("The recording was not accepted", exc.message,
                           "Check the recording and settings, then press Transcribe again.")
    if isinstance(exc, AudioDecodeError) and task == C.AUDIO:
        return UserMessage("The recording could not be played", str(exc),
                           "The transcript is fine; use Link audio… to choose another copy "
                           "of the recording.")
    if isinstance(exc, SubtitlesNeedTimingsError):
        return UserMessage("No subtitles without word timings", str(exc),
                           "Export as text or JSON, or transcribe again with timestamps.")
    if task == C.OPEN and isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
        # (described as a file that "could not be written", with advice about disk space)
        why = exc.strerror or str(exc)
        name = f"{Path(exc.filename).name}: " if exc.filename else ""
        return UserMessage("This transcript could not be opened", f"{name}{why}.",
                           "Choose the transcript file itself (.json) and check that it can "
                           "be read, then open it again.")
    if isinstance(exc, FileNotFoundError):
        return UserMessage("File not found", str(exc),
                           "It may have been moved or deleted; open it from its new place.")
    return describe_error(exc)


def opened_summary(opened: Opened, kept: str = "Kept in History.") -> str:
    """The status line after a transcript arrives."""
    original = opened.original
    words = original.word_count
    what = {"transcribed": "Transcribed", "fetched": "Fetched",
            "aligned": "Aligned to the script"}.get(opened.how, "Opened")
    formats = ", ".join(p.suffix[1:].upper() for p in opened.saved_formats)
    extra = f" Also saved as {formats} next to it." if formats else ""
    audio = opened.source.audio_path
    if audio is None:
        listen = " Use Link audio… to play along."
    elif not audio.is_file():  # moved or deleted since: the tab cannot load it
        listen = (f" Its recording {audio.name} is no longer where it was: use Link "
                  "audio… to choose it again.")
    else:
        listen = ""
    if not original.has_timestamps:
        return (f"{what}: {words:,} words, without word timings (it was transcribed "
                "without timestamps), so it can be read, searched and exported as text "
                "or JSON, but not played along or made into subtitles.")
    return (f"{what}: {words:,} words, {len(original.speakers)} speaker(s), "
            f"{format_ms(original.duration_ms)} long. {kept}{extra}{listen}")


def queued_text(count: int) -> str:
    if not count:
        return "No recordings there to transcribe (audio or video files)."
    return (f"Queued {count} recording{'s' if count != 1 else ''}: each is transcribed in "
            "turn and kept in History; open a finished one from the Queue.")
