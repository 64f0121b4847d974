"""A finetunes page from a broken server: only lists are walked (a number in `finetunes`
or `tags` stopped the Music tab with "'int' object is not iterable")."""

from __future__ import annotations

import pytest

from app.domain.music_finetunes import Finetune, finetunes_from_page

ITEM = {"id": "ft1", "name": "Mine", "model_id": "music_v1", "status": "completed",
        "tags": ["calm"]}


@pytest.mark.parametrize("finetunes", [7, 2**70, float("inf"), True])
def test_finetunes_that_are_not_a_list_read_as_none(finetunes: object) -> None:
    assert finetunes_from_page({"finetunes": finetunes}) == ([], None)


@pytest.mark.parametrize("tags", [7, -(2**70), True, 0.5])
def test_tags_that_are_not_a_list_read_as_none(tags: object) -> None:
    found, _cursor = finetunes_from_page({"finetunes": [{**ITEM, "tags": tags}]})
    assert found == [Finetune("ft1", "Mine", "music_v1", "completed", ())]
