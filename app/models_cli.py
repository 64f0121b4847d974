"""`xi-studio models list | install NAME [--from DIR] | remove NAME | check NAME | sample NAME
| card NAME`.

Install shows a one-line progress bar (bytes, speed, time left) on stderr, then measures
the model's speed on this computer and keeps it for `list`. Ctrl+C stops a download; the
same command continues it later from where it stopped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from app.library.models.catalogue import CATALOGUE, UnknownModelError, find, human_size
from app.library.models.checks import ModelInstallError
from app.library.models.progress import (
    InstallCancelledError,
    InstallProgress,
    ProgressCallback,
)
from app.library.models.store import ModelStore

_BAR = 28


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xi-studio models",
                                description="Offline voices (Piper) and recognisers (Whisper).")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the catalogue and what is installed")
    install = sub.add_parser("install", help="download (or copy from a folder) and install")
    install.add_argument("name", help="e.g. whisper-base or piper-en_US-joe-medium")
    install.add_argument("--from", dest="folder", type=Path, default=None,
                         help="a folder holding the model's files (no internet needed)")
    install.add_argument("--no-speed-test", action="store_true",
                         help="skip measuring the model's speed after install")
    remove = sub.add_parser("remove", help="remove an installed model")
    remove.add_argument("name")
    check = sub.add_parser("check", help="read an installed model's files again and compare "
                                         "them with the checksums kept at install")
    check.add_argument("name")
    sample = sub.add_parser("sample", help="hear a Piper voice before installing it")
    sample.add_argument("name")
    sample.add_argument("--no-play", action="store_true",
                        help="only download the sample and say where it is")
    card = sub.add_parser("card", help="print a model's licence and its model card")
    card.add_argument("name")
    return p


def play_sample(name: str, store: ModelStore, out: TextIO, play: bool = True) -> int:
    from app.library.models.extras import fetch_sample

    entry = find(name)
    out.write(f"Getting a sample of {entry.title}...\n")
    path = fetch_sample(entry, store)
    print(path)
    if not play:
        return 0
    import time

    from app.audio.decode import decode_file
    from app.audio.player import AudioDeviceError, Player, PlayerState

    player = Player()
    try:
        player.load(decode_file(path))
        player.play()
        deadline = time.monotonic() + player.duration_ms / 1000 + 10
        while player.state in (PlayerState.PLAYING, PlayerState.BUFFERING) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
    except (AudioDeviceError, OSError) as exc:
        out.write(f"Could not play it ({exc}); the sample is saved at {path}.\n")
    except KeyboardInterrupt:
        pass
    finally:
        player.stop()
    return 0


def show_card(name: str, store: ModelStore) -> int:
    from app.library.models.extras import fetch_card

    entry = find(name)
    print(f"{entry.title} ({entry.name})\nLicence: {entry.licence_text}\n"
          f"From {entry.repo} at revision {entry.revision}\n")
    print(fetch_card(entry, store))
    return 0


def progress_line(p: InstallProgress) -> str:
    filled = round(_BAR * p.fraction)
    return f"[{'#' * filled}{'.' * (_BAR - filled)}] {p.fraction:4.0%} {p.describe()}"


def _printer(out: TextIO) -> ProgressCallback:
    width = [0]

    def show(p: InstallProgress) -> None:
        line = progress_line(p)
        out.write("\r" + line.ljust(width[0]))
        out.flush()
        width[0] = len(line)

    return show


def list_models(store: ModelStore, out: TextIO) -> None:
    rows = [("NAME", "KIND", "LANGUAGE", "QUALITY", "SIZE", "LICENCE", "STATE")]
    for entry in CATALOGUE:
        model = store.get(entry.name)
        problem = store.damaged(entry.name)
        if problem is not None:
            state = f"damaged: {problem}; run `xi-studio models install {entry.name}` again"
        elif model is not None:
            speed = model.speed_x_realtime
            state = "installed" + (f", {speed:.1f}x real time here" if speed else "")
        else:
            part = store.parts_dir(entry)
            have = sum(p.stat().st_size for p in part.glob("*.part")) if part.is_dir() else 0
            state = f"paused at {have / entry.size:.0%}" if have else "-"
        rows.append((entry.name, entry.kind, entry.language, entry.quality,
                     human_size(entry.size), entry.licence, state))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False))
                  + "  " + row[-1] + "\n")
    out.write(f"\nModels folder: {store.root}\n")


def install(name: str, folder: Path | None, store: ModelStore, out: TextIO,
            speed_test: bool = True) -> int:
    from app.library.models.download import install_from_hub
    from app.library.models.folder_install import install_from_folder

    entry = find(name)
    show = _printer(out)
    try:
        if folder is not None:
            model = install_from_folder(entry, folder, store, progress=show)
        else:
            model = install_from_hub(entry, store, progress=show)
    except KeyboardInterrupt:
        out.write("\nStopped. Run the same command again to continue where it stopped.\n")
        return 130
    out.write(f"\nInstalled {entry.title} ({human_size(model.size)}) in {model.folder}\n")
    if speed_test:
        from app.engine.model_speed import measure_speed

        out.write("Measuring its speed on this computer...\n")
        speed = measure_speed(model)
        store.record_speed(entry.name, speed)
        out.write(f"{entry.title} runs at {speed:.1f}x real time here.\n")
    return 0


def check(name: str, store: ModelStore, out: TextIO) -> int:
    """0 when the files are whole (or, for an old install record, at their sizes);
    1 when the model is damaged or not installed."""
    from app.library.models.file_check import check_model

    entry = find(name)
    model = store.get(entry.name)
    if model is None:
        problem = store.damaged(entry.name)
        out.write(f"{entry.title} is damaged: {problem}; run `xi-studio models install "
                  f"{entry.name}` again.\n" if problem else
                  f"{entry.title} is not installed: nothing to check.\n")
        return 1
    try:
        result = check_model(model, store, progress=_printer(out))
    except KeyboardInterrupt:
        out.write("\nCheck stopped; nothing was changed.\n")
        return 130
    text = result.describe(entry.title, next_step=f"Run `xi-studio models install "
                                                    f"{entry.name}` again to replace it")
    out.write(f"\n{text}\n")
    return 1 if result.damage is not None else 0


def main(argv: list[str], store: ModelStore | None = None, out: TextIO | None = None) -> int:
    args = parser().parse_args(argv)
    store = store or ModelStore()
    out = out or sys.stderr
    try:
        if args.command == "list":
            list_models(store, sys.stdout)
            return 0
        if args.command == "remove":
            if store.remove(find(args.name).name):
                print(f"Removed {args.name}.")
            else:
                print(f"{args.name} is not installed.")
            return 0
        if args.command == "check":
            return check(args.name, store, out)
        if args.command == "sample":
            return play_sample(args.name, store, out, play=not args.no_play)
        if args.command == "card":
            return show_card(args.name, store)
        return install(args.name, args.folder, store, out, not args.no_speed_test)
    except (UnknownModelError, ModelInstallError, InstallCancelledError) as exc:
        print(f"xi-studio models: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. `remove` in a models folder that cannot be written
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"xi-studio models: {exc.strerror or exc}{where}. Check that the models folder "
              f"{store.root} can be written (and its disk is connected), then try again.",
              file=sys.stderr)
        return 1
