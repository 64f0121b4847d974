"""`/v1/music/detailed/stream` through the service layer against the cloud test server:
the request follows the spec (the server checks it), the events carry the plan, the
section times before the end of the audio, the audio and `done`; a stream cut short is
an error, not a wait (the parser's own cut-stream words are in
tests/domain/test_music_detailed_stream.py)."""

from __future__ import annotations

import pytest

from app.api.errors import ApiError
from app.api.music import MusicService
from app.domain.music_detailed_stream import DetailedStreamCollector
from app.domain.music_plan import Plan, Section
from app.domain.music_request import compose_body
from tests.support.cloud import Cloud

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

PLAN = Plan(["pop"], [], [Section("Intro", 3_000, ["pads"], [], []),
                          Section("Verse", 4_000, ["piano"], [], ["la la la"])])


async def test_events_in_order_and_the_whole_song(cloud: Cloud) -> None:
    client = cloud.client()
    try:
        body = compose_body("music_v1", plan=PLAN, with_timestamps=True,
                            endpoint="detailed_stream")
        async with MusicService(client).detailed_stream(body, "mp3_44100_128") as stream:
            collector = DetailedStreamCollector(song_id=stream.info.song_id)
            kinds, audio_after_last_section = [], 0
            async for event in stream.events():
                kinds.append(event.type)
                collector.add(event)
                audio_after_last_section = (0 if event.type == "section"
                                            else audio_after_last_section + len(event.audio))
        assert kinds[:2] == ["composition_plan", "song_metadata"] and kinds[-1] == "done"
        assert audio_after_last_section > 0  # the last section came before audio ended
        result = collector.result("audio/mpeg")
        assert result.section_timings_ms == [(0, 3_000), (3_000, 7_000)]
        assert result.song_id == stream.info.song_id and len(result.audio) > 1000
        assert [w.word for w in result.words] == ["la", "la", "la"]
        sent = cloud.control.requests()[-1]
        assert sent["path"] == "/v1/music/detailed/stream"
    finally:
        await client.aclose()


async def test_a_stream_cut_short_is_a_plain_error(cloud: Cloud) -> None:
    cloud.control.add_faults({"path_regex": r"^/v1/music/detailed/stream",
                              "fault": "truncated_body"})
    client = cloud.client()
    try:
        body = compose_body("music_v1", plan=PLAN, endpoint="detailed_stream")
        with pytest.raises(ApiError):  # the connection dropped mid-song: said, not awaited
            async with MusicService(client).detailed_stream(body) as stream:
                async for _event in stream.events():
                    pass
    finally:
        await client.aclose()
