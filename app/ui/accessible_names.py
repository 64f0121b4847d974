"""What a screen reader says for controls whose text does not say it (icon-only buttons,
"◀ ▶", fields whose label sits beside them) and a description for each, applied by
objectName to a tab or dialog once it is built. A test walks every visible control and
fails on one without a spoken name or description, so this list cannot fall behind."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

ACCESSIBLE: dict[str, tuple[str, str]] = {
    # the player bar
    "player.play": ("Play or pause", "Plays the current audio, or pauses it (Space)"),
    "player.stop": ("Stop", "Stops playing and goes back to the start"),
    # Speech
    "speech.text": ("Text to speak", "What the voice will say; Tab moves on to Generate"),
    "speech.voice": ("Voice", "The voice that speaks the text; the search and filters "
                     "above only narrow this list"),
    "speech.model": ("Model", "The speech model: quality, speed and languages differ"),
    "speech.format": ("Output format", "The audio file's format and quality"),
    "speech.normalization": ("Text normalisation", "Whether numbers and abbreviations "
                             "are spelled out before speaking"),
    "speech.filter_language": ("Voice language filter", "Show only voices of this language"),
    "speech.filter_gender": ("Voice gender filter", "Show only voices of this gender"),
    "speech.filter_accent": ("Voice accent filter", "Show only voices with this accent"),
    "speech.filter_category": ("Voice type filter", "Show only voices of this type"),
    "speech.voice_search": ("Search voices", "Narrows the voice list by name, accent or "
                            "use; the chosen voice stays chosen"),
    # History
    "history.search": ("Search history", "Shows only what you generated with these words"),
    "history.list": ("History", "Everything you generated, newest first; Enter or a "
                     "double-click plays it"),
    # Transcripts
    "transcripts.search": ("Find in transcript", "Finds words in the transcript; Enter "
                           "for the next match, Shift+Enter for the previous"),
    "transcripts.search_prev": ("Previous match", "Goes to the previous match (Shift+Enter)"),
    "transcripts.search_next": ("Next match", "Goes to the next match (Enter)"),
    "transcripts.confidence": ("Flag words below this confidence",
                               "Words the service was less sure of are underlined"),
    "transcripts.granularity": ("Timestamps", "How finely the transcript is timed"),
    "transcripts.model": ("Transcription model", "The model that writes the transcript"),
    "transcripts.speakers": ("Speakers", "The speakers found; double-click to rename"),
    "transcripts.words": ("Transcript", "The transcript's paragraphs; click a word to play "
                          "from there, J and L jump 5 s"),
    "transcripts.review_speed": ("Playback speed", "How fast the recording plays for review; "
                                 "the pitch stays the same (Ctrl+Shift+Up/Down)"),
    "transcripts.turn_speaker": ("Give to speaker", "The speaker the selected paragraph or "
                                 "words are given to"),
    "transcripts.phrase_count": ("Words to retype", "How many words, from the selected one, "
                                 "the new text replaces"),
    "transcripts.queue": ("Transcription queue", "Recordings transcribed one after another, "
                          "each with its state and progress; Enter opens a finished one, "
                          "Delete removes the chosen ones"),
    "transcripts.url_input": ("Web address", "The https:// address of the recording to "
                              "transcribe; ElevenLabs fetches it"),
    "transcripts.record_level": ("Input level", "How loud the microphone hears you; "
                                 "it moves while you speak"),
    # Music
    "music.prompt": ("Song description", "Describe the song: style, mood, instruments, "
                     "lyrics' theme"),
    "music.model": ("Music model", "The model that composes the song"),
    "music.format": ("Music output format", "The song file's format and quality"),
    "music.seed": ("Seed", "The same seed and plan give (nearly) the same song"),
    "music.sections": ("Sections", "The song's sections in order; Alt+Up and Alt+Down "
                       "move one, Delete removes it"),
    "music.section_name": ("Section name", "The selected section's name"),
    "music.section_duration": ("Section length", "The selected section's length in seconds"),
    "music.section_lyrics": ("Lyrics", "One line per sung line; empty for an instrumental "
                             "section"),
    "music.details": ("Song details", "What the service said about the last song"),
    "music.section_choice": ("Section to play", "The section that Play section, Loop and "
                             "A/B play, with where it really falls in the version"),
    "music.duplicate_section": ("Duplicate section", "Copies the selected section (Ctrl+D)"),
    "music.delete_section": ("Delete section", "Deletes the selected section (Delete)"),
    # Scripts
    "scripts.model": ("Script model", "The speech model every block of the script is "
                      "made with"),
    "scripts.format": ("Script output format", "The audio files' format and quality"),
    "scripts.blocks": ("Script blocks", "The script's lines in order, each with its "
                       "speaker, text, state and chosen take; Alt+Up and Alt+Down move one"),
    "scripts.block_text": ("Text of the selected block", "Edit the block's words; put the "
                           "cursor where Split at cursor cuts it"),
    "scripts.takes": ("Takes of the selected block", "Every take made of the block; Use "
                      "take puts the selected one in the script"),
    # dialogs
    "settings.default_format": ("Default output format", "The format new speech starts with"),
    "settings.output_device": ("Sound output", "Where audio is played"),
    "settings.input_device": ("Microphone", "What Record… in the Transcripts tab records"),
    "about.licences": ("Licences", "The libraries XI Studio uses and their licences"),
    "about.model_licences": ("Offline model licences", "The offline voices and recognisers "
                             "you can install, each with its own licence"),
}


def name_controls(root: QWidget) -> None:
    """Give the controls under `root` (and `root` itself) their spoken name and
    description, leaving any that were set in the widget's own code."""
    for widget in [root, *root.findChildren(QWidget)]:
        entry = ACCESSIBLE.get(widget.objectName())
        if entry is None:
            continue
        name, description = entry
        if not widget.accessibleName():
            widget.setAccessibleName(name)
        if not widget.accessibleDescription():
            widget.setAccessibleDescription(description)
