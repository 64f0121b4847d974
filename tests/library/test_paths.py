from __future__ import annotations

from pathlib import Path

import pytest

from app.library.paths import AppPaths


def test_home_puts_everything_beneath_it(xi_home: Path) -> None:
    paths = AppPaths.from_environment()
    assert paths.data_dir == xi_home / "data"
    assert paths.config_dir == xi_home / "config"
    assert paths.cache_dir == xi_home / "cache"
    assert paths.log_dir == xi_home / "logs"
    assert paths.audio_dir == xi_home / "data" / "audio"
    assert paths.drafts_dir == xi_home / "data" / "drafts"
    assert paths.history_db == xi_home / "data" / "history.sqlite3"
    assert not xi_home.exists()  # building paths has no side effects
    paths.ensure()
    for folder in (paths.data_dir, paths.config_dir, paths.cache_dir, paths.log_dir,
                   paths.audio_dir, paths.drafts_dir):
        assert folder.is_dir()


def test_platform_dirs_without_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XI_STUDIO_HOME", raising=False)
    paths = AppPaths.from_environment()
    assert "xi-studio" in str(paths.data_dir)
    assert paths.audio_dir.parent == paths.data_dir


def test_frozen() -> None:
    paths = AppPaths.under(Path("/tmp/x"))
    with pytest.raises(AttributeError):
        paths.data_dir = Path("/elsewhere")  # type: ignore[misc]
