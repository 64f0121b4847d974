"""The sound outputs and microphones PortAudio can see (for the Settings dialog)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class OutputDevice:
    name: str
    index: int
    is_default: bool
    max_output_channels: int


@dataclass(frozen=True)
class InputDevice:
    name: str
    index: int
    is_default: bool
    max_input_channels: int


def list_output_devices() -> list[OutputDevice]:
    """Every device that can play sound; [] when there is no sound system at all."""
    return [OutputDevice(name, index, default, channels)
            for name, index, default, channels in _devices("output")]


def list_input_devices() -> list[InputDevice]:
    """Every device that can record (microphones); [] when there is no sound system."""
    return [InputDevice(name, index, default, channels)
            for name, index, default, channels in _devices("input")]


def _devices(kind: Literal["input", "output"]) -> list[tuple[str, int, bool, int]]:
    """(name, index, is the system default, channels) of each device with `kind` channels."""
    try:
        import sounddevice
    except (ImportError, OSError):  # no PortAudio library
        return []
    try:
        devices = list(sounddevice.query_devices())
    except Exception:
        return []
    try:
        default = int(sounddevice.query_devices(kind=kind)["index"])
    except Exception:
        default = -1
    result = []
    for index, info in enumerate(devices):
        channels = int(info.get(f"max_{kind}_channels", 0))
        if channels > 0:
            result.append((str(info.get("name", f"Device {index}")), index, index == default,
                           channels))
    return result
