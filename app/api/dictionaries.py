"""Pronunciation dictionaries: list, create (from rules or a .pls file), read, rename,
change rules, download a version as PLS.

    GET   /v1/pronunciation-dictionaries                       -> a page (cursor)
    POST  /v1/pronunciation-dictionaries/add-from-rules        JSON
    POST  /v1/pronunciation-dictionaries/add-from-file         multipart (name, file)
    GET   /v1/pronunciation-dictionaries/{id}                  -> metadata + rules
    PATCH /v1/pronunciation-dictionaries/{id}                  rename / archive
    POST  /v1/pronunciation-dictionaries/{id}/add-rules | remove-rules | set-rules
    GET   /v1/pronunciation-dictionaries/{id}/{version}/download  -> PLS text

Rules and files are checked here before anything is sent (RuleError, PlsError), so a
user learns about an empty word or a broken file without a round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app.api._parse import parse_model, path_part
from app.api.client import ApiClient
from app.domain.pronunciation import Rule, check_rule, read_pls, rule_to_json

if TYPE_CHECKING:
    from app.domain.dictionary_wire import (
        AddedDictionary,
        DictionariesPage,
        DictionaryMetadata,
        DictionaryWithRules,
        RulesVersion,
    )

BASE = "/v1/pronunciation-dictionaries"
PLS_TYPES: tuple[str, ...] = ("text/plain", "application/pls+xml", "application/xml",
                              "text/xml", "application/octet-stream")
MAX_PAGES = 50


def _rules_json(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    return [rule_to_json(check_rule(r)) for r in rules]


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValueError("A dictionary needs a name.")
    return name


class DictionariesService:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def list_page(self, cursor: str | None = None, page_size: int = 30,
                        sort: str | None = None, sort_direction: str | None = None,
                        include_archived: bool | None = None) -> DictionariesPage:
        from app.domain.dictionary_wire import DictionariesPage

        params: dict[str, str] = {"page_size": str(page_size)}
        if cursor:
            params["cursor"] = cursor
        if sort:
            params["sort"] = sort
        if sort_direction:
            params["sort_direction"] = sort_direction
        if include_archived is not None:
            params["include_archived"] = "true" if include_archived else "false"
        data, info = await self._client.request_json("GET", BASE, params=params)
        return parse_model(DictionariesPage, data, info)

    async def list_all(self, include_archived: bool = False) -> list[DictionaryMetadata]:
        """Every dictionary (pages followed, archived ones left out unless asked), each
        once; a cursor already followed ends the listing (a server that repeats one)."""
        found: list[DictionaryMetadata] = []
        ids: set[str] = set()
        followed: set[str] = set()
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = await self.list_page(cursor, page_size=100, sort="name",
                                        sort_direction="ascending",
                                        include_archived=include_archived)
            for dictionary in page.pronunciation_dictionaries:
                if dictionary.id not in ids:
                    ids.add(dictionary.id)
                    found.append(dictionary)
            cursor = page.next_cursor
            if not page.has_more or not cursor or cursor in followed:
                break
            followed.add(cursor)
        return found

    async def create_from_rules(self, name: str, rules: Sequence[Rule]) -> AddedDictionary:
        from app.domain.dictionary_wire import AddedDictionary

        data, info = await self._client.request_json(
            "POST", f"{BASE}/add-from-rules",
            json={"name": _name(name), "rules": _rules_json(rules)})
        return parse_model(AddedDictionary, data, info)

    async def create_from_file(self, name: str, pls: bytes,
                               filename: str = "lexicon.pls") -> AddedDictionary:
        """A dictionary from a PLS file's bytes (read here first: PlsError if broken)."""
        from app.domain.dictionary_wire import AddedDictionary

        for rule in read_pls(pls):
            check_rule(rule)
        data, info = await self._client.request_json(
            "POST", f"{BASE}/add-from-file", data={"name": _name(name)},
            files=[("file", (filename, pls, "application/pls+xml"))])
        return parse_model(AddedDictionary, data, info)

    async def get(self, dictionary_id: str) -> DictionaryWithRules:
        from app.domain.dictionary_wire import DictionaryWithRules

        data, info = await self._client.request_json(
            "GET", f"{BASE}/{path_part(dictionary_id)}")
        return parse_model(DictionaryWithRules, data, info)

    async def rename(self, dictionary_id: str, name: str) -> DictionaryMetadata:
        return await self._patch(dictionary_id, {"name": _name(name)})

    async def archive(self, dictionary_id: str) -> DictionaryMetadata:
        return await self._patch(dictionary_id, {"archived": True})

    async def _patch(self, dictionary_id: str, body: dict[str, Any]) -> DictionaryMetadata:
        from app.domain.dictionary_wire import DictionaryMetadata

        data, info = await self._client.request_json(
            "PATCH", f"{BASE}/{path_part(dictionary_id)}", json=body)
        return parse_model(DictionaryMetadata, data, info)

    async def add_rules(self, dictionary_id: str, rules: Sequence[Rule]) -> RulesVersion:
        return await self._rules(dictionary_id, "add-rules", {"rules": _rules_json(rules)})

    async def set_rules(self, dictionary_id: str, rules: Sequence[Rule]) -> RulesVersion:
        return await self._rules(dictionary_id, "set-rules", {"rules": _rules_json(rules)})

    async def remove_rules(self, dictionary_id: str, words: Sequence[str]) -> RulesVersion:
        return await self._rules(dictionary_id, "remove-rules", {"rule_strings": list(words)})

    async def _rules(self, dictionary_id: str, action: str,
                     body: dict[str, Any]) -> RulesVersion:
        from app.domain.dictionary_wire import RulesVersion

        data, info = await self._client.request_json(
            "POST", f"{BASE}/{path_part(dictionary_id)}/{action}", json=body)
        return parse_model(RulesVersion, data, info)

    async def download(self, dictionary_id: str, version_id: str) -> bytes:
        """The version's rules as a PLS file (bytes as the server sent them)."""
        data, _info = await self._client.request_bytes(
            "GET", f"{BASE}/{path_part(dictionary_id)}/{path_part(version_id)}/download",
            expect=PLS_TYPES)
        return data


__all__ = ["BASE", "DictionariesService"]
