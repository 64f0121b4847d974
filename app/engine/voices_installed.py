"""The engine's voice catalogue kept in step with the models folder.

Installing or removing a model renames a folder in the models folder, which changes the
folder's modification time: one `stat` per request tells whether to rebuild the list.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.engine.voices import EngineVoice, VoiceCatalog
from app.library.models.store import ModelStore


class InstalledVoices:
    def __init__(self, base: VoiceCatalog, store: ModelStore) -> None:
        self.base = base
        self.store = store
        self._signature: tuple[int, ...] | None = None
        self._catalog = base
        self._lock = threading.Lock()

    def catalog(self) -> VoiceCatalog:
        signature = self.store.signature()
        with self._lock:
            if signature != self._signature:
                from app.engine.piper_voices import installed_piper_voices

                piper = installed_piper_voices(self.store)
                self._catalog = (VoiceCatalog([*self.base.voices, *piper])
                                 if piper else self.base)
                self._signature = signature
            return self._catalog

    @staticmethod
    def missing_files(voice: EngineVoice) -> str | None:
        """A plain message when an installed voice's files are gone, else None."""
        from app.engine.piper_voices import PiperEngineVoice

        if not isinstance(voice, PiperEngineVoice):
            return None
        onnx = Path(voice.model_dir) / voice.onnx_name
        if onnx.is_file() and onnx.with_name(onnx.name + ".json").is_file():
            return None
        from app.engine.piper_voices import REINSTALL_PLACE

        return (f"The voice {voice.name} was removed from this computer. Choose another "
                f"voice, or install it again in {REINSTALL_PLACE}.")
