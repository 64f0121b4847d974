"""Pronunciation dictionaries for the cloud test server (tests/support/cloud_server.py).

Kept per server in memory (cleared by a reset), versioned like the API: every change
makes a new `version_id` and old versions stay downloadable. Dictionaries belong to the
server, not to an account (enough for the tests). A text-to-speech request whose locator
names a dictionary or version that does not exist gets 404
`pronunciation_dictionary_not_found`; more than three locators get 400. `forget(server,
id)` plays "deleted on the server" (the API offers only archiving).
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from tests.support.cloud_server import CloudServer, Reply

DICTIONARY_OPERATIONS = (
    "get_pronunciation_dictionaries_metadata", "add_from_rules",
    "get_pronunciation_dictionary_metadata", "patch_pronunciation_dictionary",
    "add_rules", "remove_rules", "set_rules", "get_pronunciation_dictionary_version_pls",
)
FILE_OPERATION = "add_from_file"
FILE_SCHEMA = "Body_Add_a_pronunciation_dictionary_v1_pronunciation_dictionaries_add_from_file_post"


def _store(server: CloudServer) -> dict[str, dict[str, Any]]:
    return server._stt_music_state().setdefault("dictionaries", {})


def forget(server: CloudServer, dictionary_id: str) -> None:
    with server.lock:
        _store(server).pop(dictionary_id, None)


def seed(server: CloudServer, name: str, rules: list[dict[str, Any]] | None = None
         ) -> tuple[str, str]:
    """A dictionary made behind the API's back (no request recorded): (id, version)."""
    made = _new(server, name, rules or [])
    return made["id"], made["version_id"]


def _metadata(item: dict[str, Any]) -> dict[str, Any]:
    version_id, rules = item["versions"][-1]
    return {"id": item["id"], "latest_version_id": version_id,
            "latest_version_rules_num": len(rules), "name": item["name"],
            "permission_on_resource": "admin", "created_by": "test-user",
            "creation_time_unix": item["created"], "archived_time_unix": item["archived"]}


def _version(item: dict[str, Any]) -> dict[str, Any]:
    version_id, rules = item["versions"][-1]
    return {"id": item["id"], "version_id": version_id, "version_rules_num": len(rules)}


def _new(server: CloudServer, name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": uuid.uuid4().hex[:20], "name": name, "created": int(time.time()),
            "archived": None, "versions": [(uuid.uuid4().hex[:20], rules)]}
    with server.lock:
        _store(server)[item["id"]] = item
    version_id, _ = item["versions"][-1]
    return {"id": item["id"], "name": name, "created_by": "test-user",
            "creation_time_unix": item["created"], "version_id": version_id,
            "version_rules_num": len(rules), "permission_on_resource": "admin"}


def _not_found(dictionary_id: str) -> Reply:
    from tests.support.cloud_server import error_reply

    return error_reply(404, "pronunciation_dictionary_not_found",
                       f"Pronunciation dictionary {dictionary_id} not found.")


def _empty_word(rules: list[dict[str, Any]]) -> Reply | None:
    from tests.support.cloud_server import error_reply

    if any(not str(r.get("string_to_replace", "")).strip() for r in rules):
        return error_reply(400, "invalid_rule", "A rule's string_to_replace is empty.")
    return None


