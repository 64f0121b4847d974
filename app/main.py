"""Composition root and command line: builds every part once and hands them to the window.

    xi-studio                      open the app
    xi-studio FILE...              open files (text into Speech, audio into the player)
    xi-studio --screenshot F.png [--tab speech|transcripts|music]
    xi-studio serve [--host H] [--port N]   run the local engine without a window
    xi-studio --version
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_ID, APP_NAME, __version__

if TYPE_CHECKING:
    from app.ui.app_context import AppContext

log = logging.getLogger("app")

SCREENSHOT_TIMEOUT_MS = 60_000


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xi-studio", description=f"{APP_NAME}: speech, "
                                     "transcripts and music with ElevenLabs or offline.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--screenshot", metavar="FILE", type=Path,
                        help="start offscreen, wait until ready, save a PNG and exit")
    parser.add_argument("--tab", choices=("speech", "transcripts", "music"), default=None,
                        help="the tab to show first")
    parser.add_argument("files", nargs="*", type=Path, help="files to open")
    return parser


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xi-studio serve",
                                     description="Run the local engine (no window).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        args = _serve_parser().parse_args(argv[1:])
        from app.engine.runner import run
        from app.library.paths import AppPaths

        paths = AppPaths.from_environment()
        paths.ensure()
        return run(host=args.host, port=args.port, data_dir=paths.data_dir / "engine")
    args = _gui_parser().parse_args(argv)
    if args.version:
        print(f"{APP_NAME} {__version__}")
        return 0
    return run_gui(args)


def build_context() -> AppContext:
    """Every long-lived part, built once. Heavy engine modules are not imported here."""
    from app.api.client import ApiClient, ClientConfig
    from app.audio.player import Player
    from app.library.drafts import DraftStore
    from app.library.history import HistoryStore
    from app.library.logs import configure_logging, register_secret
    from app.library.paths import AppPaths
    from app.library.secrets import KeyStore
    from app.library.settings import SettingsStore
    from app.ui.app_context import AppContext

    paths = AppPaths.from_environment()
    paths.ensure()
    configure_logging(paths.log_dir)
    settings_store = SettingsStore(paths.config_dir / "settings.json")
    settings = settings_store.load()
    key_store = KeyStore()
    key = key_store.get()
    if key:
        register_secret(key)
    context = AppContext(
        paths=paths,
        settings_store=settings_store,
        settings=settings,
        key_store=key_store,
        history=HistoryStore(paths.history_db, paths.audio_dir),
        drafts=DraftStore(paths.drafts_dir),
        client=ApiClient(ClientConfig(base_url=settings.base_url, api_key=None)),
        player=Player(device=settings.output_device),
        engine_url=os.environ.get("XI_STUDIO_ENGINE_URL") or None,
    )
    return context


def run_gui(args: argparse.Namespace) -> int:
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow
    from app.ui.qt_async import install_main_thread_gc

    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("XI Studio")
    app.setDesktopFileName(APP_ID)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_main_thread_gc(app)

    ctx = build_context()
    window = MainWindow(ctx)
    if args.tab:
        window.show_tab(args.tab)
    window.show()
    window.start()
    if args.files:
        window.open_paths(args.files)

    exit_code = 0
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    if args.screenshot is not None:
        target: Path = args.screenshot

        def take_screenshot(ready: bool) -> None:
            nonlocal exit_code
            target.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(target)):
                print(f"could not write {target}", file=sys.stderr)
                exit_code = 1
            elif not ready:
                print("the window was not ready in time; the screenshot shows it as it was",
                      file=sys.stderr)
                exit_code = 2
            window.close()
            app.quit()

        # Let layouts and the first paint settle after "ready" before grabbing.
        window.ready.connect(lambda: QTimer.singleShot(400, lambda: take_screenshot(True)))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: take_screenshot(False))

    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(shutdown(ctx))
    return exit_code


async def shutdown(ctx: AppContext) -> None:
    """Close what holds resources: the HTTP client, the sound device, the database."""
    await ctx.client.aclose()
    ctx.player.close()
    ctx.history.close()
