"""Turn JSON from the wire into typed models; a shape we cannot read is a protocol error.

pydantic is imported on first use, not with this module: the window shows before any
answer arrives, and pydantic costs ~60 ms of start-up (see benchmarks/startup.py).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from app.api.errors import ApiProtocolError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from app.api.client import ResponseInfo

M = TypeVar("M", bound="BaseModel")
log = logging.getLogger(__name__)


def plain_name(model: type) -> str:
    """A model's name in words for a message: "DictionariesPage" -> "dictionaries page"
    (users were told an answer "does not look like a DictionariesPage")."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", model.__name__)
    return " ".join(word if word.isupper() and len(word) > 1 else word.lower()
                    for word in words) or model.__name__


def with_article(name: str) -> str:
    """"a voice", "an alignment", "an STT response"."""
    first = name.split(" ", 1)[0]
    vowel = (first[0] in "AEFHILMNORSX") if first.isupper() else first[:1] in "aeiou"
    return f"{'an' if vowel else 'a'} {name}"


def parse_model(model: type[M], data: Any, info: ResponseInfo) -> M:
    from pydantic import ValidationError as PydanticValidationError

    try:
        return model.model_validate(data)
    except RecursionError as exc:
        raise ApiProtocolError(
            f"The server's answer is nested too deeply to read (it should be "
            f"{with_article(plain_name(model))}).", info=info) from exc
    except PydanticValidationError as exc:
        raise ApiProtocolError(
            f"The server's answer is not {with_article(plain_name(model))} as XI Studio expects "
            f"({_first_problem(exc)}).", info=info) from exc


def _first_problem(exc: Any) -> str:
    """The first thing wrong, with the field it is in ("audio_base64: Field required"),
    without pydantic's "Value error, " prefix."""
    errors = exc.errors()
    if not errors:
        return str(exc)
    if errors[0].get("type") == "model_type":  # pydantic names the class there
        message = "should be a JSON object with named fields"
    else:
        message = str(errors[0].get("msg", "unexpected shape")).removeprefix("Value error, ")
    where = ".".join(str(part) for part in errors[0].get("loc", ()))
    return f"{where}: {message}" if where else message


def parse_list(model: type[M], data: Any, info: ResponseInfo) -> list[M]:
    """A list of entries; a damaged entry is left out (logged), the others kept: one model
    with a language that is a number refused the whole models list, and no model could be
    used. A list with entries but none readable, or not a list, is a protocol error."""
    from pydantic import TypeAdapter
    from pydantic import ValidationError as PydanticValidationError

    try:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
    except (PydanticValidationError, RecursionError) as exc:
        from app.domain.wire import readable_models

        kept = readable_models(model, data) if isinstance(data, list) else []
        if kept:
            log.warning("left out %d unreadable %s entries of %d",
                        len(data) - len(kept), plain_name(model), len(data))
            return kept
        raise ApiProtocolError(
            f"The server's answer is not a list of the {plain_name(model)} entries XI Studio "
            "expects.", info=info) from exc


def path_part(value: str) -> str:
    """One path segment, escaped (ids never change the path's shape)."""
    if not value:
        raise ValueError("an id is needed here")
    return quote(value, safe="")
