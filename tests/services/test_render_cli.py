"""`xi-studio render` as a user runs it: a subprocess against the offline engine, and
against the cloud test server killed mid-queue and run again (nothing paid twice)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from app.library.script_store import load_script
from tests.support.cloud import Cloud
from tests.support.cloud_server import CREATOR_KEY

pytestmark = pytest.mark.e2e

THREE = "ANNA: Hello there, and welcome.\nBEN: Thanks for having me.\nANNA: Let us begin.\n"
SIX = THREE + "BEN: First question, then.\nANNA: Go ahead.\nBEN: Why scripts?\n"


def _env(tmp_path: Path, key: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["XI_STUDIO_HOME"] = str(tmp_path / "home")
    env.pop("ELEVENLABS_API_KEY", None)
    env.pop("XI_STUDIO_ENGINE_URL", None)
    if key is not None:
        env["ELEVENLABS_API_KEY"] = key
    return env


def _render(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "render", *args], capture_output=True,
                          text=True, env=env, timeout=240)


def test_render_with_the_offline_engine(tmp_path: Path) -> None:
    source = tmp_path / "interview.txt"
    source.write_text(THREE)
    out = tmp_path / "out"
    result = _render([str(source), "--out", str(out), "--format", "wav_22050"],
                     _env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "3/3 blocks" in result.stderr
    script = load_script(out / "interview.xiscript.json")
    assert script.output_format == "wav_22050" and script.all_takes_chosen
    assert {p.name for p in (out / "blocks").iterdir()} == {
        "01_ANNA_Hello-there-and-welcome.wav", "02_BEN_Thanks-for-having-me.wav",
        "03_ANNA_Let-us-begin.wav"}
    info = sf.info(str(out / "interview.wav"))
    assert info.duration > 1.5
    assert (out / "interview.srt").read_text().count("-->") >= 3
    assert (out / "interview.vtt").read_text().startswith("WEBVTT")


def test_bad_script_file_exits_2_and_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xiscript.json"
    bad.write_text('{"format": "xi-studio-script", "format_version": 1, "model_id": "m", '
                   '"output_format": "mp3_44100_128", "blocks": [{"block_id": "b1", '
                   '"speaker": "A"}]}')
    result = _render([str(bad), "--out", str(tmp_path / "o")], _env(tmp_path))
    assert result.returncode == 2
    assert "blocks[0].text: missing" in result.stderr


def _wait(condition: object, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _takes_on_disk(path: Path) -> int:
    """Takes whose audio is complete in the script's takes folder. (The script file lists
    them a moment later: it is saved at most every couple of seconds while a queue runs,
    and the next run adopts a take the file missed.)"""
    from app.library.script_store import takes_dir_for

    return sum(1 for audio in takes_dir_for(path).glob("*/*.*")
               if not audio.name.startswith(".") and audio.suffix != ".json")


def test_killed_mid_queue_resumes_without_paying_twice(cloud: Cloud, tmp_path: Path) -> None:
    source = tmp_path / "six.txt"
    source.write_text(SIX)
    out = tmp_path / "out"
    script_path = out / "six.xiscript.json"
    args = [str(source), "--out", str(out), "--server", cloud.url, "--concurrency", "1"]
    env = _env(tmp_path, CREATOR_KEY)
    process = subprocess.Popen([sys.executable, "-m", "app", "render", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        _wait(lambda: _takes_on_disk(script_path) >= 2)
        # The next request hangs before the server does (or charges) anything...
        cloud.control.add_faults({"path_regex": "^/v1/text-to-speech/",
                                  "fault": "stall_before_headers", "seconds": 60})
        _wait(lambda: not cloud.control.faults())
        # ...and the app is killed while it waits.
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
    made_before = _takes_on_disk(script_path)
    assert 2 <= made_before < 6
    charged_before = sum(cloud.control.stats()["generations"].values())
    assert charged_before == made_before

    result = _render(args, env)
    assert result.returncode == 0, result.stderr
    assert "Resuming an interrupted run." in result.stderr
    script = load_script(script_path)
    assert all(len(b.takes) == 1 for b in script.blocks), "a block was made twice"
    assert sum(cloud.control.stats()["generations"].values()) == 6
    charged_texts = [r["json"]["text"] for r in cloud.control.requests()
                     if r["path"].startswith("/v1/text-to-speech/")]
    # Every block was sent once, plus the one request that hung when the app was killed.
    assert len(charged_texts) == 7
    assert sorted(set(charged_texts)) == sorted(b.text for b in script.blocks)
    assert (out / "six.wav").is_file()


def _cast_script_file(path: Path, cast: dict[str, str]) -> None:
    from dataclasses import replace

    from app.domain.script import CastMember
    from app.domain.script_import import import_script
    from app.library.script_store import save_script

    script = replace(import_script(SIX).script, title="Interview")
    for speaker, voice_id in cast.items():
        script = script.with_cast_member(CastMember(speaker, voice_id, speaker.title()))
    save_script(path, script)


def test_blocks_that_cannot_be_made_exit_1_and_the_rest_is_delivered(cloud: Cloud,
                                                                      tmp_path: Path) -> None:
    from app.audio.decode import decode_file
    from app.domain.formats import OutputFormat
    from app.library.script_store import takes_dir_for
    from tests.support.loudness import file_loudness

    path = tmp_path / "interview.xiscript.json"
    # BEN's voice is not one the server knows (deleted since it was cast, say).
    _cast_script_file(path, {"ANNA": "EXAVITQu4vr4xnSDxMaL", "BEN": "deletedVoice00000000"})
    out = tmp_path / "out"
    result = _render([str(path), "--out", str(out), "--server", cloud.url,
                      "--concurrency", "1"], _env(tmp_path, CREATOR_KEY))
    assert result.returncode == 1, result.stderr
    script = load_script(path)
    ben = [n for n, b in enumerate(script.blocks, start=1) if b.speaker == "BEN"]
    assert ben == [2, 4, 6]
    # The summary names each block that was not made, and why; and what to do next.
    summary = result.stderr[result.stderr.index("3 blocks could not be made:"):]
    for number in ben:
        block = script.blocks[number - 1]
        assert f'block {number} (BEN, "{block.text}"): The voice for BEN no longer exists' \
            in summary
    assert "block 1 " not in summary
    assert "run the same command again" in summary
    # ANNA's blocks were made and delivered; the files leave BEN's out and say so.
    anna = [b for b in script.blocks if b.speaker == "ANNA"]
    assert all(b.chosen_take is not None for b in anna)
    assert all(b.chosen_take is None and b.error for b in script.blocks if b.speaker == "BEN")
    assert "3 blocks have no chosen take and were left out." in summary
    assert len(list((out / "blocks").iterdir())) == 3
    lengths = [decode_file(takes_dir_for(path) / b.chosen_take.file,
                           OutputFormat.parse(b.chosen_take.output_format)).duration_ms
               for b in anna if b.chosen_take is not None]
    loudness, seconds = file_loudness(out / "Interview.wav")
    assert abs(seconds * 1000 - (sum(lengths) + 2 * script.gap_ms)) <= 20
    assert abs(loudness - script.target_lufs) <= 1.0


def test_credits_running_out_exit_3_and_say_what_the_rest_needs(cloud: Cloud,
                                                                tmp_path: Path) -> None:
    from app.audio.decode import decode_file
    from app.domain.formats import OutputFormat
    from app.library.script_store import takes_dir_for
    from tests.support.loudness import file_loudness

    key = "xi-test-few-credits"
    # Enough for the first two blocks (25 + 21 characters), not the third.
    cloud.control.set_account(key, "creator", character_limit=50, concurrency_limit=1)
    source = tmp_path / "six.txt"
    source.write_text(SIX)
    out = tmp_path / "out"
    args = [str(source), "--out", str(out), "--server", cloud.url, "--concurrency", "1"]
    result = _render(args, _env(tmp_path, key))
    assert result.returncode == 3, result.stderr
    script = load_script(out / "six.xiscript.json")
    made = [b for b in script.blocks if b.chosen_take is not None]
    rest = [b for b in script.blocks if b.chosen_take is None]
    assert len(made) == 2 and len(rest) == 4
    needed = sum(len(b.text) for b in rest)  # a credit a character on this model
    assert (f"Your credits ran out. 2 blocks were made and kept; the remaining 4 blocks need "
            f"about {needed} credits.") in result.stderr
    assert "run the same command again" in result.stderr
    assert "Generate missing" not in result.stderr  # the window's words, not a terminal's
    assert not (out / "six.wav").exists()  # nothing half-delivered

    # With credits again, the same command (another loudness and gap) makes the rest.
    cloud.control.set_account(key, "creator", character_limit=10_000, concurrency_limit=1)
    before = len([r for r in cloud.control.requests()
                  if r["path"].startswith("/v1/text-to-speech/")])
    again = _render([*args, "--lufs", "-23", "--gap-ms", "900"], _env(tmp_path, key))
    assert again.returncode == 0, again.stderr
    sent = [r for r in cloud.control.requests()
            if r["path"].startswith("/v1/text-to-speech/")][before:]
    assert sorted(r["json"]["text"] for r in sent) == sorted(b.text for b in rest)
    script = load_script(out / "six.xiscript.json")
    lengths = [decode_file(takes_dir_for(out / "six.xiscript.json") / b.chosen_take.file,
                           OutputFormat.parse(b.chosen_take.output_format)).duration_ms
               for b in script.blocks if b.chosen_take is not None]
    assert len(lengths) == 6
    loudness, seconds = file_loudness(out / "six.wav")
    assert abs(seconds * 1000 - (sum(lengths) + 5 * 900)) <= 20
    assert abs(loudness + 23) <= 1.0


def test_the_exit_codes_documented_are_the_ones_used() -> None:
    import re

    from app import render_cli

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("Exit code 0 means"):]
    paragraph = paragraph[: paragraph.index("\n\n")]
    said = {int(code): words for code, words in
            re.findall(r"(?:Exit code |; )(\d+) ([^;]+)", " ".join(paragraph.split()))}
    assert said.keys() == {render_cli.EXIT_OK, render_cli.EXIT_INCOMPLETE,
                           render_cli.EXIT_BAD_INPUT, render_cli.EXIT_QUOTA,
                           render_cli.EXIT_INTERRUPTED}
    assert said[render_cli.EXIT_OK].startswith("means every block has a take")
    assert said[render_cli.EXIT_INCOMPLETE].startswith("some blocks could not be made")
    assert said[render_cli.EXIT_BAD_INPUT].startswith("the script or an option is wrong")
    assert said[render_cli.EXIT_QUOTA].startswith("the credits ran out")
    assert said[render_cli.EXIT_INTERRUPTED].startswith("interrupted")


def test_a_file_that_is_not_text_exits_2_naming_the_line(tmp_path: Path) -> None:
    """It raised UnicodeDecodeError out of `_load`: a traceback, exit 1."""
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"ANNA: Hi.\n\x89PNG\x1a\x00\x00\x00IHDR\xff\xfe")
    result = _render([str(bad), "--out", str(tmp_path / "o")], _env(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "line 2: the file holds binary data" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_take_whose_file_is_gone_is_made_again(cloud: Cloud, tmp_path: Path) -> None:
    """The take still counted as made: the run requested nothing, the export stopped at
    it ("missing ...; regenerate that block", exit 1), and every later run did the same."""
    from app.library.script_store import takes_dir_for

    path = tmp_path / "interview.xiscript.json"
    _cast_script_file(path, {"ANNA": "EXAVITQu4vr4xnSDxMaL", "BEN": "JBFqnCBsd6RMkjVDRZzb"})
    out = tmp_path / "out"
    args = [str(path), "--out", str(out), "--server", cloud.url, "--concurrency", "1"]
    first = _render(args, _env(tmp_path, CREATOR_KEY))
    assert first.returncode == 0, first.stderr
    second = load_script(path).blocks[1]
    assert second.chosen_take is not None
    (takes_dir_for(path) / second.chosen_take.file).unlink()
    before = len(cloud.control.requests())
    again = _render(args, _env(tmp_path, CREATOR_KEY))
    assert again.returncode == 0, again.stderr
    assert "1 take had no audio file" in again.stderr
    made = [r for r in cloud.control.requests()[before:]
            if r["path"].startswith("/v1/text-to-speech/")]
    assert [r["json"]["text"] for r in made] == [second.text]
    remade = load_script(path).blocks[1].chosen_take
    assert remade is not None and (takes_dir_for(path) / remade.file).is_file()
    assert len(list((out / "blocks").iterdir())) == 6


def test_an_edited_text_is_rendered_again_paying_only_for_its_changed_lines(
        cloud: Cloud, tmp_path: Path) -> None:
    """A second run on a .txt reused the script the first run imported, as it was: the
    edited line was never made and the delivery still spoke the old words."""
    source = tmp_path / "interview.txt"
    source.write_text(THREE)
    out = tmp_path / "out"
    args = [str(source), "--out", str(out), "--server", cloud.url, "--concurrency", "1"]
    first = _render(args, _env(tmp_path, CREATOR_KEY))
    assert first.returncode == 0, first.stderr
    voices = {m.speaker: m.voice_id for m in load_script(out / "interview.xiscript.json").cast}
    source.write_text(THREE.replace("Thanks for having me.", "Glad to be here.")
                      + "BEN: One more line.\n")
    before = len(cloud.control.requests())
    again = _render(args, _env(tmp_path, CREATOR_KEY))
    assert again.returncode == 0, again.stderr
    made = [r["json"]["text"] for r in cloud.control.requests()[before:]
            if r["path"].startswith("/v1/text-to-speech/")]
    assert made == ["Glad to be here.", "One more line."]
    script = load_script(out / "interview.xiscript.json")
    assert [b.text for b in script.blocks] == ["Hello there, and welcome.", "Glad to be here.",
                                               "Let us begin.", "One more line."]
    assert {m.speaker: m.voice_id for m in script.cast} == voices  # the voices it was given
    assert script.all_takes_chosen
    assert (out / "interview.srt").read_text().count("Glad to be here.") == 1
    assert "Thanks for having me" not in (out / "interview.srt").read_text()
