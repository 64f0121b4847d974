"""The audio layer's exceptions, importable without numpy or any decoder (the UI's error
mapping needs them at start-up; the decoders load on first use)."""

from __future__ import annotations


class AudioDecodeError(Exception):
    """The audio could not be turned into sound; the message says why in plain words."""


class AudioDeviceError(Exception):
    """Sound output (or input) is not possible; the message says why in plain words."""
