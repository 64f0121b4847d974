"""The window remembers itself, and Help → About tells what and where."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QSplitter, QTableWidget, QTabWidget

from app import __version__

pytestmark = pytest.mark.e2e


def test_tab_geometry_and_splitters_come_back(launch, engine_url: str, qtbot) -> None:
    first = launch(engine_url=engine_url)
    first.window.resize(1500, 900)
    first.find(QTabWidget, "main.tabs").setCurrentIndex(2)
    splitter = first.find(QSplitter, "speech.splitter")
    qtbot.wait(50)
    splitter.setSizes([300, 700])
    qtbot.wait(50)
    left, right = splitter.sizes()
    first.window.close()

    second = launch(engine_url=engine_url)
    tabs = second.find(QTabWidget, "main.tabs")
    assert tabs.currentIndex() == 2
    tabs.setCurrentIndex(0)  # a splitter has sizes once its tab is laid out
    qtbot.wait(100)
    # Where the user left the divider (layouts may shift it by a few pixels).
    new_left, new_right = second.find(QSplitter, "speech.splitter").sizes()
    # (The offscreen test screen is smaller than the window, so Qt fits the restored
    # geometry to it; the text pane keeps its width, the settings column takes the rest.)
    assert abs(new_left - left) <= 10, (left, right, new_left, new_right)
    assert second.ctx.settings.window_state["geometry"]


def test_about_names_version_data_folder_and_licences(launch, engine_url: str) -> None:
    studio = launch(engine_url=engine_url)
    dialog = studio.window._show_about()
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert __version__ in text
    assert str(studio.ctx.paths.data_dir) in dialog.findChild(QLabel, "about.data_dir").text()
    table = dialog.findChild(QTableWidget, "about.licences")
    names = {table.item(row, 0).text(): table.item(row, 3).text()
             for row in range(table.rowCount())}
    assert names["PySide6-Essentials"].startswith("LGPL")
    assert "GPL" in names["espeakng-loader"]
    dialog.close()
