"""A History item that cannot be played says so in the tab the user is in (the player
is shared by every tab; its errors used to land in the Speech tab whatever was open)."""

from __future__ import annotations

from typing import Any

from app.library.history import NewGeneration


def test_playback_error_shows_in_the_open_tab(launch: Any, engine_url: str,
                                              qtbot: Any) -> None:
    studio = launch(engine_url=engine_url)
    window, ctx = studio.window, studio.ctx
    broken = ctx.paths.audio_dir / "broken.mp3"
    broken.write_bytes(b"this is not audio at all" * 20)
    generation = ctx.history.add(NewGeneration(
        kind="tts", title="Broken file", text="hello", voice_id=None, voice_name=None,
        model_id=None, output_format="mp3_44100_128", settings_json="{}", request_ids=[],
        character_cost=None, duration_ms=1000, file_path=broken, session_id="test"))
    for name in ("transcripts", "music", "speech"):
        window.show_tab(name)
        tab = window.tabs.currentWidget()
        others = [t.error_banner for t in (window.speech_tab, window.transcripts_tab,
                                           window.music_tab) if t is not tab]
        for banner in (tab.error_banner, *others):
            banner.hide()
        window.history.play_requested.emit(generation)
        qtbot.waitUntil(tab.error_banner.isVisible, timeout=10_000)
        assert tab.error_banner.text()  # says what happened
        assert not any(banner.isVisible() for banner in others), name
