"""What the hub has beside a model, to look at before installing it: a Piper voice's sample
recording (`samples/speaker_0.mp3`) and each model's card (`MODEL_CARD` for Piper,
`README.md` for Whisper), at the catalogue's pinned revision.

Both are small, so they are fetched whole (no resume), kept in `<models>/.extras/<name>/
<revision>/` so a second look needs no network, and written to a `.part` file renamed
into place (a cut download is never taken for the file). Cancellable between blocks.
Blocking: call from a worker thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from app.library.bounded_read import NotRegularFileError, TooLargeError, read_bounded
from app.library.models.catalogue import ModelEntry
from app.library.models.checks import HubError, ModelInstallError
from app.library.models.download import hub_url, ssl_context
from app.library.models.progress import InstallControl
from app.library.models.store import ModelStore

MAX_EXTRA_BYTES = 20_000_000  # a sample or a card; anything bigger is not what we asked for
_CHUNK = 64 * 1024


class NoSampleError(ModelInstallError):
    pass


def extra_url(hub: str, entry: ModelEntry, path: str) -> str:
    return f"{hub}/{entry.repo}/resolve/{entry.revision}/{path}"


def cached_extra(store: ModelStore, entry: ModelEntry, path: str) -> Path:
    return store.root / ".extras" / entry.name / entry.revision / path.rsplit("/", 1)[-1]


def fetch_extra(entry: ModelEntry, path: str, store: ModelStore, *, what: str,
                hub: str | None = None, control: InstallControl | None = None,
                timeout_s: float = 20.0) -> Path:
    """The hub's file `path` of `entry` in the local cache (downloaded once)."""
    target = cached_extra(store, entry, path)
    if target.is_file():
        return target
    if os.path.lexists(target):  # a folder, a pipe, a link to nowhere: not ours to replace
        raise HubError(f"The {what} of {entry.title} is kept at {target}, but something "
                       "other than a saved file is there (a folder, a pipe or a broken "
                       "link). Move it away to fetch the " + what + " again.")
    control = control or InstallControl()
    hub = hub or hub_url()
    url = extra_url(hub, entry, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    timeout = httpx.Timeout(timeout_s, connect=min(10.0, timeout_s))
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True,
                          verify=ssl_context()) as client, \
                client.stream("GET", url) as response:
            if response.status_code == 404:
                raise HubError(f"The model hub has no {what} for {entry.title} ({url}).")
            if response.status_code != 200:
                raise HubError(f"The model hub refused the {what} of {entry.title} "
                               f"({response.status_code}). Try again later.")
            size = 0
            with part.open("wb") as out:
                for block in response.iter_bytes(_CHUNK):
                    control.check()
                    size += len(block)
                    if size > MAX_EXTRA_BYTES:
                        raise HubError(f"The {what} of {entry.title} on the hub is far "
                                       "bigger than expected; it was not kept.")
                    out.write(block)
    except httpx.TransportError as exc:
        part.unlink(missing_ok=True)
        raise HubError(f"Could not reach the model hub at {hub} to get the {what} of "
                       f"{entry.title} ({exc or type(exc).__name__}). Check the internet "
                       "connection and try again.") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    return target


def fetch_sample(entry: ModelEntry, store: ModelStore, *, hub: str | None = None,
                 control: InstallControl | None = None) -> Path:
    """A short recording of the voice (MP3), to hear it before installing."""
    if not entry.sample_path:
        raise NoSampleError(f"{entry.title} recognises speech; it has no voice sample to "
                            "hear. Only Piper voices have one.")
    return fetch_extra(entry, entry.sample_path, store, what="voice sample", hub=hub,
                       control=control)


def fetch_card(entry: ModelEntry, store: ModelStore, *, hub: str | None = None,
               control: InstallControl | None = None) -> str:
    """The model card's text (who made the model, from what data, under which licence)."""
    path = fetch_extra(entry, entry.card_path, store, what="model card", hub=hub,
                       control=control)
    # Bounded, and refused unless an ordinary file: the kept copy is in a folder anyone
    # can put a file of gigabytes or a named pipe into.
    try:
        data = read_bounded(path, MAX_EXTRA_BYTES)
    except OSError as exc:
        why = str(exc) if isinstance(exc, NotRegularFileError | TooLargeError) else (
            exc.strerror or str(exc))
        raise HubError(f"The model card of {entry.title} kept at {path} cannot be read: "
                       f"{why}. Delete that file to fetch the card again.") from exc
    return data.decode("utf-8", errors="replace")
