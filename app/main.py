"""Composition root and command line: builds every part once and hands them to the window.

    xi-studio                      open the app
    xi-studio FILE...              open files (text into Speech, audio into the player)
    xi-studio --screenshot F.png [--tab speech|transcripts|music|scripts]
    xi-studio serve [--host H] [--port N]   run the local engine without a window
    xi-studio render SCRIPT --out DIR [--format F]   render a script headless (render_cli.py)
    xi-studio models list | install NAME [--from DIR] | remove NAME
                                            offline voices and recognisers
    xi-studio --version

Environment: `XI_STUDIO_HOME` (one folder for all data), `ELEVENLABS_API_KEY`,
`ELEVENLABS_BASE_URL`, `XI_STUDIO_ENGINE_URL` (an engine already running),
`XI_STUDIO_READ_TIMEOUT_S` (how long to wait for a server that stops answering; default
60 s: for slow links, and for tests) and, as a testing aid only, `XI_STUDIO_AUTOMATION`
(see `run_automation`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_ID, APP_NAME, __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from app.api.client import ClientConfig
    from app.ui.app_context import AppContext
    from app.ui.main_window import MainWindow

log = logging.getLogger("app")

SCREENSHOT_TIMEOUT_MS = 60_000
READ_TIMEOUT_ENV = "XI_STUDIO_READ_TIMEOUT_S"
AUTOMATION_ENV = "XI_STUDIO_AUTOMATION"
AUTOMATION_WAIT_MS = 30_000
STARTUP_PROBE_ENV = "XI_STUDIO_STARTUP_PROBE"
# Modules that must load only when first needed, after the window shows (checked by the
# start-up benchmark): engine backends, decoders, the SDK, the web framework, and the
# pydantic wire models (they come with the first server answer).
HEAVY_MODULES = ("numpy", "av", "soundfile", "sounddevice", "soxr", "fastapi", "uvicorn",
                 "starlette", "elevenlabs", "pocketsphinx", "espeakng_loader", "app.engine.app",
                 "app.audio.decode", "app.audio.stream_decoder", "superqt", "rich", "keyring",
                 "pydantic", "app.domain.wire",
                 "piper", "faster_whisper", "onnxruntime", "ctranslate2", "huggingface_hub")


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xi-studio", description=f"{APP_NAME}: speech, "
                                     "transcripts and music with ElevenLabs or offline.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--screenshot", metavar="FILE", type=Path,
                        help="start offscreen, wait until ready, save a PNG and exit")
    parser.add_argument("--tab", choices=("speech", "transcripts", "music", "scripts"),
                        default=None, help="the tab to show first")
    parser.add_argument("files", nargs="*", type=Path, help="files to open")
    return parser


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xi-studio serve",
                                     description="Run the local engine (no window).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--token", default=None,
                        help="accept only this xi-api-key (default: any key)")
    return parser


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates a few hundred thousand objects that live as long as the window.
    # Automatic collections during it scan them again and again (~75 collections, ~11 ms
    # before the window first idles) and find next to nothing. The window hands
    # collection to its own collector on the GUI thread (app/ui/qt_async.py); the other
    # commands turn it back on.
    gc.disable()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["models"], ["serve"], ["render"]):
        gc.enable()
    if argv[:1] == ["models"]:
        from app.models_cli import main as models_main

        return models_main(argv[1:])
    if argv[:1] == ["serve"]:
        args = _serve_parser().parse_args(argv[1:])
        from app.engine.runner import run
        from app.library.paths import AppPaths

        paths = AppPaths.from_environment()
        paths.ensure()
        return run(host=args.host, port=args.port, data_dir=paths.data_dir / "engine",
                   token=args.token)
    if argv[:1] == ["render"]:
        from app.render_cli import main as render_main

        return render_main(argv[1:])
    args = _gui_parser().parse_args(argv)
    if args.version:
        print(f"{APP_NAME} {__version__}")
        return 0
    return run_gui(args)


def _read_timeout_s(default: ClientConfig) -> float:
    """`XI_STUDIO_READ_TIMEOUT_S` when set to a positive number of seconds."""
    raw = (os.environ.get(READ_TIMEOUT_ENV) or "").strip()
    try:
        seconds = float(raw) if raw else 0.0
    except ValueError:
        seconds = 0.0
    return seconds if seconds > 0 else default.read_timeout_s


def skip_unused_imports() -> None:
    """Imports the GUI process never needs, and that cost start-up or request time.

    - httpx imports its command-line client (rich, click, pygments: ~0.1 s) whenever
      those happen to be installed. None in sys.modules makes that import fail at once,
      which httpx expects and handles.
    - httpcore tries `import sniffio` on every request (several times) to learn which
      async library runs it; when sniffio is not installed each try searches sys.path
      again. The app only runs asyncio, httpcore's answer without it.
    - The app uses no pydantic plugins; looking for them reads every installed
      package's metadata (~40 ms of start-up).
    """
    import importlib.util

    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def build_context() -> AppContext:
    """Every long-lived part, built once. Heavy engine modules are not imported here."""
    from app.api.client import ApiClient, ClientConfig
    from app.audio.player import Player
    from app.library.data_folders import prepare_folders
    from app.library.drafts import DraftStore
    from app.library.history import HistoryStore
    from app.library.logs import configure_logging
    from app.library.notices import NoticeBoard
    from app.library.paths import AppPaths
    from app.library.secrets import KeyStore
    from app.library.settings import SettingsStore
    from app.ui.app_context import AppContext

    paths = AppPaths.from_environment()
    # A folder that cannot be created (read-only, full, a file in the way) must not stop
    # the window from opening: the window tells the user instead (notices).
    notices = NoticeBoard()
    prepare_folders(paths, notices)
    try:
        configure_logging(paths.log_dir)
    except OSError:
        logging.basicConfig(level=logging.INFO)  # to stderr: the log folder is unusable
    settings_store = SettingsStore(paths.config_dir / "settings.json", notices)
    settings = settings_store.load()
    # The key is read (and registered for log redaction) by the backend controller in a
    # worker thread after the window shows: the keychain takes ~0.1 s to load.
    key_store = KeyStore()
    context = AppContext(
        paths=paths,
        settings_store=settings_store,
        settings=settings,
        key_store=key_store,
        history=HistoryStore(paths.history_db, paths.audio_dir, notices),
        drafts=DraftStore(paths.drafts_dir, notices),
        client=ApiClient(ClientConfig(base_url=settings.base_url, api_key=None,
                                      read_timeout_s=_read_timeout_s(ClientConfig()))),
        player=Player(device=settings.output_device),
        engine_url=os.environ.get("XI_STUDIO_ENGINE_URL") or None,
        notices=notices,
    )
    return context


def run_gui(args: argparse.Namespace) -> int:
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    skip_unused_imports()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.pyside_import_hook import skip_source_reading

    # At once: PySide6's import hook would read the source of every module imported
    # after it (~0.2 ms each), qasync and the standard library's among them.
    skip_source_reading()
    ctx = build_context()
    from app.ui.event_loop import AppEventLoop
    from app.ui.main_window import MainWindow
    from app.ui.qt_async import (
        favour_gui_thread,
        install_asyncgen_hooks,
        install_main_thread_gc,
    )
    from app.ui.single_instance import SingleInstance, join_or_lead

    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("XI Studio")
    app.setDesktopFileName(APP_ID)
    from app.ui.icons import app_icon

    app.setWindowIcon(app_icon())
    from app.ui.app_style import install_app_style

    install_app_style(app)  # readable on dark palettes too (app/ui/app_style.py)
    # One window per data folder (a screenshot run stands apart).
    instance = (join_or_lead(ctx.paths.data_dir, list(args.files))
                if args.screenshot is None else False)
    if instance is None:  # another window has the files now
        ctx.history.close()
        return 0
    loop = AppEventLoop(app)  # qasync's, with cancelled timers stopped at once
    asyncio.set_event_loop(loop)
    install_asyncgen_hooks(loop)
    install_main_thread_gc(app)
    favour_gui_thread()

    window = MainWindow(ctx)
    from app.ui.quit_signals import close_on_termination_signals

    close_on_termination_signals(window)  # SIGTERM/SIGHUP close it as the user would
    automation = os.environ.get(AUTOMATION_ENV)
    if automation:
        window.ready.connect(lambda: run_automation(window, Path(automation)))
    if args.tab:
        window.show_tab(args.tab)
    window.show()
    # What start-up made (modules, classes, the window's widgets) lives as long as the
    # window. Moved out of the collector's reach, no collection scans it again: the first
    # one would otherwise take ~20 ms, and each full one later ~20 ms more. Before
    # `start`, so the requests it begins stay collectable.
    gc.freeze()
    window.start()
    if args.files:
        window.open_paths(args.files)
    if isinstance(instance, SingleInstance):
        instance.files_received.connect(window.receive_handed_over)
    if os.environ.get(STARTUP_PROBE_ENV) == "1":
        _install_startup_probe(app, window)

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
        loop.run_until_complete(loop.shutdown_asyncgens())
    if isinstance(instance, SingleInstance):
        instance.release()
    return exit_code


def _install_startup_probe(app: QApplication, window: QWidget) -> None:
    """For the start-up benchmark: once the window is shown and the event loop first
    idles, print the monotonic clock (and which heavy modules were loaded), then quit."""
    import time

    from PySide6.QtCore import QTimer

    shown = time.monotonic()

    def report() -> None:
        idle = time.monotonic()
        loaded = sorted(name for name in HEAVY_MODULES if name in sys.modules)
        print(f"{STARTUP_PROBE_ENV} shown={shown:.6f} idle={idle:.6f} "
              f"cpu={time.process_time():.6f} heavy={','.join(loaded) or '-'} "
              f"gc_automatic={int(gc.isenabled())} gc_frozen={gc.get_freeze_count()}",
              flush=True)
        window.close()
        app.quit()

    QTimer.singleShot(0, report)


def run_automation(window: MainWindow, script: Path) -> None:
    """A testing aid, not a user feature: once the window is ready, play the steps of a
    JSON script, so a test can drive the real app in a subprocess (and, say, kill it in
    the middle of a generation). `XI_STUDIO_AUTOMATION=script.json` holding

        {"steps": [{"action": "dump", "objects": ["speech.text"], "to": "/tmp/seen.json"},
                   {"action": "type", "object": "speech.text", "text": "Hello"},
                   {"action": "select", "object": "speech.format", "data": "wav_24000"},
                   {"action": "click", "object": "speech.generate"}]}

    `type` replaces a text box's text, `select` picks a combo box entry by its data,
    `click` waits (up to 30 s) for the button to be enabled, `dump` writes the named
    widgets' texts to a JSON file. Widgets are found by objectName."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QWidget,
    )

    from app.library.atomic import atomic_write_text

    window.build_all_tabs()  # a script may name widgets of any tab
    try:
        steps = list(json.loads(script.read_text(encoding="utf-8"))["steps"])
    except (OSError, ValueError, KeyError, TypeError):
        log.exception("automation script %s is unreadable", script)
        return

    def text_of(widget: QWidget | None) -> str | None:
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QLineEdit | QAbstractButton | QLabel):
            return widget.text()
        return str(widget.currentData()) if isinstance(widget, QComboBox) else None

    def run(index: int, waited_ms: int = 0) -> None:
        if index >= len(steps):
            return
        step = steps[index]
        action, name = step.get("action"), str(step.get("object") or "")
        widget = window.findChild(QWidget, name) if name else None
        if action == "dump":
            seen = {n: text_of(window.findChild(QWidget, n)) for n in step.get("objects", [])}
            atomic_write_text(step["to"], json.dumps(seen))
        elif action == "type" and isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(step.get("text", "")))
        elif action == "type" and isinstance(widget, QLineEdit):
            widget.setText(str(step.get("text", "")))
        elif action == "select" and isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(step.get("data"))))
        elif action == "click" and isinstance(widget, QAbstractButton):
            if not widget.isEnabled() and waited_ms < AUTOMATION_WAIT_MS:
                QTimer.singleShot(50, lambda: run(index, waited_ms + 50))
                return
            widget.click()
        else:
            log.error("automation: cannot %s %r; stopped", action, name)
            return
        log.info("automation: %s %s", action, name)
        QTimer.singleShot(0, lambda: run(index + 1))

    run(0)


async def shutdown(ctx: AppContext) -> None:
    """Close what holds resources: the HTTP client, the sound device, the databases."""
    await ctx.client.aclose()
    ctx.player.close()
    ctx.history.close()
    if ctx.costs.ledger is not None:
        ctx.costs.ledger.close()
