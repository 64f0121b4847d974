"""Streamed timestamped audio (speech and dialogue `/stream/with-timestamps`): one JSON
object per line, each read into its wire model.

A line is about a second of audio from ElevenLabs, but a server may send a whole long take
as one line: such a line is read off the event loop (the GUI thread), its base64 audio cut
out before parsing (app/api/audio_base64.py). Lines that are not JSON are skipped and
counted, as the official SDK skips them; an answer none of whose lines could be read, a
server error written into the stream, or nesting too deep to read is an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Generic

from app.api._parse import M, parse_model
from app.api.audio_base64 import AUDIO_KEY, BIG_BASE64_CHARS, loads_lifting_audio
from app.api.errors import ApiProtocolError, error_in_success_body

if TYPE_CHECKING:
    from app.api.client import ApiStream

log = logging.getLogger(__name__)


class TimedLines(Generic[M]):
    """`.info` and `async chunks()` of the stream's items. `model` gives the wire model's
    class when first needed (the pydantic models load lazily)."""

    def __init__(self, stream: ApiStream, model: Callable[[], type[M]]) -> None:
        self._stream = stream
        self._model = model
        self.info = stream.info
        self.skipped_lines = 0

    async def chunks(self) -> AsyncIterator[M]:
        model = self._model()
        items = 0
        async for line in self._stream.lines():
            item = (self._read(line, model) if len(line) < BIG_BASE64_CHARS
                    else await asyncio.to_thread(self._read, line, model))
            if item is None:
                continue
            items += 1
            yield item
        if items == 0 and self.skipped_lines:
            raise ApiProtocolError("The server's answer was not timestamped audio: none of "
                                   "its lines could be read.", info=self.info)

    def _read(self, line: str, model: type[M]) -> M | None:
        """One line's item; None (counted) for a line that is not JSON."""
        try:
            data = loads_lifting_audio(line)
        except RecursionError as exc:  # hostile, not merely damaged: stop
            raise ApiProtocolError("The server sent a timestamp line nested too deeply "
                                   "to read.", info=self.info) from exc
        except ValueError:
            self.skipped_lines += 1
            log.debug("skipped a line that is not JSON: %.80r", line)
            return None
        if isinstance(data, dict) and "detail" in data and AUDIO_KEY not in data:
            error = error_in_success_body(line.encode("utf-8"), None, self.info.request_id)
            if error is not None:  # the server's error written into the stream
                raise error
        return parse_model(model, data, self.info)
