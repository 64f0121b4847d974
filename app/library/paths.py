"""Where XI Studio keeps its files, decided once by the composition root.

`XI_STUDIO_HOME` puts everything beneath one folder, so tests (and portable installs)
never touch the user's real data; otherwise the platform's usual places are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_DIR_NAME = "xi-studio"
HOME_ENV = "XI_STUDIO_HOME"


@dataclass(frozen=True, slots=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path
    audio_dir: Path
    drafts_dir: Path
    history_db: Path

    @classmethod
    def under(cls, home: Path) -> AppPaths:
        """Everything beneath one folder (the `XI_STUDIO_HOME` layout)."""
        data = home / "data"
        return cls(
            data_dir=data,
            config_dir=home / "config",
            cache_dir=home / "cache",
            log_dir=home / "logs",
            audio_dir=data / "audio",
            drafts_dir=data / "drafts",
            history_db=data / "history.sqlite3",
        )

    @classmethod
    def from_environment(cls) -> AppPaths:
        home = os.environ.get(HOME_ENV)
        if home:
            return cls.under(Path(home).expanduser())
        import platformdirs  # only here: ~40 ms of start-up otherwise

        data = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))
        return cls(
            data_dir=data,
            config_dir=Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)),
            audio_dir=data / "audio",
            drafts_dir=data / "drafts",
            history_db=data / "history.sqlite3",
        )

    @property
    def ledger_db(self) -> Path:
        """The usage ledger (app/library/ledger.py), beside the history."""
        return self.data_dir / "ledger.sqlite3"

    def ensure(self) -> AppPaths:
        """Create every folder (not at construction: building paths has no side effects)."""
        for folder in (self.data_dir, self.config_dir, self.cache_dir, self.log_dir,
                       self.audio_dir, self.drafts_dir, self.history_db.parent):
            folder.mkdir(parents=True, exist_ok=True)
        return self
