"""Music finetunes (`GET /v1/music/finetunes`): the account's own styles, trained on its
music, that a song can be composed with (`finetune_id`, `finetune_strength`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STRENGTH_MIN, STRENGTH_MAX, STRENGTH_DEFAULT = 0.05, 2.0, 1.0  # spec: (0, 2], default 1


@dataclass(frozen=True)
class Finetune:
    id: str
    name: str
    model_id: str
    status: str
    tags: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.status == "completed"


def finetunes_from_page(data: Any) -> tuple[list[Finetune], str | None]:
    """One page of the list: the finetunes it holds and the next page's cursor."""
    if not isinstance(data, dict):
        return [], None
    found = []
    items = data.get("finetunes")
    # Read as leniently as the rest of the page, but only lists are walked: a number
    # there (or in `tags`) stopped the Music tab with "'int' object is not iterable".
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            tags = item.get("tags")
            found.append(Finetune(item["id"], str(item.get("name") or item["id"]),
                                  str(item.get("model_id") or ""),
                                  str(item.get("status") or ""),
                                  tuple(str(t) for t in tags) if isinstance(tags, list)
                                  else ()))
    cursor = data.get("next_cursor") if data.get("has_more") else None
    return found, cursor if isinstance(cursor, str) else None


def usable_with(finetunes: list[Finetune], model_id: str) -> list[Finetune]:
    """The trained finetunes of the model a song is composed with."""
    return [f for f in finetunes if f.ready and f.model_id == model_id]


__all__ = ["STRENGTH_DEFAULT", "STRENGTH_MAX", "STRENGTH_MIN", "Finetune",
           "finetunes_from_page", "usable_with"]
