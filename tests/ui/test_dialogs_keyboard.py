"""Every dialog from the keyboard alone: Escape stops what a dialog is doing (as its
Cancel does), Tab never gets stuck, focus starts where the user acts first, and Enter
never sets off an action the user did not aim at. Driven with real key presses against
the cloud test server (or the local engine) on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPushButton, QWidget

from tests.ui.test_music_stems import compose_one

pytestmark = pytest.mark.e2e

STALL = 20.0  # seconds a held-back answer waits: far longer than any test waits


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(qtbot: Any, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key, modifier)


# -- Escape stops a busy dialog --------------------------------------------------------

def separate_from_the_keyboard(launch, cloud, qtbot, delay_s: float) -> tuple[Any, Any]:
    """A composed song's stems window, Separate reached with Tab and pressed with Space;
    the test server holds the stems back `delay_s` (by sleeping: it answers nothing else
    then). Returns the window and the Music tab's task runner."""
    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot)
    cloud.control.configure(stem_delay_s=delay_s)
    qtbot.waitUntil(lambda: focused() is dialog.variation)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.separate_button
    press(qtbot, Qt.Key.Key_Space)
    return dialog, studio.window.music_tab._runner


def test_escape_stops_a_running_separation(launch, cloud, qtbot) -> None:
    """Escape closed the stems window but left the (paid) separation running for it."""
    # Held back long enough to outlast the wait below, short enough not to stall teardown.
    dialog, runner = separate_from_the_keyboard(launch, cloud, qtbot, delay_s=5.0)
    qtbot.wait(300)  # the request is on its way
    assert runner.is_running(dialog.SEPARATE)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not runner.is_running("music.stems"), timeout=1_500)


def test_separate_from_the_keyboard_leaves_the_focus_on_cancel(launch, cloud, qtbot) -> None:
    """Separate is disabled while it runs: the focus went nowhere, so neither Space
    (Cancel) nor Tab did anything. It goes to Cancel, and back when it is done."""
    dialog, runner = separate_from_the_keyboard(launch, cloud, qtbot, delay_s=2.0)
    qtbot.waitUntil(lambda: runner.is_running(dialog.SEPARATE))
    assert focused() is dialog.cancel_button
    qtbot.waitUntil(lambda: dialog.stems is not None, timeout=20_000)
    assert focused() is dialog.play_button


def test_escape_stops_a_running_rework(launch, cloud, qtbot) -> None:
    """Escape closed the rework window but left its request running."""
    from tests.ui.test_music_rework import PLAN

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(1)
    tab.editor.set_plan(PLAN, "test")
    studio.find(QPushButton, "music.rework").click()
    dialog = tab.producer.rework_dialog
    cloud.control.add_faults({"path_regex": "^/v1/music/plan", "fault": "stall_before_headers",
                              "seconds": STALL})
    instruction = studio.find(QLineEdit, "music.rework_instruction")
    qtbot.waitUntil(lambda: focused() is instruction)
    qtbot.keyClicks(instruction, "make the chorus bigger")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Rework's keys
    qtbot.waitUntil(lambda: any(r["path"] == "/v1/music/plan"
                                for r in cloud.control.requests()), timeout=10_000)
    assert tab._runner.is_running(dialog.TASK)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not tab._runner.is_running("music.rework"), timeout=3_000)


def test_escape_stops_loading_a_voices_details(launch, cloud, qtbot) -> None:
    """Escape closed the voice's details while they went on loading for nobody."""
    from app.ui.speech.voice_details import VoiceDetailsDialog

    studio = launch(cloud_url=cloud.url)
    qtbot.waitUntil(lambda: studio.window.speech_tab.current_voice() is not None,
                    timeout=20_000)
    cloud.control.add_faults({"path_regex": "^/v1/voices/[^/]+$", "method": "GET",
                              "fault": "stall_before_headers", "seconds": STALL})
    studio.find(QPushButton, "speech.voice_details").click()
    dialog = studio.window.findChild(VoiceDetailsDialog, "voice_details")
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    assert dialog.runner.is_running(dialog.LOAD)
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.runner.is_running(dialog.LOAD), timeout=3_000)


# -- focus starts where the user acts, and Enter does what they aim at ------------------

