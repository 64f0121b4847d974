"""Pronunciation dictionaries, offline (shapes per shared/api/openapi-subset.json):

  GET   /v1/pronunciation-dictionaries                         list (cursor pages)
  POST  /v1/pronunciation-dictionaries/add-from-rules          create from JSON rules
  POST  /v1/pronunciation-dictionaries/add-from-file           create from a .pls (multipart)
  GET   /v1/pronunciation-dictionaries/{id}                    metadata + latest rules
  PATCH /v1/pronunciation-dictionaries/{id}                    rename / archive
  POST  /v1/pronunciation-dictionaries/{id}/add-rules|remove-rules|set-rules
  GET   /v1/pronunciation-dictionaries/{id}/{version_id}/download   the version as PLS

`install(app, data_dir)` adds the routes and returns the store; text to speech asks it
for the rules of a request's locators (`rules_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from app.domain.pronunciation import (
    MAX_LOCATORS,
    AliasRule,
    PhonemeRule,
    PlsError,
    Rule,
    RuleError,
    check_rule,
    read_pls,
    write_pls,
)
from app.domain.wire import PronunciationDictionaryLocator
from app.engine.dictionary_store import DictionaryNotFound, DictionaryStore

MAX_PLS_BYTES = 2 * 1024 * 1024
_PREFIX = "/v1/pronunciation-dictionaries"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AliasRuleBody(_Lenient):
    string_to_replace: str
    case_sensitive: bool = True
    word_boundaries: bool = True
    type: Literal["alias"]
    alias: str


class PhonemeRuleBody(_Lenient):
    string_to_replace: str
    case_sensitive: bool = True
    word_boundaries: bool = True
    type: Literal["phoneme"]
    phoneme: str
    alphabet: str


RuleBody = Annotated[AliasRuleBody | PhonemeRuleBody, Field(discriminator="type")]


class FromRulesBody(_Lenient):
    name: str
    rules: list[RuleBody]
    workspace_access: str | None = None


class RulesBody(_Lenient):
    rules: list[RuleBody]


class RemoveRulesBody(_Lenient):
    rule_strings: list[str]


class PatchBody(_Lenient):
    name: str | None = None
    archived: bool | None = None


class DictionaryProblem(Exception):
    def __init__(self, status_code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.status_code, self.status, self.message = status_code, status, message


def _not_found(dictionary_id: str) -> DictionaryProblem:
    return DictionaryProblem(404, "pronunciation_dictionary_not_found",
                             f"The pronunciation dictionary {dictionary_id} was not found.")


def _rules(bodies: Sequence[AliasRuleBody | PhonemeRuleBody]) -> list[Rule]:
    rules: list[Rule] = []
    for b in bodies:
        rule: Rule = (AliasRule(b.string_to_replace, b.alias, b.case_sensitive,
                                b.word_boundaries) if isinstance(b, AliasRuleBody)
                      else PhonemeRule(b.string_to_replace, b.phoneme, b.alphabet,
                                       b.case_sensitive, b.word_boundaries))
        try:
            rules.append(check_rule(rule))
        except RuleError as exc:
            raise DictionaryProblem(400, "invalid_rule", str(exc)) from None
    return rules


def rules_for(store: DictionaryStore,
              locators: Sequence[PronunciationDictionaryLocator] | None) -> tuple[Rule, ...]:
    """The rules of a TTS request's dictionaries, in order (DictionaryProblem if one is
    missing: a request never silently loses the pronunciation it asked for)."""
    if not locators:
        return ()
    if len(locators) > MAX_LOCATORS:
        raise DictionaryProblem(400, "too_many_pronunciation_dictionaries",
                                f"At most {MAX_LOCATORS} pronunciation dictionaries can be "
                                "used in one request.")
    rules: list[Rule] = []
    for locator in locators:
        try:
            rules += store.version_rules(locator.pronunciation_dictionary_id,
                                         locator.version_id)
        except DictionaryNotFound:
            raise _not_found(locator.pronunciation_dictionary_id) from None
    return tuple(rules)


def _create_router(store: DictionaryStore) -> APIRouter:
    router = APIRouter()

    def get_or_404(dictionary_id: str) -> dict[str, Any]:
        try:
            return store.get(dictionary_id)
        except DictionaryNotFound:
            raise _not_found(dictionary_id) from None

    @router.get(_PREFIX)
    async def list_dictionaries(
        cursor: str | None = None,
        page_size: Annotated[int, Query(ge=1, le=100)] = 30,
        sort: Literal["creation_time_unix", "name"] | None = "creation_time_unix",
        sort_direction: str | None = "DESCENDING",
        include_archived: bool = True,
    ) -> dict[str, Any]:
        items = [i for i in store.all()
                 if include_archived or i.get("archived_time_unix") is None]
        key = "name" if sort == "name" else "creation_time_unix"
        items.sort(key=lambda i: (i[key], i["id"]),
                   reverse=(sort_direction or "").lower().startswith("desc"))
        start = int(cursor) if cursor and cursor.isdigit() else 0
        page = items[start:start + page_size]
        has_more = start + page_size < len(items)
        return {"pronunciation_dictionaries": [DictionaryStore.metadata(i) for i in page],
                "has_more": has_more,
                "next_cursor": str(start + page_size) if has_more else None}

    @router.post(f"{_PREFIX}/add-from-rules")
    async def add_from_rules(body: FromRulesBody) -> dict[str, Any]:
        return _added(store.create(body.name, _rules(body.rules)))

    @router.post(f"{_PREFIX}/add-from-file")
    async def add_from_file(request: Request) -> dict[str, Any]:
        form = await request.form(max_files=1, max_fields=20)
        try:
            name = form.get("name")
            if not isinstance(name, str) or not name.strip():
                raise DictionaryProblem(400, "invalid_name", "The dictionary needs a name.")
            upload = form.get("file")
            rules: list[Rule] = []
            if isinstance(upload, UploadFile):
                data = await upload.read(MAX_PLS_BYTES + 1)
                if len(data) > MAX_PLS_BYTES:
                    raise DictionaryProblem(400, "file_too_large",
                                            "A .pls file may be at most 2 MB.")
                try:
                    rules = [check_rule(r) for r in read_pls(data)]
                except (PlsError, RuleError) as exc:
                    raise DictionaryProblem(400, "invalid_pls_file", str(exc)) from None
            return _added(store.create(name.strip(), rules))
        finally:
            await form.close()

    @router.get(f"{_PREFIX}/{{dictionary_id}}")
    async def get_dictionary(dictionary_id: str) -> dict[str, Any]:
        item = get_or_404(dictionary_id)
        return {**DictionaryStore.metadata(item), "rules": item["versions"][-1]["rules"]}

    @router.patch(f"{_PREFIX}/{{dictionary_id}}")
    async def patch_dictionary(dictionary_id: str, body: PatchBody) -> dict[str, Any]:
        if body.name is not None and not body.name.strip():
            raise DictionaryProblem(400, "invalid_name", "The dictionary needs a name.")
        try:
            item = store.update(dictionary_id, name=body.name, archived=body.archived)
        except DictionaryNotFound:
            raise _not_found(dictionary_id) from None
        return DictionaryStore.metadata(item)

    def change(dictionary_id: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return DictionaryStore.version_reply(store.change_rules(dictionary_id, **kwargs))
        except DictionaryNotFound:
            raise _not_found(dictionary_id) from None

    @router.post(f"{_PREFIX}/{{dictionary_id}}/add-rules")
    async def add_rules(dictionary_id: str, body: RulesBody) -> dict[str, Any]:
        return change(dictionary_id, add=_rules(body.rules))

    @router.post(f"{_PREFIX}/{{dictionary_id}}/remove-rules")
    async def remove_rules(dictionary_id: str, body: RemoveRulesBody) -> dict[str, Any]:
        return change(dictionary_id, remove=body.rule_strings)

    @router.post(f"{_PREFIX}/{{dictionary_id}}/set-rules")
    async def set_rules(dictionary_id: str, body: RulesBody) -> dict[str, Any]:
        return change(dictionary_id, replace=_rules(body.rules))

    @router.get(f"{_PREFIX}/{{dictionary_id}}/{{version_id}}/download")
    async def download(dictionary_id: str, version_id: str) -> Response:
        try:
            rules = store.version_rules(dictionary_id, version_id)
        except DictionaryNotFound:
            raise _not_found(dictionary_id) from None
        return Response(write_pls(rules), media_type="text/plain",
                        headers={"content-disposition":
                                 f'attachment; filename="{dictionary_id}.pls"'})

    return router


def _added(item: dict[str, Any]) -> dict[str, Any]:
    """`AddPronunciationDictionaryResponseModel`."""
    latest = item["versions"][-1]
    return {"id": item["id"], "name": item["name"], "created_by": "offline-engine",
            "creation_time_unix": item["creation_time_unix"],
            "version_id": latest["version_id"], "version_rules_num": len(latest["rules"]),
            "permission_on_resource": "admin"}


def install(app: FastAPI, data_dir: Path | None) -> DictionaryStore:
    """Add the dictionary routes (and their error shape) to the engine's app."""
    store = DictionaryStore(data_dir)
    app.include_router(_create_router(store))

    @app.exception_handler(DictionaryProblem)
    async def _problem(request: Request, exc: DictionaryProblem) -> JSONResponse:
        return JSONResponse({"detail": {"status": exc.status, "message": exc.message}},
                            status_code=exc.status_code)

    return store


__all__ = ["DictionaryProblem", "install", "rules_for"]
