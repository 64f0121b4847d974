from __future__ import annotations

import pytest

from app.domain.music_plan_checks import validate_plan
from app.domain.music_plan_json import plan_from_json
from app.domain.music_plan_write import to_v1_composition_plan, to_v2_chunks
from app.domain.music_request import compose_body
from app.domain.music_templates import TEMPLATES, MusicTemplate, template
from tests.support.spec import validate_request


def test_the_four_templates() -> None:
    assert [t.title for t in TEMPLATES] == [
        "Pop song", "Lo-fi beat", "Cinematic trailer", "Podcast intro"
    ]
    assert len({t.key for t in TEMPLATES}) == len(TEMPLATES)
    assert template("lofi_beat").title == "Lo-fi beat"
    with pytest.raises(KeyError):
        template("polka")


@pytest.mark.parametrize("item", TEMPLATES, ids=lambda t: t.key)
@pytest.mark.parametrize("model", ["music_v1", "music_v2"])
def test_templates_are_valid_for_both_models(item: MusicTemplate, model: str) -> None:
    plan = item.plan()
    assert validate_plan(plan, model) == []
    validate_request("POST", "/v1/music", {}, compose_body(model, plan=plan))
    validate_request("POST", "/v1/music", {}, compose_body(model, prompt=item.prompt))


@pytest.mark.parametrize("item", TEMPLATES, ids=lambda t: t.key)
def test_templates_round_trip_both_shapes(item: MusicTemplate) -> None:
    plan = item.plan()
    assert plan_from_json(to_v1_composition_plan(plan)) == plan
    assert plan_from_json(to_v2_chunks(plan)) == plan


def test_plan_is_a_fresh_copy() -> None:
    first = template("pop_song").plan()
    first.sections[0].name = "Changed"
    first.global_positive_styles.append("x")
    again = template("pop_song").plan()
    assert again.sections[0].name == "Intro"
    assert "x" not in again.global_positive_styles