def test_enter_while_recording_stops_and_keeps_the_recording(
        launch, engine_url, qtbot, alsa_capture_file) -> None:
    """Cancel, the one button enabled while the microphone opened, kept the focus once
    recording began: Enter, pressed to finish, threw the recording away."""
    import numpy as np

    from app.ui.transcripts.record_dialog import RecordDialog
    from tests.ui.test_transcripts_record import write_capture

    write_capture(alsa_capture_file, np.full(16_000, 0.1, dtype=np.float32))
    studio = launch(engine_url=engine_url)
    window = studio.window
    window.show_tab("transcripts")
    view = window.transcripts_tab.viewer.view
    view.setFocus()
    window.activateWindow()
    qtbot.waitUntil(view.hasFocus, timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(RecordDialog, "transcripts.record_dialog")
    qtbot.waitUntil(lambda: dialog.stop_button.isEnabled(), timeout=20_000)
    recorder = dialog.recorder
    qtbot.waitUntil(lambda: recorder.frames > 0, timeout=10_000)
    assert focused() is dialog.stop_button
    press(qtbot, Qt.Key.Key_Return)
    queue = window.transcription_queue
    qtbot.waitUntil(lambda: bool(queue.jobs), timeout=10_000)
    assert queue.jobs[0].source == str(dialog.path)


def tab_walk(qtbot: Any, key: Qt.Key, steps: int) -> list[str]:
    """The objectNames the focus visits, pressing `key` `steps` times."""
    names = []
    for _ in range(steps):
        press(qtbot, key)
        widget = focused()
        names.append(widget.objectName() or widget.text() if widget is not None else "")
    return names


def open_models_window(studio: Any, qtbot: Any) -> Any:
    from app.ui.models_dialog import ModelsDialog

    settings = studio.window.open_settings()
    button = settings.findChild(QPushButton, "settings.offline_models")
    qtbot.waitUntil(settings.isActiveWindow)
    button.setFocus()
    press(qtbot, Qt.Key.Key_Space)
    dialog = settings.findChild(ModelsDialog, "models.dialog")
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    return dialog


def test_models_window_tab_reaches_every_button_in_reading_order(
        launch, engine_url, qtbot, monkeypatch) -> None:
    """The models table kept Tab to walk its cells: no button could be reached, and the
    buttons' order was not the one they sit in."""
    monkeypatch.setenv("XI_STUDIO_MODEL_HUB", "http://127.0.0.1:9")  # nothing leaves
    studio = launch(engine_url=engine_url)
    dialog = open_models_window(studio, qtbot)
    assert focused() is dialog.panel.table
    ahead = ["models.listen", "models.details", "models.install", "models.install_folder",
             "Close", "models.table"]
    assert tab_walk(qtbot, Qt.Key.Key_Tab, len(ahead)) == ahead
    assert tab_walk(qtbot, Qt.Key.Key_Backtab, len(ahead)) == [*ahead[-2::-1], "models.table"]


def test_enter_in_the_models_list_closes_and_installs_nothing(
        launch, engine_url, qtbot, monkeypatch) -> None:
    """Install was the window's default button: Enter in the list started a download of
    hundreds of megabytes."""
    monkeypatch.setenv("XI_STUDIO_MODEL_HUB", "http://127.0.0.1:9")
    studio = launch(engine_url=engine_url)
    dialog = open_models_window(studio, qtbot)
    assert focused() is dialog.panel.table
    press(qtbot, Qt.Key.Key_Return)
    assert not dialog.panel.busy
    assert not dialog.isVisible()


def test_about_starts_in_the_licences_and_tab_leaves_them(launch, cloud, qtbot,
                                                          monkeypatch) -> None:
    """About's focus started on Open data folder (so Enter opened a file manager), and
    its licence table kept Tab: Close could not be reached."""
    from PySide6.QtGui import QDesktopServices

    opened: list[object] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    studio = launch(cloud_url=cloud.url)
    dialog = studio.window.menus.show_about()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert focused().objectName() == "about.licences"
    assert tab_walk(qtbot, Qt.Key.Key_Tab, 4) == [
        "about.model_licences", "Close", "about.open_data", "about.licences"]
    press(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible() and opened == []


# -- Enter in a list stays in the list -------------------------------------------------

def test_enter_in_the_dictionaries_list_makes_no_copy(launch, cloud, qtbot) -> None:
    """Enter in the list reached New, the first button: it made a copy of the chosen
    dictionary (whose name fills the name field) on the server."""
    from tests.ui.test_pronunciation import open_dialog

    studio = launch(cloud_url=cloud.url)
    dialog = open_dialog(qtbot, studio)
    qtbot.waitUntil(lambda: focused() is dialog.list)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.name
    qtbot.keyClicks(dialog.name, "Brand names")
    press(qtbot, Qt.Key.Key_Return)  # aimed at New, from its field
    qtbot.waitUntil(lambda: dialog.list_model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: dialog.refresh_button.isEnabled(), timeout=10_000)
    for view in (dialog.list, dialog.rules):
        view.setFocus()
        press(qtbot, Qt.Key.Key_Return)
        qtbot.wait(500)  # (a request would have been sent by now)
        assert dialog.list_model.rowCount() == 1
        assert dialog.isVisible()
    creates = [r for r in cloud.control.requests()
               if r["method"] == "POST" and "pronunciation-dictionaries" in r["path"]]
    assert len(creates) == 1, creates


def test_enter_among_the_reworked_changes_asks_nothing_again(launch, cloud, qtbot) -> None:
    """Enter among the changes reached Rework, the default: it asked the server again
    and replaced the changes being looked at."""
    from tests.ui.test_music_rework import PLAN

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(1)
    tab.editor.set_plan(PLAN, "test")
    studio.find(QPushButton, "music.rework").click()
    dialog = tab.producer.rework_dialog
    qtbot.waitUntil(lambda: focused() is dialog.instruction)
    qtbot.keyClicks(dialog.instruction, "make the chorus bigger")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.changes.count() == 2, timeout=20_000)
    dialog.changes.setFocus()
    dialog.changes.setCurrentRow(0)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.wait(500)
    asked = [r for r in cloud.control.requests() if r["path"] == "/v1/music/plan"]
    assert len(asked) == 1
    assert dialog.changes.count() == 2 and dialog.accept_button.isEnabled()


def test_escape_stops_making_music_for_a_video(launch, cloud, qtbot, tmp_path) -> None:
    """Music for a video had no cleanup at all: after Escape the request went on for a
    window already deleted."""
    from tests.engine.test_music_video import make_video

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    tab.mode.setCurrentIndex(0)
    studio.find(QPushButton, "music.video").click()
    dialog = tab.producer.video_dialog
    video = tmp_path / "holiday.mp4"
    video.write_bytes(make_video(2.0))
    dialog.set_videos([str(video)])  # (what Choose videos… gives)
    cloud.control.add_faults({"path_regex": "^/v1/music/video-to-music",
                              "fault": "stall_before_headers", "seconds": STALL})
    qtbot.waitUntil(lambda: dialog.make_button.isEnabled() and dialog.isActiveWindow())
    dialog.make_button.setFocus()
    assert focused() is dialog.make_button
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: tab._runner.is_running(dialog.TASK))
    qtbot.waitUntil(lambda: any(r["path"] == "/v1/music/video-to-music"
                                for r in cloud.control.requests()), timeout=10_000)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not tab._runner.is_running("music.video"), timeout=3_000)


