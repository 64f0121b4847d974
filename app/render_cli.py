"""`xi-studio render SCRIPT --out DIR [--format mp3_44100_128]`: a script rendered
headless, with a progress bar, resumable, into the same folder the window's Export
writes.

SCRIPT is a script file (`*.xiscript.json`) or a text/Markdown/CSV/TSV file to import
(it is then saved as `DIR/<name>.xiscript.json`, so a second run resumes). Every take
is recorded in the script file as soon as its audio is complete; running the command
again after an interruption makes only what is missing. Speakers without a voice get
one of the server's voices (each a different one) and the choice is saved.

By default the offline engine is started (no key needed). `--server URL` uses another
server with the key from `ELEVENLABS_API_KEY` (the key is never taken on the command
line, where other users of the computer could read it).

Exit codes: 0 every block has a take and the files are written; 1 some blocks could not
be made (the summary names them and says why; the files are written without them); 2 the
script or the options are wrong; 3 the credits ran out (no files are written; the message
says how many credits the rest needs); 130 interrupted (what was made is kept).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.api.errors import ApiError
from app.domain.script_standing import were
from app.domain.wording import plural

if TYPE_CHECKING:
    from app.api.client import ApiClient
    from app.domain.script import Script
    from app.services.cost_recording import CostRecorder
    from app.services.script_queue import QueueResult

EXIT_OK, EXIT_INCOMPLETE, EXIT_BAD_INPUT, EXIT_QUOTA, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xi-studio render",
        description="Render a multi-voice script to audio files and captions, without a "
                    "window.")
    parser.add_argument("script", type=Path, help="a .xiscript.json file, or text, Markdown, "
                        "CSV or TSV to import")
    parser.add_argument("--out", type=Path, required=True, help="the folder to deliver into")
    parser.add_argument("--format", dest="output_format", default=None,
                        help="output format such as mp3_44100_128 (default: the script's)")
    parser.add_argument("--server", default=None,
                        help="an API server instead of the offline engine (key from "
                             "ELEVENLABS_API_KEY)")
    parser.add_argument("--gap-ms", type=int, default=None,
                        help="silence between blocks in the joined file")
    parser.add_argument("--lufs", type=float, default=None,
                        help="loudness of the joined file (default: the script's, -16)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="at most this many blocks at once (default: what the server "
                             "allows; the subscription's tier until it says)")
    return parser


class ProgressBar:
    """One line redrawn in place on a terminal; plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._last = ""

    def update(self, finished: int, total: int, note: str = "") -> None:
        width = 30
        filled = width * finished // total if total else width
        line = f"[{'#' * filled}{'.' * (width - filled)}] {finished}/{total} blocks {note}"
        if self.tty:
            self.stream.write("\r" + line.ljust(len(self._last)))
        elif line != self._last:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._last = line

    def message(self, text: str) -> None:
        if self.tty and self._last:
            self.stream.write("\n")
            self._last = ""
        self.stream.write(text + "\n")
        self.stream.flush()


def _load(path: Path, out: Path) -> tuple[Script, Path]:
    """(Script, the path it is kept at). Raises ScriptFormatError, ScriptImportError,
    NotTextError or OSError."""
    from app.domain.script_edit import reimported
    from app.domain.script_file import FILE_SUFFIX
    from app.domain.script_import import import_script, kind_for_filename
    from app.library.script_store import load_script, save_script
    from app.library.text_files import read_text_file

    if path.name.endswith(FILE_SUFFIX) or path.suffix.lower() == ".json":
        return load_script(path), path
    kept = out / f"{path.stem}{FILE_SUFFIX}"
    # (read_text raised UnicodeDecodeError for UTF-16 or binary: a traceback, not exit 2)
    result = import_script(read_text_file(path), kind_for_filename(path.name))
    script = replace(result.script, title=result.script.title or path.stem)
    if kept.exists():
        # Imported by an earlier run: resume that one, with the file's edits since (it
        # was resumed as it was, and the edited lines were never made).
        script, _changed = reimported(load_script(kept), script)
    save_script(kept, script)
    return script, kept


