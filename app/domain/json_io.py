"""JSON for big documents (a 3-hour transcript is ~7 MB), read and written in worker
threads without freezing the window.

`json.loads` and `json.dumps` each run as one C call that holds the GIL for the whole
document (60-100 ms for 7 MB), so the GUI thread cannot handle a single event meanwhile
even though the work happens in another thread. These two give the interpreter a chance
to hand the GIL over every few objects: `loads` calls a trivial Python hook per object
(entering Python code is where a waiting thread gets its turn); `dumps` writes long lists
in slices of ordinary `json.dumps`. The results are the same; the cost is a few per cent.
"""

from __future__ import annotations

import json
from typing import Any

SLICE = 500  # list items per C call when writing: ~1-2 ms each for transcript words


def loads(text: str | bytes | bytearray) -> Any:
    """`json.loads`, letting other threads run while it works. Raises ValueError."""
    return json.loads(text, object_hook=_yield_point)


def _yield_point(obj: dict[str, Any]) -> dict[str, Any]:
    return obj


#: Objects nested deeper than this are written by one `json.dumps` call: a transcript's
#: long lists sit a level or two down, and a file nested hundreds of levels deep (which
#: `json.loads` reads) took two Python frames a level here, past the recursion limit.
PIECEWISE_DEPTH = 8


def dumps(value: Any, *, ensure_ascii: bool = False, _depth: int = 0) -> str:
    """`json.dumps(value, ensure_ascii=...)` (same separators), written piecewise so that
    other threads run meanwhile."""
    if isinstance(value, dict) and _depth < PIECEWISE_DEPTH:
        items = (json.dumps(str(key), ensure_ascii=ensure_ascii) + ": "
                 + dumps(item, ensure_ascii=ensure_ascii, _depth=_depth + 1)
                 for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple) and len(value) > SLICE:
        slices = (json.dumps(list(value[start:start + SLICE]), ensure_ascii=ensure_ascii)[1:-1]
                  for start in range(0, len(value), SLICE))
        return "[" + ", ".join(slices) + "]"
    return json.dumps(value, ensure_ascii=ensure_ascii)