def dictionary_reply(server: CloudServer, op_id: str, path: str, one: dict[str, str],
                     body: dict[str, Any]) -> Reply:
    parts = path.split("/")  # ["", "v1", "pronunciation-dictionaries", id, ...]
    if op_id == "get_pronunciation_dictionaries_metadata":
        with server.lock:
            items = list(_store(server).values())
        if one.get("include_archived") == "false":
            items = [i for i in items if i["archived"] is None]
        key = "name" if one.get("sort") == "name" else "created"
        items.sort(key=lambda i: i[key],
                   reverse=one.get("sort_direction", "DESCENDING").lower().startswith("desc"))
        start = int(one.get("cursor") or 0)
        size = int(one.get("page_size", "30"))
        more = start + size < len(items)
        return server._ok({"pronunciation_dictionaries":
                           [_metadata(i) for i in items[start:start + size]],
                           "has_more": more, "next_cursor": str(start + size) if more else None})
    if op_id == "add_from_rules":
        return _empty_word(body["rules"]) or server._ok(_new(server, body["name"], body["rules"]))
    dictionary_id = parts[3]
    with server.lock:
        item = _store(server).get(dictionary_id)
    if item is None:
        return _not_found(dictionary_id)
    if op_id == "get_pronunciation_dictionary_metadata":
        return server._ok({**_metadata(item), "rules": item["versions"][-1][1]})
    if op_id == "patch_pronunciation_dictionary":
        if "name" in body:
            item["name"] = body["name"]
        if "archived" in body:
            item["archived"] = int(time.time()) if body["archived"] else None
        return server._ok(_metadata(item))
    if op_id == "get_pronunciation_dictionary_version_pls":
        rules = next((r for v, r in item["versions"] if v == parts[4]), None)
        if rules is None:
            return _not_found(f"{dictionary_id} version {parts[4]}")
        return _pls_reply(rules)
    current = item["versions"][-1][1]
    if op_id == "remove_rules":
        rules = [r for r in current if r["string_to_replace"] not in body["rule_strings"]]
    else:
        problem = _empty_word(body["rules"])
        if problem is not None:
            return problem
        words = {r["string_to_replace"] for r in body["rules"]}
        kept = [] if op_id == "set_rules" else [r for r in current
                                                if r["string_to_replace"] not in words]
        rules = kept + list(body["rules"])
    item["versions"].append((uuid.uuid4().hex[:20], rules))
    return server._ok(_version(item))


def _pls_reply(rules: list[dict[str, Any]]) -> Reply:
    from tests.support.cloud_server import Reply

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"'
             ' alphabet="ipa" xml:lang="en-US">']
    for rule in rules:
        lines.append(f"  <lexeme><grapheme>{escape(rule['string_to_replace'])}</grapheme>")
        if rule["type"] == "alias":
            lines.append(f"    <alias>{escape(rule['alias'])}</alias></lexeme>")
        else:
            lines.append(f"    <phoneme alphabet=\"{escape(rule['alphabet'])}\">"
                         f"{escape(rule['phoneme'])}</phoneme></lexeme>")
    lines.append("</lexicon>")
    return Reply(200, {"content-type": "text/plain", "request-id": uuid.uuid4().hex},
                 "\n".join(lines).encode("utf-8"))


def from_file_reply(server: CloudServer, headers: dict[str, str], body: bytes) -> Reply:
    """`add_from_file` (multipart): the form checked against the spec, the PLS read."""
    from app.domain.pronunciation import PlsError, read_pls, rule_to_json
    from tests.support import spec as spec_module
    from tests.support.cloud_server import (
        ContractError,
        Reply,
        error_reply,
        parse_multipart_form,
        validation_reply,
    )

    parts = parse_multipart_form(headers.get("content-type", ""), body)
    if parts is None:
        return validation_reply([{"loc": ["body"], "msg": "Expected a multipart/form-data "
                                  "body", "type": "model_attributes_type"}])
    instance = {p.name: (f"<file {p.filename}>" if p.filename is not None
                         else p.value.decode("utf-8", "replace")) for p in parts}
    try:
        spec_module.validate_against(spec_module.schema_named(FILE_SCHEMA), instance, ("body",))
    except ContractError as exc:
        return validation_reply(exc.errors)
    account = server._account_for(headers)
    if isinstance(account, Reply):
        return account
    file = next((p for p in parts if p.name == "file" and p.filename is not None), None)
    try:
        rules = [rule_to_json(r) for r in read_pls(file.value)] if file else []
    except PlsError as exc:
        return error_reply(400, "invalid_pls_file", str(exc))
    return server._ok(_new(server, instance["name"], rules))


def locator_problem(server: CloudServer, body: dict[str, Any]) -> Reply | None:
    """Why a TTS request's dictionaries cannot be used, or None."""
    from tests.support.cloud_server import error_reply

    locators = body.get("pronunciation_dictionary_locators") or []
    if len(locators) > 3:
        return error_reply(400, "too_many_pronunciation_dictionaries",
                           "At most 3 pronunciation dictionaries per request.")
    for locator in locators:
        dictionary_id = locator["pronunciation_dictionary_id"]
        with server.lock:
            item = _store(server).get(dictionary_id)
        version = locator.get("version_id")
        if item is None or (version and version not in [v for v, _ in item["versions"]]):
            return _not_found(dictionary_id)
    return None