async def _render(args: argparse.Namespace, bar: ProgressBar) -> int:
    from app.api.client import ApiClient, ClientConfig
    from app.domain.formats import TTS_FORMATS, OutputFormat
    from app.domain.script_file import ScriptFormatError
    from app.domain.script_import import ScriptImportError
    from app.domain.text_file import NotTextError

    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
        loaded, script_path = await asyncio.to_thread(_load, args.script, out)
    except (ScriptFormatError, ScriptImportError, NotTextError) as exc:
        bar.message(f"The script cannot be read: {exc}")
        return EXIT_BAD_INPUT
    except OSError as exc:
        bar.message(f"The script cannot be opened: {exc.strerror or exc} ({args.script})")
        return EXIT_BAD_INPUT
    script = loaded
    if args.output_format:
        try:
            fmt = OutputFormat.parse(args.output_format)
        except ValueError:
            fmt = None
        if fmt is None or fmt not in TTS_FORMATS:
            bar.message(f"Unknown output format {args.output_format!r}; use one like "
                        "mp3_44100_128, wav_44100 or pcm_24000.")
            return EXIT_BAD_INPUT
        script = replace(script, output_format=fmt.value)
    if not any(not b.is_empty for b in script.blocks):
        bar.message("The script has no text to speak.")
        return EXIT_BAD_INPUT

    engine = None
    if args.server:
        base_url, key = args.server, os.environ.get("ELEVENLABS_API_KEY") or None
    elif os.environ.get("XI_STUDIO_ENGINE_URL"):
        from app.engine.launcher import external_engine_key

        base_url, key = os.environ["XI_STUDIO_ENGINE_URL"], external_engine_key()
    else:
        from app.engine.launcher import LocalEngineProcess
        from app.library.paths import AppPaths

        paths = AppPaths.from_environment()
        paths.ensure()
        engine = LocalEngineProcess(log_path=paths.log_dir / "engine-render.log",
                                    data_dir=paths.data_dir / "engine")
        bar.message("Starting the offline engine...")
        base_url = await asyncio.to_thread(engine.start)
        key = engine.token  # the engine answers only its launcher's per-launch key
    client = ApiClient(ClientConfig(base_url=base_url, api_key=key))
    try:
        return await _with_client(args, bar, client, script, script_path)
    except ApiError as exc:
        bar.message(f"The server could not be used: {exc}")
        return EXIT_INCOMPLETE
    finally:
        await client.aclose()
        if engine is not None:
            await asyncio.to_thread(engine.stop)


async def _with_client(args: argparse.Namespace, bar: ProgressBar, client: ApiClient,
                       script: Script, script_path: Path) -> int:
    from app.api.account import AccountService
    from app.api.dialogue import DialogueService
    from app.api.speech import SpeechService
    from app.api.voices import VoicesService
    from app.domain.script import CastMember
    from app.domain.script_plan import MAX_CONCURRENCY, concurrency_for_tier, estimate_missing
    from app.library.script_store import (
        forget_missing_takes,
        load_queue_state,
        remove_partial_files,
        takes_dir_for,
    )
    from app.library.take_notes import adopt_noted_takes, recovered_words
    from app.services.script_document import ScriptDocument
    from app.services.script_export import ExportError, ExportOptions, export_script
    from app.services.script_queue import ScriptQueue
    from app.services.script_render import BlockRenderer

    out: Path = args.out
    voices = VoicesService(client)
    models = {m.model_id: m for m in await voices.list_models()}
    model = models.get(script.model_id)
    if model is None and models and args.server is None:
        # The offline engine speaks every cloud model id with its one model.
        model = next(iter(models.values()))
    uncast = script.uncast_speakers()
    if uncast:
        available = [v for v in await voices.all_voices() if v.voice_id]
        used = {m.voice_id for m in script.cast}
        free = [v for v in available if v.voice_id not in used] or available
        if not free:
            bar.message("The server has no voices to give to: " + ", ".join(uncast))
            return EXIT_BAD_INPUT
        for index, speaker in enumerate(uncast):
            voice = free[index % len(free)]
            script = script.with_cast_member(CastMember(speaker, voice.voice_id,
                                                        voice.name))
            bar.message(f"{speaker} speaks with the voice {voice.name}.")
    script, adopted = await asyncio.to_thread(adopt_noted_takes, takes_dir_for(script_path),
                                              script)
    if adopted:
        bar.message(recovered_words(len(adopted)))
    script, forgotten = await asyncio.to_thread(forget_missing_takes, script_path, script)
    if forgotten:
        bar.message(forgotten.replace("Generate all missing", "this run"))
    tier = (await AccountService(client).subscription()).tier
    concurrency = args.concurrency or concurrency_for_tier(tier)
    document = ScriptDocument(script, script_path)
    await document.save()
    multiplier = model.cost_multiplier if model is not None else 1.0
    cost = estimate_missing(script, multiplier)
    pending = load_queue_state(script_path)
    await asyncio.to_thread(remove_partial_files, script_path)
    if pending:
        bar.message("Resuming an interrupted run.")
    if cost.blocks:
        bar.message(f"{plural(cost.blocks, 'block')} to make, about {cost.credits} credits.")
    renderer = BlockRenderer(
        SpeechService(client), takes_dir_for(script_path),
        char_limit=model.maximum_text_length_per_request if model else 10_000,
        dialogue=DialogueService(client))

    def on_block(progress: object) -> None:
        state = getattr(progress, "state", "")
        if state in ("failed", "retrying"):
            block = document.script.block(getattr(progress, "block_id", ""))
            bar.message(f"  {block.speaker}: \"{block.text[:40]}\": "
                        f"{getattr(progress, 'message', '')}")

    costs = _cost_recorder(bar, offline=args.server is None)
    # A number given on the command line is a ceiling too: the server's own limit may
    # lower it, never raise it.
    queue = ScriptQueue(document, renderer, concurrency=concurrency,
                        max_concurrency=args.concurrency or MAX_CONCURRENCY,
                        cost_multiplier=multiplier, on_block=on_block,
                        on_progress=lambda p: bar.update(p.finished, p.total,
                                                         "(paused)" if p.paused else ""),
                        costs=costs)
    try:
        result = await queue.run()
    except asyncio.CancelledError:
        queue.cancel()
        raise
    finally:
        if costs.ledger is not None:
            costs.ledger.close()
    if result.outcome == "quota_exceeded":
        bar.message(_quota_words(result))
        return EXIT_QUOTA
    if result.outcome == "some_failed":
        # The blocks that were made are still delivered (the files leave the others
        # out, and say so); the exit code says the delivery is not complete.
        bar.message(_failed_words(result, document.script, script_path))
    else:
        bar.message(result.message)
        if not document.script.all_takes_chosen:
            return EXIT_INCOMPLETE
    try:
        summary = await export_script(document.script, takes_dir_for(script_path), out,
                                      ExportOptions(gap_ms=args.gap_ms,
                                                    target_lufs=args.lufs))
    except (ExportError, OSError) as exc:
        bar.message(f"The files could not be written: {exc}")
        return EXIT_INCOMPLETE
    bar.message(summary.describe())
    return EXIT_OK if document.script.all_takes_chosen else EXIT_INCOMPLETE


