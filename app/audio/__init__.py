"""Audio without Qt: decoding, streaming decode, the Player and waveform peaks.

Import the submodules directly (`app.audio.decode`, `app.audio.player`...): numpy,
soundfile, PyAV and PortAudio load only when the module that needs them does.
"""
