"""The contract: validate requests and responses against the official OpenAPI subset.

Used by the tests (what the app sends, what the engine answers) and by the cloud test
server (which answers 422 in the API's own shape when a request breaks the contract).
The spec is vendored in tests/contract/ so the repository is self-contained.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "contract" / "openapi-subset.json"


class ContractError(AssertionError):
    """A request or response that the spec does not allow."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        # FastAPI-style details: [{"loc": [...], "msg": "...", "type": "..."}]
        self.errors = errors or []


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", ""))


@cache
def load_spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text())


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    return Registry().with_resource("spec", resource)


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    # Resolve "#/components/..." refs against the whole spec document.
    wrapped = {"$id": "spec-fragment", "allOf": [_rebase(schema)]}
    return jsonschema.Draft202012Validator(wrapped, registry=_registry())


def _rebase(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (f"spec{v}" if k == "$ref" and isinstance(v, str) and v.startswith("#")
                else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def schema_named(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def validate_against(schema: dict[str, Any], instance: Any, where: tuple[str, ...] = ()) -> None:
    errors = sorted(_validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        details = [
            {"loc": [*where, *e.absolute_path], "msg": e.message, "type": str(e.validator)}
            for e in errors
        ]
        raise ContractError("; ".join(f"{d['loc']}: {d['msg']}" for d in details), details)


def find_operation(method: str, path: str) -> Operation:
    method = method.lower()
    for template, item in load_spec()["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method in item:
            return Operation(method, template, item[method])
    raise ContractError(f"{method.upper()} {path} is not in the spec")


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    """Query strings arrive as text; turn them into what the schema types expect."""
    options = schema.get("anyOf", [schema])
    for option in options:
        kind = option.get("type")
        try:
            if kind == "integer":
                return int(value)
            if kind == "number":
                return float(value)
            if kind == "boolean" and value in ("true", "false"):
                return value == "true"
        except ValueError:
            continue
    return value


def query_errors(op: Operation, query: dict[str, list[str]]) -> list[dict[str, Any]]:
    """validate_query's findings as a list (empty when the query is valid), for a route
    that reports them together with the body's own errors in one 422."""
    try:
        validate_query(op, query)
    except ContractError as exc:
        return list(exc.errors)
    return []


def validate_query(op: Operation, query: dict[str, list[str]]) -> None:
    params = {p["name"]: p for p in op.spec.get("parameters", []) if p["in"] == "query"}
    errors: list[dict[str, Any]] = []
    for name, values in query.items():
        if name not in params:
            errors.append({"loc": ["query", name], "msg": "not a parameter of this operation",
                           "type": "extra_forbidden"})
            continue
        schema = params[name]["schema"]
        is_array = schema.get("type") == "array" or any(
            o.get("type") == "array" for o in schema.get("anyOf", [])
        )
        if is_array:
            item_schema: dict[str, Any] = next(
                (o.get("items", {}) for o in schema.get("anyOf", [schema])
                 if o.get("type") == "array"),
                {},
            )
            instance: Any = [_coerce(v, item_schema) for v in values]
        else:
            if len(values) > 1:
                errors.append({"loc": ["query", name], "msg": "given more than once",
                               "type": "value_error"})
                continue
            instance = _coerce(values[0], schema)
        try:
            validate_against(schema, instance, ("query", name))
        except ContractError as exc:
            errors.extend(exc.errors)
    for name, param in params.items():
        if param.get("required") and name not in query:
            errors.append({"loc": ["query", name], "msg": "Field required", "type": "missing"})
    if errors:
        raise ContractError("; ".join(f"{e['loc']}: {e['msg']}" for e in errors), errors)


def request_body_schema(op: Operation, content_type: str) -> dict[str, Any] | None:
    content = op.spec.get("requestBody", {}).get("content", {})
    base = content_type.split(";")[0].strip()
    entry = content.get(base)
    return entry["schema"] if entry else None


def validate_json_body(op: Operation, body: Any) -> None:
    schema = request_body_schema(op, "application/json")
    if schema is None:
        raise ContractError(f"{op.template} takes no JSON body")
    validate_against(schema, body, ("body",))


def validate_request(method: str, path: str, query: dict[str, list[str]],
                     body: Any | None) -> Operation:
    """Validate a JSON (or bodiless) request; returns the operation it matched."""
    op = find_operation(method, path)
    validate_query(op, query)
    if body is not None:
        validate_json_body(op, body)
    elif op.spec.get("requestBody", {}).get("required"):
        raise ContractError(f"{op.template} needs a body",
                            [{"loc": ["body"], "msg": "Field required", "type": "missing"}])
    return op


def response_schema(op: Operation, status: int, content_type: str) -> dict[str, Any] | None:
    responses = op.spec.get("responses", {})
    entry = responses.get(str(status))
    if entry is None:
        return None
    content = entry.get("content", {})
    base = content_type.split(";")[0].strip()
    if base in content:
        return content[base].get("schema")
    return None


def validate_response_json(method: str, path: str, status: int, body: Any) -> None:
    op = find_operation(method, path)
    schema = response_schema(op, status, "application/json")
    if schema is None:
        raise ContractError(
            f"{method.upper()} {op.template} declares no JSON response for {status}")
    validate_against(schema, body, ("response",))