def _quota_words(result: QueueResult) -> str:
    """The queue's words are the window's ("choose Generate missing"): these are the
    terminal's."""
    said = f" The server said: {result.server_said}" if result.server_said else ""
    remaining = len(result.remaining)
    return (f"Your credits ran out. {were(len(result.made))} made and kept; the remaining "
            f"{plural(remaining, 'block')} {'needs' if remaining == 1 else 'need'} about "
            f"{result.credits_needed:,} credits. No files were written. Add credits (or wait "
            "for the monthly reset), then run the same command again: the blocks already "
            f"made are not made (or paid for) again.{said}")


def _failed_words(result: QueueResult, script: Script, script_path: Path) -> str:
    """Which blocks could not be made and why, by number, speaker and first words."""
    lines = [f"{plural(len(result.failed), 'block')} could not be made:"]
    known = {b.block_id for b in script.blocks}
    failed = sorted((script.index_of(i), i, reason) for i, reason in result.failed.items()
                    if i in known)
    for index, block_id, reason in failed:
        number = index + 1
        block = script.block(block_id)
        words = block.text if len(block.text) <= 40 else block.text[:39].rstrip() + "…"
        lines.append(f"  block {number} ({block.speaker}, \"{words}\"): {reason}")
    lines.append(f"Fix them (open {script_path.name} in XI Studio, or edit it), then run the "
                 "same command again: the blocks already made are not made (or paid for) "
                 "again. The files written now leave them out.")
    return "\n".join(lines)


def _cost_recorder(bar: ProgressBar, *, offline: bool) -> CostRecorder:
    """Each take's cost goes to the same usage ledger as the window's (a ledger that
    cannot be written is said on the terminal; the render goes on)."""
    from app.library.ledger import CLOUD, ENGINE, Ledger
    from app.library.notices import NoticeBoard
    from app.library.paths import AppPaths
    from app.services.cost_recording import CostRecorder

    notices = NoticeBoard()
    notices.subscribe(lambda n: bar.message(f"{n.title}: {n.text} {n.next_step}"))
    return CostRecorder(Ledger(AppPaths.from_environment().ledger_db, notices),
                        ENGINE if offline else CLOUD)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    bar = ProgressBar(sys.stderr)
    try:
        return asyncio.run(_render(args, bar))
    except KeyboardInterrupt:
        bar.message("Interrupted. What was made is kept in the script; run the same "
                    "command again to continue.")
        return EXIT_INTERRUPTED
