"""The Scripts tab's Model box names the script's model in words, and says a model is
"not listed by this server" only once the server has listed its models."""

from __future__ import annotations

from app.domain.script import Script
from app.domain.wire import Model
from app.ui.scripts.output_bar import ScriptOutputBar, readable_model_id


def test_model_ids_read_as_words() -> None:
    assert readable_model_id("eleven_multilingual_v2") == "Eleven Multilingual v2"
    assert readable_model_id("eleven_flash_v2_5") == "Eleven Flash v2.5"
    assert readable_model_id("eleven_v3") == "Eleven v3"
    assert readable_model_id("") == ""


def test_before_the_catalogue_the_model_is_named_without_being_called_unlisted(qtbot) -> None:
    bar = ScriptOutputBar()
    qtbot.addWidget(bar)
    script = Script(model_id="eleven_flash_v2_5")
    bar.show_script(script)  # the server has not answered yet
    assert bar.model.currentText() == "Eleven Flash v2.5"
    assert bar.model.currentData() == "eleven_flash_v2_5"

    bar.set_models([Model(model_id="eleven_v3", name="Eleven v3 (alpha)")])
    bar.show_script(script)  # the server answered without it
    assert bar.model.currentText() == "Eleven Flash v2.5 (not listed by this server)"

    bar.set_models([Model(model_id="eleven_flash_v2_5", name="Eleven Flash v2.5"),
                    Model(model_id="eleven_v3", name="Eleven v3 (alpha)")])
    bar.show_script(script)
    assert bar.model.currentText() == "Eleven Flash v2.5"
    assert bar.model.count() == 2
    bar.show_script(Script(model_id="eleven_v3"))
    assert bar.model.currentText() == "Eleven v3 (alpha)"
