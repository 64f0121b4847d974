"""`python -m app.engine [--host H] [--port N] [--data-dir D]`: run the local engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.engine",
                                     description="Run the XI Studio local engine.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where to keep caches (default: memory only)")
    parser.add_argument("--token", default=None,
                        help="accept only this xi-api-key (default: any key)")
    args = parser.parse_args(argv)
    from app.engine.runner import run

    return run(host=args.host, port=args.port, data_dir=args.data_dir, token=args.token)


if __name__ == "__main__":
    sys.exit(main())
