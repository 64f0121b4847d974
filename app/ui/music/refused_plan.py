"""A plan the server refused (a 422 whose field errors point into it): the refused cells
are marked in the editor, as its own checks mark them, and the banner says what to do,
rather than only quoting the server."""

from __future__ import annotations

from app.api.errors import ValidationError
from app.domain.music_plan import Plan
from app.domain.music_plan_write import plan_to_dict
from app.domain.music_server_problems import server_problems
from app.ui.errors import UserMessage
from app.ui.music.plan_editor import PlanEditor
from app.ui.widgets.error_banner import ErrorBanner


def show_refused_plan(exc: ValidationError, sent: Plan | None, editor: PlanEditor | None,
                      banner: ErrorBanner) -> bool:
    """Mark what the server refused in `sent`, the plan of the last Compose, when it is
    still the plan in `editor` (None: the tab is not in plan mode). False when the refusal
    was not about the plan on screen (the prompt, say, or a plan changed since it was
    sent): the caller then shows the error as it is."""
    if sent is None or editor is None or not exc.field_errors \
            or plan_to_dict(sent) != plan_to_dict(editor.plan()):
        return False
    problems = server_problems([(e.loc, e.message) for e in exc.field_errors], sent)
    in_plan = [p for p in problems
               if p.section_index is not None or p.field.startswith("global_")]
    if not in_plan:
        return False
    editor.show_server_problems(problems)
    more = len(problems) - 1
    banner.show_message(UserMessage(
        "The server did not accept the plan",
        f"{problems[0].message}." + (f" {more} more {'is' if more == 1 else 'are'} "
                                     "listed under the sections." if more else ""),
        "What it refused is marked in red in the plan; change it and compose again."))
    return True


__all__ = ["show_refused_plan"]
