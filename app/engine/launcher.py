"""Start and stop the local engine as a child process.

`LocalEngineProcess.start()` runs `python -m app.engine --port 0` (or, in the frozen
app, `xi-studio serve --port 0`), waits for its "listening on" line and exposes the
URL. The child's output is appended to `log_path`. Blocking: call `start()` from a
worker thread in a GUI.
"""

from __future__ import annotations

import collections
import contextlib
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from app.engine.parent_watch import PARENT_PID_ENV
from app.engine.runner import READY_PREFIX, TOKEN_ENV

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
_TAIL_LINES = 40


def _project_root() -> Path:
    import app

    return Path(app.__file__).resolve().parent.parent


class LocalEngineProcess:
    def __init__(self, log_path: Path | None = None, python: str = sys.executable,
                 host: str = "127.0.0.1", data_dir: Path | None = None,
                 use_token: bool = True) -> None:
        self.log_path = log_path
        self.python = python
        self.host = host
        self.data_dir = data_dir
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._base_url: str | None = None
        self._ready = threading.Event()
        self._tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._lock = threading.Lock()
        # A new secret each launch: the engine answers only requests carrying it as their
        # `xi-api-key` (the app's ApiClient sends it), so web pages cannot use the engine.
        # `use_token=False` runs it as `xi-studio serve` does (any key; for other programs).
        self.use_token = use_token
        self.token = secrets.token_urlsafe(32)

    # --- state -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("The offline engine has not been started.")
        return self._base_url

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def headers(self) -> dict[str, str]:
        """The header that authorises a request to this engine."""
        return {"xi-api-key": self.token}

    def log_tail(self) -> str:
        with self._lock:
            return "\n".join(self._tail)

    # --- start / stop ----------------------------------------------------------------

    def command(self) -> list[str]:
        if getattr(sys, "frozen", False):  # the PyInstaller bundle: its own `serve`
            cmd = [sys.executable, "serve", "--host", self.host, "--port", "0"]
        else:
            cmd = [self.python, "-m", "app.engine", "--host", self.host, "--port", "0"]
            if self.data_dir is not None:
                cmd += ["--data-dir", str(self.data_dir)]
        return cmd

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env[PARENT_PID_ENV] = str(os.getpid())  # the engine ends with this process
        if self.use_token:
            env[TOKEN_ENV] = self.token
        else:
            env.pop(TOKEN_ENV, None)
        if not getattr(sys, "frozen", False):
            root = str(_project_root())
            parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
            if root not in parts:
                env["PYTHONPATH"] = os.pathsep.join([root, *parts])
        return env

    def start(self, timeout_s: float = START_TIMEOUT_S) -> str:
        """Start the engine (if not running) and return its base URL."""
        if self.running and self._base_url is not None:
            return self._base_url
        self.stop()
        self._ready.clear()
        self._base_url = None
        self.token = secrets.token_urlsafe(32)
        with self._lock:
            self._tail.clear()
        log_file: IO[str] | None = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log_file = self.log_path.open("a", encoding="utf-8")
            started = time.strftime("%Y-%m-%d %H:%M:%S")
            log_file.write(f"--- starting the offline engine at {started}\n")
            log_file.flush()
        # The process is started by the thread that then reads its output, which lives
        # as long as the engine: on Linux the engine asks for SIGTERM when the thread
        # that forked it ends (parent_watch.py), and a worker thread of the caller's
        # pool could end any time.
        spawned: list[subprocess.Popen[bytes] | OSError] = []
        spawn_done = threading.Event()
        self._reader = threading.Thread(target=self._spawn_and_read,
                                        args=(spawned, spawn_done, log_file),
                                        name="engine-output", daemon=True)
        self._reader.start()
        spawn_done.wait()
        outcome = spawned[0]
        if isinstance(outcome, OSError):
            self._reader.join(timeout=1.0)
            raise RuntimeError(f"The offline engine could not be started: {outcome}") \
                from outcome
        process = self._process = outcome

        deadline = time.monotonic() + timeout_s
        while not self._ready.wait(0.05):
            if process.poll() is not None:
                self._reader.join(timeout=1.0)
                self._process = None
                if process.stdin is not None:
                    process.stdin.close()
                raise RuntimeError(
                    f"The offline engine stopped before it was ready (exit code "
                    f"{process.returncode}). Last lines of its log:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"The offline engine did not get ready within {timeout_s:g} seconds. "
                    f"Last lines of its log:\n{self.log_tail()}"
                )
        assert self._base_url is not None
        return self._base_url

    def _spawn_and_read(self, spawned: list[subprocess.Popen[bytes] | OSError],
                        done: threading.Event, log_file: IO[str] | None) -> None:
        try:
            # stdin is a pipe this side never writes to and keeps open: the engine ends
            # when it reads end of file, that is when this process is gone, however.
            process = subprocess.Popen(
                self.command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=self._environment(),
            )
        except OSError as exc:
            if log_file is not None:
                log_file.close()
            spawned.append(exc)
            done.set()
            return
        spawned.append(process)
        done.set()
        self._read_output(process, log_file)

    def _read_output(self, process: subprocess.Popen[bytes], log_file: IO[str] | None) -> None:
        """Copy the child's output to the log; spot the ready line. Ends at EOF."""
        assert process.stdout is not None
        try:
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                with self._lock:
                    self._tail.append(line)
                if log_file is not None:
                    log_file.write(line + "\n")
                    log_file.flush()
                if not self._ready.is_set() and line.startswith(READY_PREFIX):
                    self._base_url = line[len(READY_PREFIX):].strip()
                    self._ready.set()
        finally:
            if log_file is not None:
                log_file.write(f"--- the offline engine ended (exit code {process.wait()})\n")
                log_file.close()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stop the engine: terminate, wait, then kill if it does not end."""
        process, self._process = self._process, None
        self._base_url = None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()  # the engine starts stopping on its own, too
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout_s)
        if self._reader is not None:
            self._reader.join(timeout=timeout_s)
            self._reader = None
        if process.stdout is not None:
            process.stdout.close()

    # --- context manager -------------------------------------------------------------

    def __enter__(self) -> LocalEngineProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def external_engine_key() -> str:
    """The `xi-api-key` to send to an engine the app did not start (`XI_STUDIO_ENGINE_URL`):
    its token when one is given in the environment, else any value (a token-less engine
    accepts any key, and needs one on uploads)."""
    return os.environ.get(TOKEN_ENV) or "offline"
