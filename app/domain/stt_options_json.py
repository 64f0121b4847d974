"""Transcription settings to and from JSON (the transcription queue's file keeps each
job's settings). Read back leniently: a damaged or unknown entry is left at its default,
so one bad entry never keeps the whole queue from loading."""

from __future__ import annotations

import contextlib
from dataclasses import asdict, fields
from typing import Any

from app.domain.stt_options import ExportFormat, TranscriptionOptions


def options_to_json(options: TranscriptionOptions) -> dict[str, Any]:
    data = asdict(options)
    data["additional_formats"] = [asdict(f) for f in options.additional_formats]
    data["keyterms"] = list(options.keyterms)
    if isinstance(options.entity_detection, tuple):
        data["entity_detection"] = list(options.entity_detection)
    if isinstance(options.entity_redaction, tuple):
        data["entity_redaction"] = list(options.entity_redaction)
    return data


def options_from_json(data: object) -> TranscriptionOptions:
    """Settings read back from the queue file; unknown or damaged entries (of another
    type than the setting's: a number where the list of terms is raised TypeError, and
    the queue could not load) are left at their defaults."""
    if not isinstance(data, dict):
        return TranscriptionOptions()
    values = _typed_values(TranscriptionOptions, data)
    formats = []
    listed = data.get("additional_formats")
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict):
            with contextlib.suppress(TypeError):
                formats.append(ExportFormat(**_typed_values(ExportFormat, item)))
    values["additional_formats"] = tuple(formats)
    for key in ("keyterms", "entity_detection", "entity_redaction"):
        if isinstance(data.get(key), list):
            values[key] = tuple(str(v) for v in data[key])
    try:
        return TranscriptionOptions(**values)
    except TypeError:
        return TranscriptionOptions()


# What each setting's declared type accepts from JSON (the annotations are text).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "ExportFormatName": (str,), "None": (type(None),), "bool": (bool,),
    "int": (int,), "float": (int, float), "dict": (dict,)}


def _typed_values(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """`data`'s entries that are fields of the dataclass `cls` and of their field's type
    (a bool is not taken for a number, nor a number for a bool)."""
    taken: dict[str, Any] = {}
    for item in fields(cls):
        if item.name not in data:
            continue
        value = data[item.name]
        names = [part.split("[")[0].strip() for part in str(item.type).split(" | ")]
        accepted = tuple(t for name in names for t in _JSON_TYPES.get(name, ()))
        if isinstance(value, bool) and "bool" not in names:
            continue
        if accepted and isinstance(value, accepted):
            taken[item.name] = value
    return taken


__all__ = ["options_from_json", "options_to_json"]
