"""Applying pronunciation rules before espeak-ng speaks, keeping the way back to the
original text (the with-timestamps alignment must describe what the user wrote).

Alias rules replace the word with the alias. Phoneme rules become espeak-ng phoneme
input, `[[...]]` in espeak's own mnemonics (synthesised with the espeakPHONEMES flag):
IPA and CMU arpabet are converted for the common English phonemes. A pronunciation with a
symbol outside that table (clicks, tones, most non-English vowels) cannot be converted:
that rule is skipped and the word is read as written (`Rewritten.skipped` says which).
Rules apply in order, first match wins, never inside text another rule already replaced
(as the API applies dictionaries in order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.pronunciation import AliasRule, PhonemeRule, Rule, rule_pattern

# IPA -> espeak-ng (English) mnemonics; longest symbols first when matching.
_IPA = {
    "tʃ": "tS", "t͡ʃ": "tS", "dʒ": "dZ", "d͡ʒ": "dZ",
    "aɪ": "aI", "aʊ": "aU", "eɪ": "eI", "oʊ": "oU", "əʊ": "oU", "ɔɪ": "OI",
    "ɪə": "i@", "eə": "e@", "ʊə": "U@",
    "ɑː": "A:", "ɔː": "O:", "ɜː": "3:", "iː": "i:", "uː": "u:",
    "ɑ": "A:", "æ": "a", "ʌ": "V", "ɔ": "O:", "ə": "@", "ɛ": "E", "e": "e", "ɪ": "I",
    "i": "i", "ʊ": "U", "u": "u:", "ɒ": "0", "ɚ": "3", "ɝ": "3:", "ɜ": "3:", "o": "o",
    "a": "a", "ɐ": "V",
    "b": "b", "d": "d", "f": "f", "ɡ": "g", "g": "g", "h": "h", "j": "j", "k": "k",
    "l": "l", "m": "m", "n": "n", "p": "p", "ɹ": "r", "r": "r", "ɾ": "t", "s": "s",
    "t": "t", "v": "v", "w": "w", "z": "z", "ʃ": "S", "ʒ": "Z", "θ": "T", "ð": "D",
    "ŋ": "N", "ʔ": "?", "x": "x", "ɫ": "l", "ʍ": "w",
    "ˈ": "'", "ˌ": ",", "ː": ":", ".": "", " ": " ", "/": "", "[": "", "]": "",
    "\u0329": "",  # syllabic mark
}
_IPA_KEYS = sorted(_IPA, key=len, reverse=True)

_ARPABET = {
    "AA": "A:", "AE": "a", "AH": "V", "AO": "O:", "AW": "aU", "AY": "aI", "EH": "E",
    "ER": "3:", "EY": "eI", "IH": "I", "IY": "i:", "OW": "oU", "OY": "OI", "UH": "U",
    "UW": "u:", "AX": "@", "AXR": "3",
    "B": "b", "CH": "tS", "D": "d", "DH": "D", "F": "f", "G": "g", "HH": "h", "JH": "dZ",
    "K": "k", "L": "l", "M": "m", "N": "n", "NG": "N", "P": "p", "R": "r", "S": "s",
    "SH": "S", "T": "t", "TH": "T", "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "Z",
}


def ipa_to_espeak(ipa: str) -> str | None:
    """espeak-ng mnemonics for an IPA transcription, or None if a symbol is unknown."""
    out: list[str] = []
    i = 0
    while i < len(ipa):
        key = next((k for k in _IPA_KEYS if ipa.startswith(k, i)), None)
        if key is None:
            return None
        out.append(_IPA[key])
        i += len(key)
    text = "".join(out).strip()
    return text or None


def arpabet_to_espeak(arpabet: str) -> str | None:
    """espeak-ng mnemonics for CMU arpabet ("T AH0 M EY1 T OW2"), or None if unknown."""
    out: list[str] = []
    for token in arpabet.replace(",", " ").split():
        token = token.strip().upper()
        stress = token[-1] if token[-1:].isdigit() else ""
        base = token.rstrip("012")
        if base == "AH" and stress == "0":
            base = "AX"  # unstressed AH is schwa
        sound = _ARPABET.get(base)
        if sound is None:
            return None
        out.append({"1": "'", "2": ","}.get(stress, "") + sound)
    return "".join(out) or None


def espeak_phonemes(rule: PhonemeRule) -> str | None:
    if rule.alphabet == "cmu-arpabet":
        return arpabet_to_espeak(rule.phoneme)
    return ipa_to_espeak(rule.phoneme)


@dataclass(frozen=True, slots=True)
class _Span:
    original_start: int
    original_end: int
    new_start: int
    new_end: int


@dataclass(slots=True)
class Rewritten:
    """The text espeak speaks, and how its positions map back to the original."""

    text: str
    uses_phonemes: bool = False
    spans: list[_Span] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # phoneme rules espeak cannot say

    def to_original(self, index: int) -> int:
        """The original position of position `index` of the rewritten text."""
        shift = 0
        for span in self.spans:
            if index < span.new_start:
                break
            if index < span.new_end:
                return span.original_start
            shift = span.new_end - span.original_end
        return index - shift


def rewrite(text: str, rules: Sequence[Rule]) -> Rewritten:
    """Apply the rules to `text` (see the module docstring)."""
    # (start, end, replacement) of every accepted match, never overlapping.
    taken: list[tuple[int, int, str]] = []
    skipped: list[str] = []
    uses_phonemes = False
    for rule in rules:
        if isinstance(rule, AliasRule):
            replacement = rule.alias
        else:
            mnemonics = espeak_phonemes(rule)
            if mnemonics is None:
                if rule_pattern(rule).search(text):
                    skipped.append(rule.string_to_replace)
                continue
            replacement = f" [[{mnemonics}]] "
        for match in rule_pattern(rule).finditer(text):
            start, end = match.span()
            if start == end or any(s < end and start < e for s, e, _ in taken):
                continue
            taken.append((start, end, replacement))
            uses_phonemes = uses_phonemes or isinstance(rule, PhonemeRule)
    taken.sort()
    parts: list[str] = []
    spans: list[_Span] = []
    cursor = 0
    length = 0
    for start, end, replacement in taken:
        parts.append(text[cursor:start])
        length += start - cursor
        spans.append(_Span(start, end, length, length + len(replacement)))
        parts.append(replacement)
        length += len(replacement)
        cursor = end
    parts.append(text[cursor:])
    return Rewritten("".join(parts), uses_phonemes, spans, skipped)


__all__ = ["Rewritten", "arpabet_to_espeak", "espeak_phonemes", "ipa_to_espeak", "rewrite"]