# -- Settings: the key field ----------------------------------------------------------

def open_settings(studio: Any, qtbot: Any) -> Any:
    dialog = studio.window.open_settings()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert focused() is dialog.api_key
    return dialog


def test_enter_in_the_key_field_checks_and_saves_the_key(launch, cloud, qtbot,
                                                         memory_keyring) -> None:
    """Enter in the key field reached Save, the default: the dialog closed and the key
    just pasted was dropped."""
    from tests.support.cloud_server import CREATOR_KEY

    studio = launch(cloud_url=cloud.url, key=None)
    dialog = open_settings(studio, qtbot)
    qtbot.keyClicks(dialog.api_key, CREATOR_KEY)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: list(memory_keyring.passwords.values()) == [CREATOR_KEY],
                    timeout=10_000)
    assert dialog.isVisible()


def test_escape_while_the_key_is_checked_saves_nothing(launch, cloud, qtbot,
                                                       memory_keyring) -> None:
    """Escape while the key was being checked closed the dialog, and the check went on
    to save the key (and set the app's work going again with it)."""
    from tests.support.cloud_server import CREATOR_KEY

    studio = launch(cloud_url=cloud.url, key=None)
    dialog = open_settings(studio, qtbot)
    cloud.control.add_faults({"path_regex": "^/v1/models", "fault": "stall_before_headers",
                              "seconds": STALL})
    qtbot.keyClicks(dialog.api_key, CREATOR_KEY)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.save_key
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: studio.window.runner.is_running(dialog.CHECK))
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: not studio.window.runner.is_running(dialog.CHECK), timeout=3_000)
    assert memory_keyring.passwords == {}


