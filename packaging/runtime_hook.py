"""Runs first inside the bundle: make sounddevice load the PortAudio library we carry.

sounddevice asks ctypes.util.find_library("portaudio"), which on Linux only looks at
the system's linker cache; inside the bundle we answer with the bundled file instead.
"""

import ctypes.util
import glob
import os
import sys

_bundle = getattr(sys, "_MEIPASS", None)
if _bundle and sys.platform.startswith("linux"):
    _system_find_library = ctypes.util.find_library

    def _find_library(name: str) -> str | None:
        if name == "portaudio":
            bundled = sorted(glob.glob(os.path.join(_bundle, "libportaudio.so*")))
            if bundled:
                return bundled[0]
        return _system_find_library(name)

    ctypes.util.find_library = _find_library
