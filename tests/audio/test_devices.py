"""Listing sound outputs, with and without a sound system."""

from __future__ import annotations

import sys

import pytest

from app.audio.devices import OutputDevice, list_output_devices


def test_the_alsa_default_device_is_listed() -> None:
    devices = list_output_devices()
    assert devices and all(isinstance(d, OutputDevice) for d in devices)
    assert sum(d.is_default for d in devices) == 1
    assert all(d.max_output_channels > 0 for d in devices)
    assert any(d.name == "default" for d in devices)


def test_no_portaudio_means_no_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import raises ImportError
    assert list_output_devices() == []


def test_a_failing_query_means_no_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice

    def broken(*args: object, **kwargs: object) -> None:
        raise sounddevice.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sounddevice, "query_devices", broken)
    assert list_output_devices() == []


def test_the_alsa_default_input_is_listed() -> None:
    from app.audio.devices import InputDevice, list_input_devices

    devices = list_input_devices()
    assert devices and all(isinstance(d, InputDevice) for d in devices)
    assert all(d.max_input_channels > 0 for d in devices)
    assert any(d.name == "default" for d in devices)
    assert sum(d.is_default for d in devices) == 1
