"""Which scripts are written without spaces between words.

Japanese, Chinese and Thai put no space between words, yet the speech-to-text reply
splits them into separate word items (sometimes with spacing items between them).
Joining them with a space ("今日 は いい 天気") reads wrong and breaks search for
"いい天気", so everywhere words are joined (the viewer, search, subtitles, plain text)
asks `joins_without_space` first.
"""

from __future__ import annotations

# Inclusive code point ranges of scripts (and their punctuation) that use no spaces.
_NO_SPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。「」)
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31F0, 0x31FF),  # Katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF00, 0xFF65),  # full-width forms (！？，) and half-width CJK punctuation
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3134F),  # CJK extensions B-G
)


def is_no_space_char(char: str) -> bool:
    """True for a character of a script written without spaces between words."""
    if not char:
        return False
    code = ord(char)
    if code < 0x0E00:  # the common case (Latin, Cyrillic, Arabic...): one comparison
        return False
    return any(low <= code <= high for low, high in _NO_SPACE_RANGES)


def joins_without_space(left: str, right: str) -> bool:
    """True when the text `left` followed by `right` needs no space between them: the
    boundary touches a no-space script (Japanese, Chinese, Thai...)."""
    return is_no_space_char(left.rstrip()[-1:]) or is_no_space_char(right.lstrip()[:1])


def join_words(words: list[str] | tuple[str, ...]) -> str:
    """Words joined by single spaces, except where `joins_without_space` says not."""
    parts: list[str] = []
    for word in words:
        if parts and not joins_without_space(parts[-1], word):
            parts.append(" ")
        parts.append(word)
    return "".join(parts)
