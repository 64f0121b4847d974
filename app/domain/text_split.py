"""Split long text at sentence boundaries so each piece fits a model's limit."""

from __future__ import annotations

import re

# A sentence ends at ., !, ? or … (optionally followed by closing quotes/brackets) and
# whitespace; a paragraph break always ends one.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n\s*\n")


def split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        pieces.append(text[start:end])
        start = end
    if start < len(text):
        pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def _hard_split(sentence: str, limit: int) -> list[str]:
    """A sentence longer than the limit: cut at the last space (or anywhere) before it."""
    parts: list[str] = []
    rest = sentence
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        parts.append(rest)
    return parts


def split_for_limit(text: str, limit: int) -> list[str]:
    """Greedy packing of whole sentences into chunks of at most `limit` characters.

    Joining the chunks gives back the text exactly, so nothing the user wrote is lost.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text] if text else []
    chunks: list[str] = []
    current = ""
    for sentence in split_sentences_keep_all(text):
        for piece in _hard_split(sentence, limit) if len(sentence) > limit else [sentence]:
            if current and len(current) + len(piece) > limit:
                chunks.append(current)
                current = ""
            current += piece
    if current:
        chunks.append(current)
    return chunks


def split_sentences_keep_all(text: str) -> list[str]:
    """Like split_sentences, but whitespace-only tails are kept so joins are lossless."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces
