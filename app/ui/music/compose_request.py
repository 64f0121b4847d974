"""What the user asked the Music tab to compose, and how that becomes a request.

Qt-free: the tab builds a `ComposeRequest` from its widgets; the controller turns it
into a body for the right endpoint and into a history entry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from app.api.music import resolve_output_format
from app.domain.formats import OutputFormat
from app.domain.music_plan import MUSIC_MODELS, Plan, Section, limits_for
from app.domain.music_plan_checks import length_text
from app.domain.music_plan_json import plan_from_json
from app.domain.music_plan_write import plan_to_dict
from app.domain.music_request import MusicEndpoint, compose_body

KNOWN_MODELS: tuple[str, ...] = tuple(reversed(MUSIC_MODELS))  # newest first
DEPRECATED_MODELS = frozenset({"music_v1"})  # MusicModelID: music_v1 is deprecated
MODEL_LABELS = {
    "music_v1": "Music v1 (older: sections with global styles)",
    "music_v2": "Music v2 (newest)",
}


def model_label(model_id: str) -> str:
    if model_id in MODEL_LABELS:
        return MODEL_LABELS[model_id]
    return model_id.replace("music_", "Music ").replace("_", ".")


def _version(model_id: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", model_id)) or (0,)


def order_models(model_ids: list[str]) -> list[str]:
    """Music models newest first; the known list when the server lists none."""
    found = [m for m in dict.fromkeys(model_ids) if m.startswith("music_")]
    usable = []
    for model_id in found:
        try:
            limits_for(model_id)
        except ValueError:
            continue
        usable.append(model_id)
    return sorted(usable or KNOWN_MODELS, key=_version, reverse=True)


def default_model(model_ids: list[str]) -> str:
    """The newest model that is not deprecated."""
    ordered = order_models(model_ids)
    return next((m for m in ordered if m not in DEPRECATED_MODELS), ordered[0])


def plan_summary(plan: Plan) -> str:
    """A line for history and search: section names, length and the main styles."""
    names = " / ".join(s.name or f"Section {i + 1}" for i, s in enumerate(plan.sections[:8]))
    if len(plan.sections) > 8:
        names += " / …"
    styles = ", ".join(plan.global_positive_styles[:5])
    lyrics = " ".join(line for s in plan.sections for line in s.lines)[:200]
    parts = [f"Plan: {names}" if names else "Empty plan", length_text(plan.total_ms)]
    if styles:
        parts.append(styles)
    text = " · ".join(parts)
    return f"{text}\n{lyrics}" if lyrics else text


@dataclass(frozen=True)
class KeepBase:
    """An earlier version whose sections can be kept: its song id and the time range of
    each of its sections."""

    song_id: str
    label: str
    names: tuple[str, ...]
    bounds_ms: tuple[tuple[int, int], ...]

    def range_for(self, index: int, section: Section, start_ms: int) -> tuple[int, int]:
        """The same section in the earlier song: by position when the name matches there,
        otherwise the stretch at the same time."""
        if index < len(self.bounds_ms) and self.names[index] == section.name:
            return self.bounds_ms[index]
        end = self.bounds_ms[-1][1] if self.bounds_ms else start_ms + section.duration_ms
        start = min(start_ms, max(0, end - section.duration_ms))
        return start, min(end, start + max(section.duration_ms, 1))


@dataclass(frozen=True)
class ComposeRequest:
    model_id: str
    output_format: str = "auto"  # as asked for: may be "auto"
    prompt: str | None = None
    music_length_ms: int | None = None
    force_instrumental: bool = False
    plan: Plan | None = None
    seed: int | None = None
    detailed: bool = False
    store_for_inpainting: bool = False
    title: str = ""
    finetune_id: str | None = None  # the account's own finetune (finetune_picker.py)
    finetune_strength: float | None = None

    @property
    def is_plan(self) -> bool:
        return self.plan is not None

    @property
    def audio_format(self) -> OutputFormat:
        return resolve_output_format(self.output_format, self.model_id)

    @property
    def keeps_sections(self) -> bool:
        """Some sections come from an earlier song (inpainting / audio references)."""
        return self.plan is not None and any(s.source is not None for s in self.plan.sections)

    def endpoint(self) -> MusicEndpoint:
        streams = self.audio_format.can_stream and not (
            # The stream schemas have no respect_sections_durations: "off" goes whole.
            self.plan is not None and not self.plan.respect_sections_durations
            and limits_for(self.model_id).uses_respect_sections_durations)
        if self.detailed:  # streamed details: section times arrive while it plays
            return "detailed_stream" if streams else "detailed"
        return "stream" if streams else "compose"

    def without_store(self) -> ComposeRequest:
        return replace(self, store_for_inpainting=False)

    def body(self, endpoint: MusicEndpoint | None = None) -> dict[str, Any]:
        body = self._body(endpoint)
        if self.finetune_id:
            body["finetune_id"] = self.finetune_id
            if self.finetune_strength is not None:
                body["finetune_strength"] = self.finetune_strength
        return body

    def _body(self, endpoint: MusicEndpoint | None = None) -> dict[str, Any]:
        endpoint = endpoint or self.endpoint()
        if self.plan is not None:
            return compose_body(self.model_id, plan=self.plan, seed=self.seed,
                                store_for_inpainting=self.store_for_inpainting,
                                with_timestamps=endpoint in ("detailed", "detailed_stream"),
                                endpoint=endpoint)
        return compose_body(self.model_id, prompt=self.prompt or "",
                            music_length_ms=self.music_length_ms,
                            force_instrumental=self.force_instrumental,
                            store_for_inpainting=self.store_for_inpainting,
                            endpoint=endpoint)

    def history_title(self) -> str:
        if self.title:
            return self.title
        if self.plan is not None:
            first = next((s.name for s in self.plan.sections if s.name), "")
            styles = ", ".join(self.plan.global_positive_styles[:3])
            return (styles or first or "Song from a plan")[:60]
        line = " ".join((self.prompt or "").split())
        return line if len(line) <= 60 else line[:57].rstrip() + "…"

    def history_text(self) -> str:
        return plan_summary(self.plan) if self.plan is not None else self.prompt or ""

    def settings(self) -> dict[str, Any]:
        """Everything needed to make this again (the plan losslessly)."""
        return {
            "mode": "plan" if self.plan is not None else "prompt",
            "model_id": self.model_id,
            "output_format": self.output_format,
            "prompt": self.prompt,
            "music_length_ms": self.music_length_ms,
            "force_instrumental": self.force_instrumental,
            "seed": self.seed,
            "detailed": self.detailed,
            "store_for_inpainting": self.store_for_inpainting,
            "plan": plan_to_dict(self.plan) if self.plan is not None else None,
        }

    def settings_json(self) -> str:
        return json.dumps(self.settings(), ensure_ascii=False)


@dataclass(frozen=True)
class StoredVersion:
    """A music history entry read back: its settings, plan and song id."""

    settings: dict[str, Any]
    extra: dict[str, Any]
    plan: Plan | None

    @property
    def song_id(self) -> str | None:
        value = self.extra.get("song_id")
        return value if isinstance(value, str) and value else None

    @property
    def can_keep_sections(self) -> bool:
        return self.song_id is not None and bool(self.extra.get("stored")) \
            and self.plan is not None

    @property
    def section_bounds_ms(self) -> list[tuple[int, int]]:
        timings = self.extra.get("section_timings_ms")
        if isinstance(timings, list) and self.plan is not None \
                and len(timings) == len(self.plan.sections):
            try:
                return [(int(a), int(b)) for a, b in timings]
            except (TypeError, ValueError):
                pass
        return self.plan.section_bounds_ms() if self.plan is not None else []


def read_version(settings_json: str, extra_json: str) -> StoredVersion:
    def load(text: str) -> dict[str, Any]:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    settings, extra = load(settings_json), load(extra_json)
    plan = None
    # The plan that was sent, else the one the server says it followed (details).
    for source in (settings.get("plan"), extra.get("composition_plan")):
        if isinstance(source, dict) and plan is None:
            try:
                plan = plan_from_json(source)
            except ValueError:
                plan = None
    return StoredVersion(settings, extra, plan)


def keep_base_for(settings_json: str, extra_json: str, title: str) -> KeepBase | None:
    """The sections of a stored version that a new one can keep, or None."""
    version = read_version(settings_json, extra_json)
    if not version.can_keep_sections or version.plan is None or version.song_id is None:
        return None
    return KeepBase(version.song_id, title, tuple(s.name for s in version.plan.sections),
                    tuple(version.section_bounds_ms))
