"""The settings schema (declared once, with defaults and types) and its JSON file.

A broken or hand-edited file must never stop the app from starting: unreadable content
is kept aside as `<name>.corrupt` and defaults are used. The API key is deliberately not
a setting: it lives in the system keychain (see secrets.py), never in a plain file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.library.atomic import atomic_write_text
from app.library.bounded_read import read_bounded
from app.library.kept_aside import aside_path
from app.library.notices import LibraryNotice, NoticeBoard
from app.library.small_json import loads_small

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
BASE_URL_ENV = "ELEVENLABS_BASE_URL"


# A plain dataclass rather than a pydantic model: the settings are read before the
# window shows, and pydantic (~60 ms to import and build a first model) loads later,
# with the first server answer. Seven flat fields need only a type check each.
@dataclass
class Settings:
    base_url: str = DEFAULT_BASE_URL
    output_device: str | None = None
    input_device: str | None = None  # the microphone Record… uses (None: the system's)
    default_output_format: str = "mp3_44100_128"
    last_voice_id: str | None = None
    last_model_id: str | None = None
    window_state: dict[str, Any] = field(default_factory=dict)
    last_tab: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> tuple[Settings, list[str]]:
        """The settings in `data`, and the names of the fields whose values did not fit
        (those keep their defaults). Unknown keys are ignored."""
        values: dict[str, Any] = {}
        bad: list[str] = []
        for item in fields(cls):
            if item.name not in data:
                continue
            value = data[item.name]
            if isinstance(value, _FIELD_TYPES[item.name]):
                values[item.name] = value
            else:
                bad.append(item.name)
        return cls(**values), bad

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "base_url": str,
    "output_device": (str, type(None)),
    "input_device": (str, type(None)),
    "default_output_format": str,
    "last_voice_id": (str, type(None)),
    "last_model_id": (str, type(None)),
    "window_state": dict,
    "last_tab": (str, type(None)),
}


class SettingsStore:
    """Loads and saves `Settings` as JSON at `path`.

    `ELEVENLABS_BASE_URL` overrides the server address for this run only: `save()`
    writes back the address from the file, unless the user chose a new one meanwhile.
    """

    def __init__(self, path: Path | str, notices: NoticeBoard | None = None) -> None:
        self.path = Path(path)
        self.notices = notices or NoticeBoard()
        self._file_base_url = DEFAULT_BASE_URL
        self._env_base_url: str | None = None

    def load(self) -> Settings:
        settings = self._read()
        self._file_base_url = settings.base_url
        env_url = (os.environ.get(BASE_URL_ENV) or "").strip()
        self._env_base_url = env_url or None
        if env_url:
            settings.base_url = env_url
        return settings

    def save(self, settings: Settings) -> None:
        data = settings.to_json()
        if self._env_base_url is not None and settings.base_url == self._env_base_url:
            data["base_url"] = self._file_base_url
        else:
            self._file_base_url = settings.base_url
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def _read(self) -> Settings:
        try:
            raw = read_bounded(self.path)
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            log.warning("could not read %s; using defaults", self.path, exc_info=True)
            # Said in the window: the defaults were used silently, and every setting
            # changed this session was lost at quit (a folder where the file should be).
            self.notices.post(LibraryNotice(
                title="Your settings could not be read",
                text=(f"XI Studio could not read {self.path} ({exc.strerror or exc}), so it "
                      "uses its default settings, and changes to them cannot be saved."),
                next_step="Move whatever is at that place away (it should be a file XI "
                          "Studio can read and write), then restart XI Studio.",
                path=self.path))
            return Settings()
        try:  # (a byte order mark, as Notepad writes, is fine; nested "[[[…" is damage)
            data = loads_small(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("%s is not a settings file; kept aside as .corrupt-…", self.path)
            aside = self._keep_aside(move=True)
            self.notices.post(LibraryNotice(
                title="Your settings were damaged",
                text=(f"{self.path} could not be read as settings; it was kept as {aside} "
                      "and XI Studio starts with its default settings."),
                next_step="Choose your settings again (Settings…); nothing else was "
                          "touched.",
                path=aside))
            return Settings()
        settings, bad = Settings.from_json(data)
        if bad:
            # Every good value is kept; only the fields that do not fit use defaults.
            log.warning("%s has invalid values for %s; using defaults for those",
                        self.path, ", ".join(sorted(bad)))
            self._keep_aside(move=False)
        return settings

    def _keep_aside(self, move: bool) -> Path:
        """The damaged file, kept beside it under a name of its own (never over a copy
        kept before); where it went."""
        aside = aside_path(self.path)
        with contextlib.suppress(OSError):
            if move:
                os.replace(self.path, aside)
            else:
                shutil.copyfile(self.path, aside)
        return aside
