"""PortAudio (through sounddevice) for the player: loading it, finding a named output,
opening an output stream, and reading a stream's state and clock without ever raising
(a device can vanish at any moment). Errors are AudioDeviceError in plain words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.audio.errors import AudioDeviceError


def load_sounddevice() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise AudioDeviceError(
            "No sound system was found on this computer (the PortAudio library is missing)."
        ) from exc
    return sounddevice


def open_output_stream(sd: Any, rate: int, channels: int, device: str | None,
                       callback: Callable[..., None],
                       finished_callback: Callable[[], None]) -> Any:
    """A float32 output stream on `device` (a PortAudio device name, None for the system
    default) at the clip's own rate; latency="high" trades delay for no dropouts."""
    target = resolve_output_device(sd, device)
    try:
        return sd.OutputStream(
            samplerate=rate, channels=channels, dtype="float32", device=target,
            latency="high", callback=callback, finished_callback=finished_callback,
        )
    except Exception as exc:
        where = f"“{device}”" if device else "the default sound output"
        raise AudioDeviceError(f"Could not open {where}: {reason(exc)}.") from exc


def resolve_output_device(sd: Any, name: str | None) -> int | None:
    """PortAudio's index of the output device called `name` (None: the default)."""
    if name is None:
        return None
    try:
        devices = list(sd.query_devices())
    except Exception as exc:
        raise AudioDeviceError(
            f"The sound devices could not be listed: {reason(exc)}."
        ) from exc
    for index, info in enumerate(devices):
        if info.get("name") == name and info.get("max_output_channels", 0) > 0:
            return index
    raise AudioDeviceError(f"The sound output “{name}” is not available now.")


def stream_active(stream: Any) -> bool:
    """Whether the stream is still playing (blocks queued in the device included)."""
    try:
        return bool(stream.active) if stream is not None else False
    except Exception:  # a closed or vanished stream
        return False


def stream_time(stream: Any) -> float | None:
    """The stream's clock (PortAudio's Pa_GetStreamTime), None when it has none."""
    try:
        value = stream.time if stream is not None else None
    except Exception:  # a closed or vanished stream
        return None
    return float(value) if isinstance(value, int | float) and value > 0 else None


def reason(exc: BaseException) -> str:
    """PortAudio's own words for what failed, to go after "could not …: "."""
    text = str(exc).strip().rstrip(".")
    return text or type(exc).__name__
