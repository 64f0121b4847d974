"""Pronunciation rules: alias ("XI" -> "eleven") and phoneme (IPA or CMU arpabet) rules,
their JSON wire shape, and W3C PLS (Pronunciation Lexicon Specification) files.

Rules are plain data; `rule_from_json`/`rule_to_json` speak the API's shapes
(`PronunciationDictionaryAliasRuleRequestModel`, `...PhonemeRuleRequestModel`), and
`read_pls`/`write_pls` the `.pls` files the API imports and exports. A PLS file has no
place for the API's `case_sensitive`/`word_boundaries` flags: they come back as their
defaults (True), which is what the API itself does with an imported file.

Per ElevenLabs' documentation, phoneme rules are honoured only by the English models
eleven_flash_v2, eleven_turbo_v2 and eleven_monolingual_v1; other models skip them
(alias rules work everywhere). `model_honours_phonemes` says which is which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.domain.local_engine import ENGINE_MODEL_ID

ALPHABETS = ("ipa", "cmu-arpabet")
PLS_NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
MAX_LOCATORS = 3  # the API applies at most three dictionaries per request, in order
PHONEME_MODELS = ("eleven_flash_v2", "eleven_turbo_v2", "eleven_monolingual_v1")
PHONEME_MODELS_NOTE = (
    "Phoneme rules are used only by the English models Eleven Flash v2, Eleven Turbo v2 "
    "and Eleven English v1; other models skip them. Alias rules work with every model.")


class RuleError(ValueError):
    """A rule the API would refuse (empty word, unknown alphabet...)."""


class PlsError(ValueError):
    """A `.pls` file that cannot be read; the message says what is wrong and where."""


@dataclass(frozen=True, slots=True)
class AliasRule:
    string_to_replace: str
    alias: str
    case_sensitive: bool = True
    word_boundaries: bool = True
    kind = "alias"


@dataclass(frozen=True, slots=True)
class PhonemeRule:
    string_to_replace: str
    phoneme: str
    alphabet: str = "ipa"
    case_sensitive: bool = True
    word_boundaries: bool = True
    kind = "phoneme"


Rule = AliasRule | PhonemeRule


def model_honours_phonemes(model_id: str | None) -> bool:
    # XI Studio's offline engine says phoneme rules too, where espeak-ng can (app/engine).
    return model_id in PHONEME_MODELS or model_id == ENGINE_MODEL_ID


def check_rule(rule: Rule) -> Rule:
    """The rule, or RuleError saying plainly what is wrong with it."""
    if not rule.string_to_replace.strip():
        raise RuleError("A rule needs the word or phrase it replaces; this one is empty.")
    if isinstance(rule, AliasRule):
        if not rule.alias.strip():
            raise RuleError(f"Say what to read instead of “{rule.string_to_replace}”: "
                            "the alias is empty.")
    else:
        if rule.alphabet not in ALPHABETS:
            raise RuleError(f"Unknown phonetic alphabet “{rule.alphabet}”: use IPA or "
                            "CMU arpabet.")
        if not rule.phoneme.strip():
            raise RuleError(f"Write how “{rule.string_to_replace}” sounds: the "
                            "pronunciation is empty.")
    return rule


def rule_to_json(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = {"string_to_replace": rule.string_to_replace,
                            "type": rule.kind,
                            "case_sensitive": rule.case_sensitive,
                            "word_boundaries": rule.word_boundaries}
    if isinstance(rule, AliasRule):
        data["alias"] = rule.alias
    else:
        data["phoneme"] = rule.phoneme
        data["alphabet"] = rule.alphabet
    return data


def rule_from_json(data: Any) -> Rule:
    if not isinstance(data, dict):
        raise RuleError("A rule must be a JSON object.")
    try:
        word = str(data["string_to_replace"])
        flags = {"case_sensitive": bool(data.get("case_sensitive", True)),
                 "word_boundaries": bool(data.get("word_boundaries", True))}
        if data.get("type") == "alias":
            return AliasRule(word, str(data["alias"]), **flags)
        if data.get("type") == "phoneme":
            return PhonemeRule(word, str(data["phoneme"]), str(data["alphabet"]), **flags)
    except KeyError as exc:
        raise RuleError(f"A rule is missing “{exc.args[0]}”.") from None
    raise RuleError(f"Unknown rule type {data.get('type')!r}: expected alias or phoneme.")


# -- PLS -------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_pls(data: bytes) -> list[Rule]:
    """The rules of a PLS lexicon; PlsError for anything that is not one."""
    import xml.etree.ElementTree as ET

    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise PlsError("This file declares a DOCTYPE or entities, which a pronunciation "
                       "lexicon never needs; it was not read.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise PlsError(f"This is not a readable .pls file: the XML breaks at line {line}, "
                       f"column {column + 1}.") from None
    if _local(root.tag) != "lexicon":
        raise PlsError(f"This XML file is not a pronunciation lexicon: its root is "
                       f"<{_local(root.tag)}>, expected <lexicon>.")
    default_alphabet = _pls_alphabet(root.get("alphabet", "ipa"))
    rules: list[Rule] = []
    for number, lexeme in enumerate((e for e in root if _local(e.tag) == "lexeme"), 1):
        graphemes = [(e.text or "").strip() for e in lexeme if _local(e.tag) == "grapheme"]
        graphemes = [g for g in graphemes if g]
        if not graphemes:
            raise PlsError(f"Entry {number} of the file has no word (<grapheme> is missing "
                           "or empty).")
        alias = next((e for e in lexeme if _local(e.tag) == "alias"), None)
        phoneme = next((e for e in lexeme if _local(e.tag) == "phoneme"), None)
        for word in graphemes:
            if alias is not None and (alias.text or "").strip():
                rules.append(AliasRule(word, (alias.text or "").strip()))
            elif phoneme is not None and (phoneme.text or "").strip():
                alphabet = _pls_alphabet(phoneme.get("alphabet", default_alphabet))
                rules.append(PhonemeRule(word, (phoneme.text or "").strip(), alphabet))
            else:
                raise PlsError(f"Entry {number} (“{word}”) says neither what to read "
                               "instead (<alias>) nor how it sounds (<phoneme>).")
    return rules


def _pls_alphabet(value: str) -> str:
    value = value.strip().lower()
    if value in ("x-cmu", "cmu", "arpabet", "x-arpabet"):
        return "cmu-arpabet"
    if value not in ALPHABETS:
        raise PlsError(f"The file uses the phonetic alphabet “{value}”; only IPA and CMU "
                       "arpabet are understood.")
    return value


def write_pls(rules: list[Rule], language: str = "en-US") -> bytes:
    """A PLS 1.0 lexicon of the rules (phoneme entries name their own alphabet)."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", PLS_NAMESPACE)
    ns = f"{{{PLS_NAMESPACE}}}"
    root = ET.Element(f"{ns}lexicon", {"version": "1.0", "alphabet": "ipa",
                                        "{http://www.w3.org/XML/1998/namespace}lang": language})
    for rule in rules:
        lexeme = ET.SubElement(root, f"{ns}lexeme")
        ET.SubElement(lexeme, f"{ns}grapheme").text = rule.string_to_replace
        if isinstance(rule, AliasRule):
            ET.SubElement(lexeme, f"{ns}alias").text = rule.alias
        else:
            ET.SubElement(lexeme, f"{ns}phoneme", {"alphabet": rule.alphabet}).text = rule.phoneme
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# -- finding the words a rule applies to -------------------------------------------------

def rule_pattern(rule: Rule) -> re.Pattern[str]:
    """Where the rule matches in a text (whole words only when word_boundaries)."""
    body = re.escape(rule.string_to_replace)
    if rule.word_boundaries:
        body = rf"(?<!\w){body}(?!\w)"
    return re.compile(body, 0 if rule.case_sensitive else re.IGNORECASE)


__all__ = [
    "ALPHABETS", "MAX_LOCATORS", "PHONEME_MODELS", "PHONEME_MODELS_NOTE", "AliasRule",
    "PhonemeRule", "PlsError", "Rule", "RuleError", "check_rule", "model_honours_phonemes",
    "read_pls", "rule_from_json", "rule_pattern", "rule_to_json", "write_pls",
]
