"""A plan reworked by an instruction, offline: what the local engine answers for
`POST /v1/music/plan` with a `source_composition_plan` and a prompt.

Not a language model: plain rules a producer's usual requests follow. The sections
named in the instruction ("make the chorus bigger") are changed, or every section when
none is named ("everything softer"):

    bigger / fuller / louder / epic / more energy   + "bigger, fuller arrangement" styles
    softer / quieter / calmer / gentler / stripped  + "softer, sparse" styles
    longer / extend     length x1.25      shorter / trim   length x0.8   (3-120 s)
    with / add <instrument>        + the instrument (piano, guitar, strings, ...)
    without / no / remove <instrument>   the instrument goes to the styles to avoid

Anything else leaves the plan as it was (the answer says nothing changed).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from app.domain.music_plan import SECTION_MAX_MS, SECTION_MIN_MS, Plan, Section
from app.domain.music_plan_json import plan_from_json
from app.domain.music_plan_write import to_wire_plan

_BIGGER = ("bigger", "fuller", "louder", "epic", "more energy", "huge", "stronger")
_SOFTER = ("softer", "quieter", "calmer", "gentler", "gentle", "stripped", "smaller")
_LONGER = ("longer", "extend", "stretch")
_SHORTER = ("shorter", "trim", "cut down", "tighter")
_INSTRUMENTS = ("piano", "guitar", "strings", "drums", "synth", "bass", "choir", "brass",
                "organ", "bells", "pads", "saxophone", "violin", "cello", "flute")
_WORD = re.compile(r"[a-z]+")


def _base_name(name: str) -> str:
    return " ".join(_WORD.findall(name.casefold()))


def _targets(plan: Plan, instruction: str) -> list[int]:
    text = " " + " ".join(_WORD.findall(instruction.casefold())) + " "
    named = []
    for i, section in enumerate(plan.sections):
        base = _base_name(section.name)
        words = [base, *base.split()[:1]] if base else []
        if any(f" {w} " in text or f" {w}s " in text for w in words if w):
            named.append(i)
    return named or list(range(len(plan.sections)))


def _add(styles: list[str], extra: list[str]) -> None:
    for style in extra:
        if style.casefold() not in (s.casefold() for s in styles):
            styles.append(style)


def rework_plan(plan: Plan, instruction: str) -> Plan:
    """A copy of `plan` changed as `instruction` asks (see the module's rules)."""
    result = copy.deepcopy(plan)
    text = instruction.casefold()
    for i in _targets(result, instruction):
        section: Section = result.sections[i]
        if any(w in text for w in _BIGGER):
            _add(section.positive_styles, ["bigger", "fuller arrangement"])
        if any(w in text for w in _SOFTER):
            _add(section.positive_styles, ["softer", "sparse"])
        factor = 1.25 if any(w in text for w in _LONGER) else \
            0.8 if any(w in text for w in _SHORTER) else 1.0
        if factor != 1.0:
            section.duration_ms = min(SECTION_MAX_MS, max(SECTION_MIN_MS,
                                                          round(section.duration_ms * factor)))
        for instrument in _INSTRUMENTS:
            if re.search(rf"\b(without|no|remove|drop)\s+(the\s+)?{instrument}", text):
                _add(section.negative_styles, [instrument])
                section.positive_styles = [s for s in section.positive_styles
                                           if s.casefold() != instrument]
            elif re.search(rf"\b(with|add|more)\s+(a\s+|some\s+|the\s+)?{instrument}", text):
                _add(section.positive_styles, [instrument])
    return result


def rework_wire_plan(source: dict[str, Any], instruction: str, model_id: str
                     ) -> dict[str, Any]:
    """`rework_plan` on a plan as sent on the wire, answered in `model_id`'s shape."""
    return to_wire_plan(rework_plan(plan_from_json(source), instruction), model_id)


__all__ = ["rework_plan", "rework_wire_plan"]
