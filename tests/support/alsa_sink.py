"""An ALSA default device that writes what is played into a file, and whose capture
side (the "microphone") reads from a file.

alsa-lib reads ALSA_CONFIG_PATH when PortAudio initialises, so this must run before
`sounddevice` is first imported in the process (tests/conftest.py does it at import
time). The user's own ~/.asoundrc is never read or written.
"""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_ALSA_CONF = Path("/usr/share/alsa/alsa.conf")


def configure_file_sink(folder: Path, played: Path | None = None,
                        captured: Path | None = None) -> Path:
    """Point alsa-lib at a config whose default PCM writes raw samples to a file
    (`played`, by default `folder/played.raw`; /dev/null keeps hours of audio off disk)
    and, when `captured` is given, records from that file: the `file` plugin's `infile`
    replaces what the null device "hears" with the file's raw samples, in the format
    the stream was opened with (float32 for sounddevice's default). The file must exist
    when PortAudio starts (it lists the device's inputs then); its content is read when
    an input stream opens. The null device is not paced: capture runs as fast as it is
    read, and after the file's end the device repeats stale samples.

    Returns the path of the file the samples land in.
    """
    folder.mkdir(parents=True, exist_ok=True)
    played = played or folder / "played.raw"
    infile = ""
    if captured is not None:
        captured.touch()
        infile = f'    infile "{captured}"\n'
    conf = folder / "asound.conf"
    conf.write_text(
        f"<{SYSTEM_ALSA_CONF}>\n"
        "pcm.!default {\n"
        "    type file\n"
        '    slave.pcm "null"\n'
        f'    file "{played}"\n'
        f"{infile}"
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


def write_capture(path: Path, samples) -> None:  # type: ignore[no-untyped-def]
    """What the ALSA "microphone" will hear next: mono float32 samples (-1..1)."""
    import numpy as np

    np.asarray(samples, dtype="<f4").tofile(path)
