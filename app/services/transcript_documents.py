"""A transcript as a document people read: Word (.docx) and a clean printable web page.

One paragraph per speaker turn (or long pause), each starting with the speaker's name and
its time; the edited text (corrections, retyped phrases, new speakers) as it stands.
Optionally the doubtful words (low confidence, not corrected) are highlighted, so a
reader knows what to check. python-docx writes the Word file; the web page is plain
HTML with print styles (Print → Save as PDF gives a PDF).
"""

from __future__ import annotations

import html
import io
from collections.abc import Collection
from typing import Any

from app.domain.render_steps import Step, paced
from app.domain.transcript import Transcript, Word
from app.domain.transcript_lookup import is_low_confidence, paragraphs


def _clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _turns(transcript: Transcript) -> list[tuple[str, int, list[Word]]]:
    """(speaker name, start ms, the items) of each paragraph that has words."""
    out = []
    for p in paragraphs(transcript):
        items = [transcript.words[i] for i in p.word_indices]
        if any(w.kind != "spacing" and w.text.strip() for w in items):
            name = transcript.speaker_name(p.speaker_id) if p.speaker_id else ""
            out.append((name, p.start_ms, items))
    return out


def _doubtful(word: Word, corrected: Collection[int], threshold: float) -> bool:
    return word.index not in corrected and is_low_confidence(word, threshold)


def _pieces(items: list[Word]) -> list[Word]:
    """The items to print: no leading/trailing spaces, line breaks as spaces."""
    while items and items[0].kind == "spacing":
        items = items[1:]
    while items and items[-1].kind == "spacing":
        items = items[:-1]
    return items


def to_docx(transcript: Transcript, *, title: str = "Transcript", timestamps: bool = True,
            speakers: bool = True, highlight_doubtful: bool = False,
            corrected: Collection[int] = (), threshold: float = 0.5,
            step: Step | None = None) -> bytes:
    """The transcript as a Word document (bytes of a .docx file); `step` is called
    between paragraphs (app/domain/render_steps.py)."""
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for name, start_ms, items in paced(_turns(transcript), step):
        _docx_paragraph(document, name, start_ms, items, timestamps=timestamps,
                        speakers=speakers, highlight_doubtful=highlight_doubtful,
                        corrected=corrected, threshold=threshold)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_paragraph(document: Any, name: str, start_ms: int, items: list[Word], *,
                    timestamps: bool, speakers: bool, highlight_doubtful: bool,
                    corrected: Collection[int], threshold: float) -> None:
    """One speaker turn added to the Word document."""
    from docx.enum.text import WD_COLOR_INDEX

    paragraph = document.add_paragraph()
    if timestamps:
        paragraph.add_run(f"[{_clock(start_ms)}] ").italic = True
    if speakers and name:
        paragraph.add_run(f"{name}: ").bold = True
    for word in _pieces(items):
        text = " " if word.kind == "spacing" else word.text
        run = paragraph.add_run(text)
        if highlight_doubtful and _doubtful(word, corrected, threshold):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


_HTML_STYLE = """
body { font: 12pt/1.5 Georgia, 'DejaVu Serif', serif; max-width: 42em; margin: 2em auto;
       color: #111; }
h1 { font-size: 1.4em; }
p { margin: 0 0 0.8em; }
.time { color: #555; font-size: 0.85em; }
.speaker { font-weight: bold; }
mark { background: #ffe866; }
@media print { body { margin: 0; max-width: none; } }
"""


def to_html(transcript: Transcript, *, title: str = "Transcript", timestamps: bool = True,
            speakers: bool = True, highlight_doubtful: bool = False,
            corrected: Collection[int] = (), threshold: float = 0.5,
            step: Step | None = None) -> str:
    """The transcript as a clean, printable web page; `step` is called between
    paragraphs (app/domain/render_steps.py)."""
    body: list[str] = [f"<h1>{html.escape(title)}</h1>"]
    for name, start_ms, items in paced(_turns(transcript), step):
        body.append(_html_paragraph(name, start_ms, items, timestamps=timestamps,
                                    speakers=speakers, highlight_doubtful=highlight_doubtful,
                                    corrected=corrected, threshold=threshold))
    lang = html.escape(transcript.language_code or "en")
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_HTML_STYLE}</style>\n</head>\n"
            f"<body>\n{chr(10).join(body)}\n</body>\n</html>\n")


def _html_paragraph(name: str, start_ms: int, items: list[Word], *, timestamps: bool,
                    speakers: bool, highlight_doubtful: bool, corrected: Collection[int],
                    threshold: float) -> str:
    """One speaker turn as a paragraph of the web page."""
    parts = []
    if timestamps:
        parts.append(f'<span class="time">[{_clock(start_ms)}]</span> ')
    if speakers and name:
        parts.append(f'<span class="speaker">{html.escape(name)}:</span> ')
    for word in _pieces(items):
        text = " " if word.kind == "spacing" else html.escape(word.text)
        if highlight_doubtful and _doubtful(word, corrected, threshold):
            text = f"<mark>{text}</mark>"
        parts.append(text)
    return f"<p>{''.join(parts)}</p>"


__all__ = ["to_docx", "to_html"]
