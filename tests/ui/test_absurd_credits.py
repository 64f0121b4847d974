"""Credit counts no plan has (a negative count, a limit of 1e18), sent by the cloud test
server: the Speech tab said a 19-digit number or "100,005 left"; now it says the credits
left are unknown. More used than the limit is a real account (usage-based billing): none
of the plan's credits are left, never "-100,000 left"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from app.domain.wire import Subscription
from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e

ABSURD = [
    {"character_count": -5, "character_limit": 100_000},  # read as "100,005 left"
    {"character_count": 0, "character_limit": 1e18},  # "1,000,000,000,000,000,000 left"
    {"character_count": 100, "character_limit": -50},
    {"character_count": 1e18, "character_limit": 100_000},
]


def speech_estimate(launch: Any, cloud: Any, **counts: Any) -> QLabel:
    """The Speech tab's estimate line, with some text typed, for an account whose
    subscription says `counts`."""
    cloud.control.set_account(CREATOR_KEY, "creator", **counts)
    studio = launch(cloud_url=cloud.url)
    studio.find(QPlainTextEdit, "speech.text").setPlainText("Hello there.")
    return studio.find(QLabel, "speech.estimate")


@pytest.mark.parametrize("counts", ABSURD)
def test_the_speech_tab_says_unknown_for_counts_no_plan_has(
        launch: Any, cloud: Any, qtbot: Any, counts: dict[str, Any]) -> None:
    estimate = speech_estimate(launch, cloud, **counts)
    qtbot.waitUntil(lambda: "credits left unknown" in estimate.text(), timeout=30_000)
    assert "left this period" not in estimate.text()
    assert not re.search(r"-\d|\d{1,3}(,\d{3}){4,}", estimate.text()), estimate.text()


def test_a_believable_plan_still_shows_what_is_left(launch: Any, cloud: Any,
                                                    qtbot: Any) -> None:
    estimate = speech_estimate(launch, cloud, character_count=95, character_limit=100_000)
    qtbot.waitUntil(lambda: "99,905 left this period" in estimate.text(), timeout=30_000)


def test_more_used_than_the_plan_has_reads_none_left(launch: Any, cloud: Any,
                                                     qtbot: Any) -> None:
    estimate = speech_estimate(launch, cloud, character_count=200_000,
                               character_limit=100_000)
    qtbot.waitUntil(lambda: "0 left this period" in estimate.text(), timeout=30_000)
    assert not re.search(r"-\d", estimate.text()), estimate.text()


def test_the_domain_keeps_believable_counts_only() -> None:
    def left(count: float, limit: float) -> int | None:
        return Subscription.model_validate({"tier": "creator", "character_count": count,
                                            "character_limit": limit}).characters_left

    assert left(95, 100_000) == 99_905
    assert left(100_000, 100_000) == 0
    assert left(0, 0) == 0
    assert left(-5, 100_000) is None
    assert left(0, 1e18) is None
    assert left(200, 100) == 0  # usage-based billing went past the plan's credits
    assert left(1e18, 100) is None


def test_the_usage_window_does_not_show_a_plan_of_1e18(launch: Any, cloud: Any,
                                                      qtbot: Any) -> None:
    """It said "0 of 1,000,000,000,000,000,000 credits used (0%…)"."""
    cloud.control.set_account(CREATOR_KEY, "creator", character_count=-5,
                              character_limit=1e18)
    studio = launch(cloud_url=cloud.url)
    studio.window.activateWindow()  # Ctrl+Shift+U, as a user presses it
    qtbot.keyClick(studio.window, Qt.Key.Key_U,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window = studio.window.findChild(QWidget, "usage.window")
    assert window is not None
    month = window.findChild(QLabel, "usage.month")
    qtbot.waitUntil(lambda: "make no sense" in month.text(), timeout=30_000)
    assert "credits used" not in month.text() and "1,000,000" not in month.text()
