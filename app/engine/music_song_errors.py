"""The engine's answer to a song id it does not know (or no longer knows).

A plan may take sections from a stored song (`source_from`, `AudioRefChunk`) or steer a
chunk by one (`conditioning_ref`). Songs are kept in a bounded store (and in memory only
without a data folder), so an id the app still holds may have been forgotten: a restart
without a data folder, or older songs dropped. That is not a malformed body (422) but a
missing resource, so the answer is the API's error shape with status 404 and the code
`song_not_found` (the cloud's `..._not_found` style), which the app turns into "the
server no longer has this song; upload it again".
"""

from __future__ import annotations

from fastapi import HTTPException

SONG_NOT_FOUND = "song_not_found"


def song_not_found(song_id: str) -> HTTPException:
    return HTTPException(404, {
        "status": SONG_NOT_FOUND,
        "message": f"The server has no song with the id {song_id!r}: it was never stored "
                   "here or has been forgotten. Upload the song again (or compose it with "
                   "store_for_inpainting) and use its new id.",
    })


__all__ = ["SONG_NOT_FOUND", "song_not_found"]
