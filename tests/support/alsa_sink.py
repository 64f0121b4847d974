"""An ALSA default device that writes what is played into a file.

alsa-lib reads ALSA_CONFIG_PATH when PortAudio initialises, so this must run before
`sounddevice` is first imported in the process (tests/conftest.py does it at import
time). The user's own ~/.asoundrc is never read or written.
"""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_ALSA_CONF = Path("/usr/share/alsa/alsa.conf")


def configure_file_sink(folder: Path, played: Path | None = None) -> Path:
    """Point alsa-lib at a config whose default PCM writes raw samples to a file
    (`played`, by default `folder/played.raw`; /dev/null keeps hours of audio off disk).

    Returns the path of the file the samples land in.
    """
    folder.mkdir(parents=True, exist_ok=True)
    played = played or folder / "played.raw"
    conf = folder / "asound.conf"
    conf.write_text(
        f"<{SYSTEM_ALSA_CONF}>\n"
        "pcm.!default {\n"
        "    type file\n"
        '    slave.pcm "null"\n'
        f'    file "{played}"\n'
        '    format "raw"\n'
        "}\n"
    )
    os.environ["ALSA_CONFIG_PATH"] = str(conf)
    return played


def read_played(path: Path, channels: int = 1):  # type: ignore[no-untyped-def]
    """What the ALSA file sink received: float32 frames (PortAudio opens it as float32)."""
    import numpy as np

    data = np.frombuffer(path.read_bytes(), dtype=np.float32)
    return data[: len(data) - len(data) % channels].reshape(-1, channels)
