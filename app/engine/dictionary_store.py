"""The engine's pronunciation dictionaries: kept in memory and in one JSON file in its
data folder (`pronunciation-dictionaries.json`), written atomically after each change.

Every change makes a new version (as the API does), and old versions stay readable, so a
locator naming an older `version_id` still gets that version's rules.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import string
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.domain.pronunciation import Rule, rule_from_json, rule_to_json
from app.library.atomic import atomic_write_text
from app.library.small_json import read_small_json

log = logging.getLogger(__name__)

FILE_NAME = "pronunciation-dictionaries.json"
OWNER = "offline-engine"
_ID_ALPHABET = string.ascii_letters + string.digits


def new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))


class DictionaryNotFound(LookupError):
    """No dictionary (or version) with that id."""


class DictionaryStore:
    def __init__(self, data_dir: Path | None) -> None:
        self._path = data_dir / FILE_NAME if data_dir is not None else None
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._path is None or not self._path.is_file():
            return {}
        try:
            data = read_small_json(self._path)
        except (OSError, ValueError):  # (nested past Python's limit is a ValueError)
            data = None
        listed = data.get("dictionaries") if isinstance(data, dict) else None
        items = listed if isinstance(listed, list) else []
        kept = {d["id"]: d for d in items if isinstance(d, dict) and isinstance(d.get("id"), str)}
        if len(kept) != len(items) or not isinstance(listed, list):
            # Damaged (another shape, cut short, an entry without an id): the engine
            # stopped at start (AttributeError, KeyError, RecursionError), and a start
            # empty would be saved over it. What can be read is used; the file is copied.
            self._keep_copy()
        return kept

    def _keep_copy(self) -> None:
        assert self._path is not None
        aside = self._path.with_name(f"{self._path.name}.damaged-{int(time.time())}")
        try:
            shutil.copyfile(self._path, aside)
        except OSError:
            log.warning("damaged %s could not be copied aside", self._path, exc_info=True)
        else:
            log.warning("damaged %s: a copy is kept as %s", self._path, aside)

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self._path, json.dumps(
            {"dictionaries": list(self._items.values())}, ensure_ascii=False))

    # -- shapes ----------------------------------------------------------------------
    @staticmethod
    def metadata(item: dict[str, Any]) -> dict[str, Any]:
        """`GetPronunciationDictionaryMetadataResponseModel`."""
        latest = item["versions"][-1]
        return {"id": item["id"], "latest_version_id": latest["version_id"],
                "latest_version_rules_num": len(latest["rules"]), "name": item["name"],
                "permission_on_resource": "admin", "created_by": OWNER,
                "creation_time_unix": item["creation_time_unix"],
                "archived_time_unix": item.get("archived_time_unix")}

    @staticmethod
    def version_reply(item: dict[str, Any]) -> dict[str, Any]:
        """`PronunciationDictionaryRulesResponseModel`."""
        latest = item["versions"][-1]
        return {"id": item["id"], "version_id": latest["version_id"],
                "version_rules_num": len(latest["rules"])}

    # -- reading ---------------------------------------------------------------------
    def get(self, dictionary_id: str) -> dict[str, Any]:
        with self._lock:
            item = self._items.get(dictionary_id)
            if item is None:
                raise DictionaryNotFound(dictionary_id)
            return json.loads(json.dumps(item))  # a copy the caller may keep

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(json.dumps(i)) for i in self._items.values()]

    def version_rules(self, dictionary_id: str, version_id: str | None) -> list[Rule]:
        item = self.get(dictionary_id)
        versions = item["versions"]
        version = versions[-1] if not version_id else next(
            (v for v in versions if v["version_id"] == version_id), None)
        if version is None:
            raise DictionaryNotFound(f"{dictionary_id}/{version_id}")
        return [rule_from_json(r) for r in version["rules"]]

    # -- changing --------------------------------------------------------------------
    def create(self, name: str, rules: Sequence[Rule]) -> dict[str, Any]:
        item: dict[str, Any] = {
                "id": new_id(), "name": name, "creation_time_unix": int(time.time()),
                "archived_time_unix": None,
                "versions": [{"version_id": new_id(),
                              "rules": [rule_to_json(r) for r in rules]}]}
        with self._lock:
            self._items[item["id"]] = item
            self._save()
        return item

    def change_rules(self, dictionary_id: str, *, add: Sequence[Rule] = (),
                     remove: Sequence[str] = (), replace: Sequence[Rule] | None = None
                     ) -> dict[str, Any]:
        """A new version: rules replaced, or some removed (by word) then some added (a
        rule for a word already there replaces it, as the API does)."""
        with self._lock:
            item = self._items.get(dictionary_id)
            if item is None:
                raise DictionaryNotFound(dictionary_id)
            if replace is not None:
                rules = [rule_to_json(r) for r in replace]
            else:
                gone = set(remove) | {r.string_to_replace for r in add}
                rules = [r for r in item["versions"][-1]["rules"]
                         if r["string_to_replace"] not in gone]
                rules += [rule_to_json(r) for r in add]
            item["versions"].append({"version_id": new_id(), "rules": rules})
            self._save()
            return json.loads(json.dumps(item))

    def update(self, dictionary_id: str, *, name: str | None = None,
               archived: bool | None = None) -> dict[str, Any]:
        with self._lock:
            item = self._items.get(dictionary_id)
            if item is None:
                raise DictionaryNotFound(dictionary_id)
            if name is not None:
                item["name"] = name
            if archived is not None:
                item["archived_time_unix"] = int(time.time()) if archived else None
            self._save()
            return json.loads(json.dumps(item))


__all__ = ["DictionaryNotFound", "DictionaryStore", "new_id"]
