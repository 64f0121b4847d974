"""Plan files, the autosaved draft and the wording of errors and problems for the Music
tab (no widgets here)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.music_plan import Plan
from app.domain.music_plan_checks import Problem, errors_only
from app.domain.music_plan_json import PlanFormatError, plan_from_json
from app.domain.music_plan_write import plan_to_dict
from app.domain.music_request import MusicRequestError
from app.library.atomic import atomic_write_text
from app.library.bounded_read import read_bounded
from app.library.small_json import loads_small
from app.ui.errors import UserMessage, describe_error
from app.ui.music.music_controller import FeatureRefusedError
from app.ui.widgets.problem_text import problem_color, warning_color

PLAN_SUFFIX = ".plan.json"


class SongFileError(Exception):
    """The user's own song could not be read here (gone, unreadable, empty): plain words."""


@dataclass(frozen=True)
class OpenedPlan:
    plan: Plan
    name: str  # for messages: “song.plan.json” or “the plan”
    model_id: str | None  # the model the file was saved for, if it says


def read_plan_source(source: str | Path | dict[str, Any],
                     file_name: str | None = None) -> OpenedPlan:
    """A plan from a file or parsed JSON (read from `file_name`, if given). Raises
    PlanFormatError with plain words."""
    name = f"“{file_name}”" if file_name else "the plan"
    if isinstance(source, dict):
        data: Any = source
    else:
        name = f"“{Path(source).name}”"
        try:
            # Bounded: a plan is kilobytes, and this runs on the window's thread (a file of
            # gigabytes was read whole, the window frozen and the memory taken).
            raw = read_bounded(Path(source))
        except OSError as exc:
            raise PlanFormatError(f"{name} could not be read: {exc.strerror or exc}.") from exc
        try:  # a byte order mark (Notepad), or UTF-16, is fine
            data = loads_small(raw)
        except ValueError as exc:  # (nested past Python's limit too): not a plan
            raise PlanFormatError(f"{name} is not JSON, so it cannot be a music plan.") from exc
    plan = plan_from_json(data)
    model_id = data.get("model_id") if isinstance(data, dict) else None
    return OpenedPlan(plan, name, model_id if isinstance(model_id, str) else None)


def plan_file_path(chosen: str) -> Path:
    """What the user typed in the save dialog, with `.plan.json` added when missing."""
    return Path(chosen if chosen.lower().endswith(".json") else chosen + PLAN_SUFFIX)


def write_plan_file(path: str | Path, plan: Plan, model_id: str) -> Path:
    """XI Studio's lossless plan JSON, with the model it was made for."""
    data = {**plan_to_dict(plan), "model_id": model_id}
    atomic_write_text(Path(path), json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return Path(path)


def user_message(exc: BaseException) -> UserMessage:
    """Plain words for what went wrong in the Music tab."""
    if isinstance(exc, FeatureRefusedError):
        return UserMessage("Keeping sections is not available", str(exc),
                           "Untick “Keep” on every section to compose the whole song anew.")
    if isinstance(exc, SongFileError):
        return UserMessage("Your song could not be read", str(exc),
                           "Check that the file is still there and holds audio, then choose "
                           "it again with “Your song…”.")
    if isinstance(exc, PlanFormatError):
        return UserMessage("This plan cannot be opened", str(exc),
                           "Choose a music plan (.plan.json) saved by XI Studio, or a plan "
                           "from the ElevenLabs API.")
    if isinstance(exc, MusicRequestError):
        return UserMessage("This cannot be sent", str(exc), "Change it and try again.")
    return describe_error(exc)


def restored_plan(draft: dict[str, Any]) -> Plan | None:
    try:
        return plan_from_json(draft["plan"])
    except (KeyError, PlanFormatError):
        return None


def problems_html(problems: list[Problem]) -> str:
    if not problems:
        return ""
    errors = errors_only(problems)
    warnings = [p for p in problems if p.severity != "error"]
    # Worked out for the palette as it is now (fixed hues read at ~2:1 on a dark window);
    # the plan's problems are shown again on every edit.
    red, amber = problem_color().name(), warning_color().name()
    rows = [f"<span style='color:{red}'>✖ {html.escape(p.message)}</span>"
            for p in errors[:6]]
    if len(errors) > 6:
        rows.append(f"<span style='color:{red}'>… and {len(errors) - 6} more</span>")
    rows += [f"<span style='color:{amber}'>⚠ {html.escape(p.message)}</span>"
             for p in warnings[:3]]
    return "<br>".join(rows)


