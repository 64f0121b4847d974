"""The songs the cloud test server knows (tests/support/cloud_server.py).

The real service re-makes parts of a song it keeps (an uploaded song, or one composed
for inpainting): a plan that takes sections from a song id it does not keep
(`source_from`, an `AudioRefChunk`, a `conditioning_ref`) gets a 404 whose detail says
`song_not_found`, as the local engine answers. Every song this server composes or
receives is remembered for the life of the server (or until `forget_songs`, which plays
a service that dropped them), so tests can ask for "a song id the server forgot".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.cloud_server import Reply, SpeechToTextAndMusic

SONG_NOT_FOUND = "song_not_found"


def _songs(server: SpeechToTextAndMusic) -> set[str]:
    songs: set[str] = server._stt_music_state().setdefault("songs", set())
    return songs


def remember_song(server: SpeechToTextAndMusic, song_id: str) -> None:
    with server.lock:
        _songs(server).add(song_id)


def forget_songs(server: SpeechToTextAndMusic) -> None:
    with server.lock:
        _songs(server).clear()


def referenced_song_ids(plan: Any) -> list[str]:
    """The song ids a wire plan (v1 sections or v2 chunks) takes audio from or leans on."""
    if not isinstance(plan, dict):
        return []
    ids: list[str] = []
    for item in [*(plan.get("sections") or []), *(plan.get("chunks") or [])]:
        if not isinstance(item, dict):
            continue
        for ref in (item.get("source_from"), item.get("conditioning_ref"), item):
            if isinstance(ref, dict) and isinstance(ref.get("song_id"), str):
                ids.append(ref["song_id"])
    return ids


def unknown_song_reply(server: SpeechToTextAndMusic, plan: Any) -> Reply | None:
    """The 404 for the first song id of `plan` this server does not keep, else None."""
    from tests.support.cloud_server import error_reply

    with server.lock:
        known = set(_songs(server))
    for song_id in referenced_song_ids(plan):
        if song_id not in known:
            return error_reply(404, SONG_NOT_FOUND, f"No song with the id {song_id!r} is "
                               "kept for this account. Upload it again to use it.")
    return None


__all__ = ["SONG_NOT_FOUND", "forget_songs", "referenced_song_ids", "remember_song",
           "unknown_song_reply"]