def test_enter_on_a_stems_mute_box_separates_nothing_again(launch, cloud, qtbot) -> None:
    """Separate was the stems window's default: Enter on a Mute or Solo box paid for a
    second separation."""
    from PySide6.QtWidgets import QCheckBox

    studio = launch(cloud_url=cloud.url)
    dialog = compose_one(studio, qtbot)
    qtbot.waitUntil(lambda: focused() is dialog.variation)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.stems is not None, timeout=20_000)
    mute = dialog.findChildren(QCheckBox)[0]
    mute.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.wait(500)
    separations = [r for r in cloud.control.requests()
                   if r["path"] == "/v1/music/stem-separation"]
    assert len(separations) == 1
    assert dialog.stems is not None


# -- Enter in a field or a list clicks no button the user did not aim at --------------

def _enter_clicks_nothing(qtbot: Any, dialog: QWidget, fields: list[QWidget]) -> None:
    """Enter in each of `fields` clicks none of the dialog's buttons (a dialog's buttons
    are 'auto default': without a default of its own, the first took Enter)."""
    clicked: list[str] = []
    for button in dialog.findChildren(QPushButton):
        button.clicked.connect(lambda *_a, b=button: clicked.append(b.objectName()))
    for field in fields:
        field.setFocus()
        qtbot.waitUntil(lambda f=field: focused() is f)
        press(qtbot, Qt.Key.Key_Return)
        qtbot.wait(50)
        assert clicked == [], f"Enter in {field.objectName()} clicked {clicked}"
        assert dialog.isVisible()


def test_enter_in_the_video_musics_fields_opens_no_file_chooser(launch, cloud, qtbot,
                                                               tmp_path) -> None:
    """Enter in Description or Tags clicked Choose videos…; with a video chosen, the
    next default could have been Make, which is paid."""
    from tests.engine.test_music_video import make_video

    studio = launch(cloud_url=cloud.url)
    studio.window.show_tab("music")
    tab = studio.window.music_tab
    studio.find(QPushButton, "music.video").click()
    dialog = tab.producer.video_dialog
    video = tmp_path / "holiday.mp4"
    video.write_bytes(make_video(2.0))
    dialog.set_videos([str(video)])
    _enter_clicks_nothing(qtbot, dialog, [dialog.description, dialog.tags])
    assert not any(r["path"].startswith("/v1/music") for r in cloud.control.requests())


def test_enter_in_the_usage_window_exports_nothing(launch, cloud, qtbot) -> None:
    """Enter in the table or a filter opened Export CSV…'s file chooser."""
    studio = launch(cloud_url=cloud.url)
    dialog = studio.window.show_usage()
    table = studio.find(QWidget, "usage.table")
    _enter_clicks_nothing(qtbot, dialog, [table, dialog.period])


def test_enter_in_the_account_history_loads_nothing_more(launch, cloud, qtbot) -> None:
    """Enter in the search or the list clicked Load more: a request nobody asked for."""
    from tests.ui.test_account_history import open_account_history, seed

    seed(cloud.server, 60)  # more than a page: Load more is enabled
    studio = launch(cloud_url=cloud.url)
    dialog = open_account_history(qtbot, studio)
    assert dialog.more.isEnabled()
    _enter_clicks_nothing(qtbot, dialog, [dialog.search, dialog.table])


def test_each_menus_alt_letters_are_its_own(launch, cloud) -> None:
    """Each menu's entries have their own Alt letters: File's Open… and Open script…
    shared O, and View's Speech and Scripts shared S, so Alt+F, O (Alt+V, S) stopped at
    the first and waited for a second press."""
    import re

    studio = launch(cloud_url=cloud.url)
    for menu in studio.window.menuBar().findChildren(QMenu):
        letters = [match.group(1).lower() for action in menu.actions()
                   if (match := re.search(r"&(\w)", action.text()))]
        assert len(letters) == len(set(letters)), (menu.title(), letters)
