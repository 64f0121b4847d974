"""What an API key may look like, and every form it could take in a message.

An ElevenLabs key is one line of printable ASCII without spaces. Anything else was
pasted wrongly (a second line of a file, a zero-width space from a web page): the key
is refused before it goes on the wire, with a message that says what is wrong and where,
without ever repeating the key. `secret_forms` lists the ways a key can appear in text
(raw, backslash-escaped as h11 and repr() print it, JSON-escaped, its lines on their own)
so that redaction finds all of them.
"""

from __future__ import annotations

import json
import unicodedata

_NAMED = {
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
    "\u00a0": "no-break space",
    "\u00ad": "soft hyphen",
}
MIN_FORM_LENGTH = 8  # shorter pieces would redact ordinary words, protecting nothing


class ApiKeyFormatError(ValueError):
    """The key cannot be a real key; the message says why (never the key itself).
    `from_environment`: it came from ELEVENLABS_API_KEY, which Settings cannot change."""

    def __init__(self, message: str, *, from_environment: bool = False) -> None:
        super().__init__(message)
        self.from_environment = from_environment


def _describe(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{name.lower()}, {code}" if name else code


def clean_api_key(raw: str | None) -> str:
    """The key with surrounding whitespace (and a trailing newline) removed; raises
    ApiKeyFormatError when what is left cannot be a key."""
    key = (raw or "").strip()
    if not key:
        raise ApiKeyFormatError("The key is empty. Paste your ElevenLabs API key.")
    for index, char in enumerate(key, start=1):
        if char in "\r\n\v\f\x85\u2028\u2029":
            raise ApiKeyFormatError(
                f"The key has a line break in it (after character {index - 1}). A key is "
                "one line: paste it again, or check the file or variable it comes from.")
        if char.isspace():
            raise ApiKeyFormatError(
                f"The key has a space in it at position {index}. A key has no spaces: "
                "paste it again.")
        if 33 <= ord(char) <= 126:
            continue
        category = unicodedata.category(char)
        if category in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn") or char in _NAMED:
            raise ApiKeyFormatError(
                f"The key contains an invisible character ({_describe(char)}) at position "
                f"{index} — paste it again, or type it, without it.")
        raise ApiKeyFormatError(
            f"The key contains the character “{char}” at position {index}, which no "
            "ElevenLabs key has (keys use only plain letters, digits and _ -). Paste it again.")
    return key


def secret_forms(secret: str) -> set[str]:
    """Every way `secret` may be written in a message or log line."""
    secret = secret.strip()
    if not secret:
        return set()
    forms = {secret}
    forms.add(repr(secret)[1:-1])  # str repr: \n, \t, \u200b ...
    forms.add(secret.encode("unicode_escape").decode("ascii"))
    forms.add(repr(secret.encode("utf-8", "backslashreplace"))[2:-1])  # h11: b'...\\n...'
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    pieces = [p for p in secret.replace("\r", "\n").split("\n")]
    forms.update(p.strip() for p in pieces if len(pieces) > 1)
    return {f for f in forms if len(f) >= MIN_FORM_LENGTH}


__all__ = ["ApiKeyFormatError", "clean_api_key", "secret_forms"]
