"""The sound outputs PortAudio can see (for the Settings dialog)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputDevice:
    name: str
    index: int
    is_default: bool
    max_output_channels: int


def list_output_devices() -> list[OutputDevice]:
    """Every device that can play sound; [] when there is no sound system at all."""
    try:
        import sounddevice
    except (ImportError, OSError):  # no PortAudio library
        return []
    try:
        devices = list(sounddevice.query_devices())
    except Exception:
        return []
    try:
        default = int(sounddevice.query_devices(kind="output")["index"])
    except Exception:
        default = -1
    result = []
    for index, info in enumerate(devices):
        channels = int(info.get("max_output_channels", 0))
        if channels > 0:
            result.append(OutputDevice(str(info.get("name", f"Device {index}")), index,
                                       index == default, channels))
    return result
