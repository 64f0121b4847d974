"""The cloud test server, like the engine, answers a plan that takes sections from a
song it does not keep with a 404 `song_not_found` (the app's NotFoundError, in words
that say "upload it again"); songs it composed stay usable until it forgets them."""

from __future__ import annotations

import pytest

from app.api import errors as api
from app.api.music import MusicService
from app.domain.music_plan import Plan, Section, SongRef
from app.domain.music_request import compose_body
from app.ui.errors import describe_error
from tests.support.cloud import Cloud
from tests.support.cloud_songs import forget_songs

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def _body(song_id: str) -> dict[str, object]:
    plan = Plan(["pop"], [], [Section("Kept", 3_000, source=SongRef(song_id, 0, 3_000)),
                              Section("New", 3_000, ["piano"], [], [])])
    return compose_body("music_v1", plan=plan)


async def test_unknown_then_known_then_forgotten(cloud: Cloud) -> None:
    client = cloud.client()
    try:
        music = MusicService(client)
        with pytest.raises(api.NotFoundError) as caught:
            await music.compose(_body("nosuchsong"))
        assert caught.value.code == "song_not_found"
        assert "no longer has this song; upload it again" in describe_error(caught.value).text
        _audio, info = await music.compose(compose_body("music_v1", prompt="pop",
                                                        music_length_ms=5_000))
        assert info.song_id
        await music.compose(_body(info.song_id))  # a song it keeps: accepted
        forget_songs(cloud.server)
        with pytest.raises(api.NotFoundError):
            await music.compose(_body(info.song_id))
    finally:
        await client.aclose()
