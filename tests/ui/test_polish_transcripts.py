"""Transcripts say nothing stale: a failed delete does not leave "Deleting from the
server…" standing under the banner that says what went wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QMessageBox

from app.ui.app_context import AppContext
from tests.ui.test_transcripts_tab import (  # noqa: F401 - fixtures, used by name
    ctx,
    engine_url,
    make_tab,
    speech_wav,
    transcribe,
)

pytestmark = pytest.mark.e2e


def test_a_failed_delete_leaves_no_deleting_message(ctx: AppContext, qtbot: Any,  # noqa: F811
                                                    speech_wav: Path) -> None:  # noqa: F811
    tab = make_tab(ctx, qtbot)
    transcribe(tab, qtbot, speech_wav)
    transcription_id = tab.document.original.transcription_id
    assert transcription_id
    # Someone deleted it on the server already: the app's delete fails with 404.
    url = f"{ctx.engine_url}/v1/speech-to-text/transcripts/{transcription_id}"
    assert httpx.delete(url).status_code < 300
    box = tab.confirm_delete()
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(tab.error_banner.isVisible, timeout=10_000)
    qtbot.waitUntil(lambda: not tab.controller.is_running("transcripts.delete"))
    assert "Deleting" not in tab.status.text()
