"""A script's file is written one write at a time and never goes back to an older value:
a background save (worker thread) that ends after the quit's synchronous save must not
put back what the quit's save wrote over (edits lost without a word)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from app.library import script_store
from app.library.script_store import load_script, save_script
from app.services import script_document
from app.services.script_document import ScriptDocument
from tests.services.test_script_export_stop import long_script


def _titled(document: ScriptDocument, title: str) -> None:
    document.apply(lambda s: replace(s, title=title))


def test_an_older_value_written_late_does_not_replace_a_newer_one(tmp_path: Path) -> None:
    script, _takes = long_script(tmp_path, blocks=2)
    path = save_script(tmp_path / "s.xiscript.json", script)
    document = ScriptDocument(script, path)
    _titled(document, "Older")
    older = (document.version, document.script)
    _titled(document, "Newer")
    document.save_blocking()
    document._write_file(*older, [], None)  # the background write, ending late
    assert load_script(path).title == "Newer"


def test_a_quit_save_waits_for_a_background_write_and_comes_after_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script, _takes = long_script(tmp_path, blocks=2)
    path = save_script(tmp_path / "s.xiscript.json", script)
    document = ScriptDocument(script, path)
    writing, finish = threading.Event(), threading.Event()
    real_save = script_store.save_script

    def slow_first_save(*args: object, **kwargs: object) -> object:
        if not writing.is_set():  # the background save: held while the quit comes
            writing.set()
            assert finish.wait(10)
        return real_save(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(script_document, "save_script", slow_first_save)
    _titled(document, "Older")

    async def background_then_quit() -> None:
        save = asyncio.ensure_future(document.save())
        await asyncio.to_thread(writing.wait, 10)
        _titled(document, "Newer")
        quitting = threading.Thread(target=document.save_blocking)
        quitting.start()  # (on quit it runs on the window's thread; here it must wait)
        await asyncio.sleep(0.1)
        assert quitting.is_alive()  # waits for the write under way
        finish.set()
        await save
        await asyncio.to_thread(quitting.join, 10)

    asyncio.run(background_then_quit())
    assert load_script(path).title == "Newer"
    assert not document.is_modified
