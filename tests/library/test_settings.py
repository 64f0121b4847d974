from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from app.library.settings import DEFAULT_BASE_URL, Settings, SettingsStore


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "settings.json").load()
    assert settings == Settings()
    assert settings.base_url == DEFAULT_BASE_URL == "https://api.elevenlabs.io"
    assert settings.default_output_format == "mp3_44100_128"
    assert settings.window_state == {}
    assert "api_key" not in {item.name for item in dataclasses.fields(Settings)}


def test_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "config" / "settings.json")
    settings = store.load()
    settings.output_device = "USB Audio"
    settings.last_voice_id = "v1"
    settings.last_model_id = "eleven_multilingual_v2"
    settings.window_state = {"geometry": "AAAA", "tab": "speech"}
    settings.last_tab = "music"
    store.save(settings)
    assert SettingsStore(store.path).load() == settings
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]


def test_corrupt_file_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    settings = SettingsStore(path).load()
    assert settings == Settings()
    assert not path.exists()
    assert [p.read_text() for p in tmp_path.glob("settings.json.corrupt-*")] == ["{not json"]


def test_each_damaged_settings_file_is_kept_not_the_last_one_only(tmp_path: Path) -> None:
    """A second damaged settings file replaced the copy kept of the first."""
    path = tmp_path / "settings.json"
    for damage in ("{first", "{second", "[3]"):
        path.write_text(damage)
        assert SettingsStore(path).load() == Settings()
    kept = sorted(p.read_text() for p in tmp_path.glob("settings.json.corrupt-*"))
    assert kept == ["[3]", "{first", "{second"]


def test_bad_values_fall_back_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"output_device": "Speakers", "window_state": 5,
                                "unknown": True}))
    settings = SettingsStore(path).load()
    assert settings.output_device == "Speakers"
    assert settings.window_state == {}
    assert len(list(tmp_path.glob("settings.json.corrupt-*"))) == 1


def test_env_base_url_overrides_but_is_not_saved(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"base_url": "https://eu.example.com"}))
    monkeypatch.setenv("ELEVENLABS_BASE_URL", "https://127.0.0.1:9999")
    store = SettingsStore(path)
    settings = store.load()
    assert settings.base_url == "https://127.0.0.1:9999"
    settings.output_device = "X"
    store.save(settings)
    saved = json.loads(path.read_text())
    assert saved["base_url"] == "https://eu.example.com"
    assert saved["output_device"] == "X"
    # A user who picks a new address in the dialog meanwhile gets it saved.
    settings.base_url = "https://api.us.example.com"
    store.save(settings)
    assert json.loads(path.read_text())["base_url"] == "https://api.us.example.com"
