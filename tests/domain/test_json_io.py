"""Big JSON read and written without holding the GIL for the whole document."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from app.domain import json_io


def _document(words: int) -> dict:
    return {"text": "héllo " * 10, "words": [
        {"text": f"w{i}", "start": i / 10, "end": i / 10 + 0.05, "speaker_id": "s1",
         "characters": [{"text": "w", "start": 0.0}]} for i in range(words)],
        "nested": {"empty": [], "list": list(range(1200)), "tuple_like": [[1, 2], [3]]},
        "none": None, "flag": True, "ünïcode": "✓"}


@pytest.mark.parametrize("words", [0, 1, 499, 500, 501, 1234])
def test_same_results_as_the_json_module(words: int) -> None:
    document = _document(words)
    text = json_io.dumps(document)
    assert json.loads(text) == document
    assert text == json.dumps(document, ensure_ascii=False)  # the very same text
    assert json_io.loads(text) == json.loads(text)
    assert json_io.loads(text.encode()) == document
    assert json_io.dumps(document, ensure_ascii=True) == json.dumps(document)


def test_invalid_json_raises_value_error() -> None:
    with pytest.raises(ValueError):
        json_io.loads('{"words": [1, 2')


def test_other_threads_run_while_a_big_document_is_read() -> None:
    """The point of it: a thread (standing for the GUI thread) keeps getting turns."""
    text = json.dumps(_document(60_000))
    gaps: list[float] = []
    done = threading.Event()

    def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        start = time.perf_counter()
        json_io.loads(text)
        json_io.dumps(json.loads(text))
        took = time.perf_counter() - start
    finally:
        done.set()
        thread.join()
    # The ticker got many turns during the work, not one at the end (with json.loads and
    # json.dumps it gets none until each finishes).
    during = [gap for gap in gaps if gap < took]
    assert len(during) >= 10, (len(gaps), took)


def test_a_deeply_nested_object_is_written_like_json_dumps() -> None:
    value: dict[str, Any] = {"x": 1}
    for _ in range(900):  # json.loads reads this deep; the writer had to as well
        value = {"a": value}
    assert json_io.dumps(value) == json.dumps(value, ensure_ascii=False)
