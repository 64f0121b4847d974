"""A server answer of the wrong shape is said in words, not in the app's class names."""

from __future__ import annotations

import re

import pytest

from app.api._parse import parse_list, parse_model, plain_name, with_article
from app.api.errors import ApiProtocolError
from app.api.responses import ResponseInfo
from app.domain.wire import Voice, VoicesPage

CLASS_NAME = re.compile(r"\b[A-Z][a-z]+[A-Z]\w*")  # "VoicesPage", "HistoryItem"


def info() -> ResponseInfo:
    return ResponseInfo.from_headers({}, 200)


def test_names_read_as_words() -> None:
    assert plain_name(VoicesPage) == "voices page"
    assert with_article("alignment") == "an alignment"
    assert with_article("voice") == "a voice"
    assert with_article("STT response") == "an STT response"


@pytest.mark.parametrize("data", [{"voices": "none"}, [1, 2], "text"])
def test_a_wrong_shape_is_said_without_class_names(data: object) -> None:
    with pytest.raises(ApiProtocolError) as caught:
        parse_model(VoicesPage, data, info())
    assert "voices page" in caught.value.message
    assert not CLASS_NAME.search(caught.value.message), caught.value.message


def test_a_wrong_list_is_said_without_class_names() -> None:
    with pytest.raises(ApiProtocolError) as caught:
        parse_list(Voice, [{"name": 3}], info())
    assert not CLASS_NAME.search(caught.value.message), caught.value.message
