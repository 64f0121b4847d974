"""Hostile answers made from the API contract: for an endpoint's 200 schema
(shared/api/openapi-subset.json), a valid-looking answer and a bounded, deterministic set
of damaged ones (seeded by the endpoint and field, so every run sends the same bytes).

Used by tests/api/test_fuzz_answers.py, which serves each one from the cloud test server
(`raw_body` fault) to the app's own service method for that endpoint.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# The contract's vendored copy (the cloud test server checks requests against it too).
SPEC_PATH = Path(__file__).resolve().parent.parent / "contract" / "openapi-subset.json"

BIG_STRING = "a" * (1024 * 1024)
BIG_ARRAY_ITEMS = 100_000
DEEP = 10_000
MAX_DEPTH = 3  # fields this deep (and no deeper) are damaged one by one
MAX_FIELDS = 12  # at most this many fields per endpoint (seeded pick past the first 8)
PICKS_PER_FIELD = 2  # of the wrong values below, this many per field besides null (seeded)
SENTINEL = "\u00a7SENTINEL\u00a7"


@dataclass(frozen=True)
class Mutation:
    name: str
    body: bytes


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    return dict(json.loads(SPEC_PATH.read_text("utf-8")))


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec()["components"]["schemas"][name]
    return schema


def _choice(schema: dict[str, Any]) -> dict[str, Any]:
    """The first alternative of an anyOf/oneOf that is not null."""
    schema = resolve(schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [resolve(s) for s in schema[key]]
            real = [s for s in options if s.get("type") != "null"]
            return _choice(real[0] if real else options[0])
    if "allOf" in schema:
        return _choice(schema["allOf"][0])
    return schema


def answer_schema(method: str, path: str) -> dict[str, Any]:
    operation = spec()["paths"][path][method.lower()]
    content = operation["responses"]["200"]["content"]
    return dict(content["application/json"]["schema"])


def example(schema: dict[str, Any], depth: int = 0) -> Any:
    """A valid-looking instance: every property, one item per array."""
    default = resolve(schema).get("default")
    schema = _choice(schema)
    if default is not None and not isinstance(default, dict | list):
        return default
    if "enum" in schema:
        return schema["enum"][0]
    if "example" in schema and not isinstance(schema["example"], dict | list):
        return schema["example"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 6:
            return {}
        return {name: example(sub, depth + 1)
                for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(schema.get("items", {}), depth + 1)] if depth <= 6 else []
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1))
        middle = (low + high) / 2
        return max(1, round(middle)) if kind == "integer" else middle
    if kind == "boolean":
        return False
    if kind == "string":
        return "abc"
    return None


def _leaves(schema: dict[str, Any], value: Any, path: tuple[Any, ...] = ()
            ) -> Iterator[tuple[tuple[Any, ...], dict[str, Any], bool]]:
    """(path, schema, required) for each field of `value`, to MAX_DEPTH, arrays by
    their first item."""
    schema = _choice(schema)
    if len(path) >= MAX_DEPTH:
        return
    if isinstance(value, dict):
        required = set(schema.get("required", ()))
        properties = schema.get("properties", {})
        for key, item in value.items():
            sub = properties.get(key, {})
            yield (*path, key), sub, key in required
            yield from _leaves(sub, item, (*path, key))
    elif isinstance(value, list) and value:
        yield from _leaves(schema.get("items", {}), value[0], (*path, 0))


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    document = copy.deepcopy(document)
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return document


def _remove(document: Any, path: tuple[Any, ...]) -> Any:
    document = copy.deepcopy(document)
    target = document
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return document


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def encode(document: Any) -> bytes:
    # ensure_ascii: a lone surrogate goes out as the escape "\ud800", as JSON allows
    return json.dumps(document, ensure_ascii=True, allow_nan=True).encode("ascii")


WRONG_VALUES: list[tuple[str, Any]] = [
    ("null", None), ("string", "x"), ("number", 7), ("object", {"a": 1}), ("array", [1]),
    ("bool", True), ("negative", -1), ("NaN string", "NaN"), ("1e308", 1e308),
    ("-1e308", -1e308), ("2**70", 2**70), ("-2**70", -(2**70)), ("empty string", ""),
    ("NUL", "a\u0000b"), ("lone surrogate", "\ud800"), ("empty array", []),
    ("empty object", {}), ("zero", 0), ("Infinity", float("inf")), ("NaN", float("nan")),
]


def _path_name(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path) or "(top)"


def field_mutations(endpoint: str, schema: dict[str, Any], base: Any) -> list[Mutation]:
    found: list[Mutation] = []
    big_string_done = big_array_done = False
    leaves = list(_leaves(schema, base))
    if len(leaves) > MAX_FIELDS:  # keep runs short: the first fields, then a seeded few
        rest = random.Random(endpoint).sample(leaves[8:], MAX_FIELDS - 8)
        leaves = leaves[:8] + sorted(rest, key=leaves.index)
    for path, sub, required in leaves:
        name = _path_name(path)
        if required:
            found.append(Mutation(f"{name} missing", encode(_remove(base, path))))
        rng = random.Random(f"{endpoint}:{name}")
        # null always (the most common damage), then a seeded few of the rest
        picks = [WRONG_VALUES[0], *rng.sample(WRONG_VALUES[1:], PICKS_PER_FIELD)]
        for label, value in picks:
            found.append(Mutation(f"{name} = {label}", encode(_set(base, path, value))))
        current = _get(base, path)
        if isinstance(current, str) and not big_string_done:
            big_string_done = True
            found.append(Mutation(f"{name} = 1 MB string", encode(_set(base, path, BIG_STRING))))
        if isinstance(current, list) and current and not big_array_done:
            big_array_done = True
            # 100k copies of a small item; of a big one (a voice is ~3 KB), 100k empty
            # objects: 300 MB of copies would measure this test's memory, not the app's.
            item = current[0] if len(encode(current[0])) <= 100 else {}
            found.append(Mutation(f"{name} = {BIG_ARRAY_ITEMS} items",
                                  encode(_set(base, path, [item] * BIG_ARRAY_ITEMS))))
        if _choice(sub).get("type") in ("array", "object") or isinstance(current, dict | list):
            deep = json.loads("[" * 50 + "]" * 50)
            found.append(Mutation(f"{name} nested 50 deep", encode(_set(base, path, deep))))
    return found


def document_mutations(base: Any) -> list[Mutation]:
    text = encode(base)
    with_sentinel = _first_string_replaced(base)
    found = [
        Mutation("top-level list", encode([base])),
        Mutation("top-level string", b'"hello"'),
        Mutation("top-level null", b"null"),
        Mutation("top-level number", b"42"),
        Mutation("top-level true", b"true"),
        Mutation("empty body", b""),
        Mutation("whitespace body", b"  \n "),
        Mutation("trailing garbage", text + b"}garbage"),
        Mutation("BOM", b"\xef\xbb\xbf" + text),
        Mutation("UTF-16", text.decode("ascii").encode("utf-16")),
        Mutation("nested 10k deep", b"[" * DEEP + b"]" * DEEP),
        Mutation("objects nested 10k deep", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
        Mutation("top-level 100k array", b"[" + b",".join([b"{}"] * BIG_ARRAY_ITEMS) + b"]"),
        Mutation("NaN literal", b"NaN"),
        Mutation("truncated", text[: max(1, len(text) // 2)]),
    ]
    if isinstance(base, dict) and base:
        first = next(iter(base))
        dup = b'{"' + first.encode() + b'": null, ' + text[1:]
        found.append(Mutation("duplicate key (first null)", dup))
        found.append(Mutation("duplicate key (last null)",
                              text[:-1] + b', "' + first.encode() + b'": null}'))
    if with_sentinel is not None:
        marked = encode(with_sentinel)
        token = json.dumps(SENTINEL, ensure_ascii=True).encode()
        found.append(Mutation("invalid UTF-8 in a string",
                              marked.replace(token, b'"\xc3\x28\xff"')))
        found.append(Mutation("raw NUL in a string", marked.replace(token, b'"a\x00b"')))
        found.append(Mutation("a field nested 10k deep",
                              marked.replace(token, b"[" * DEEP + b"]" * DEEP)))
    return found


def _first_string_replaced(base: Any) -> Any:
    def walk(value: Any) -> tuple[Any, bool]:
        if isinstance(value, str):
            return SENTINEL, True
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            done = False
            for key, item in value.items():
                if not done:
                    item, done = walk(item)
                out[key] = item
            return out, done
        if isinstance(value, list) and value:
            first, done = walk(value[0])
            return [first, *value[1:]], done
        return value, False

    replaced, done = walk(base)
    return replaced if done else None


def mutations(endpoint: str, schema: dict[str, Any], base: Any,
              extra: list[tuple[str, Any]] = ()) -> list[Mutation]:  # type: ignore[assignment]
    """Every damaged answer for one endpoint, in a fixed order."""
    return [*document_mutations(base), *field_mutations(endpoint, schema, base),
            *(Mutation(name, encode(document)) for name, document in extra)]
