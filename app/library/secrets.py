"""The API key: the system keychain, with `ELEVENLABS_API_KEY` taking precedence.

The key is never written to a settings file or a log. When no keychain exists (a bare
Linux session, a container) the key is kept in memory for this session only and the user
is told so plainly, rather than silently storing it in a plain file. Errors are logged
without the key; every key seen is registered for log redaction.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from app.domain.api_key import ApiKeyFormatError, clean_api_key
from app.library.logs import register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

API_KEY_ENV = "ELEVENLABS_API_KEY"
KeySource = Literal["environment", "keychain", "session"]

NO_KEYCHAIN_MESSAGE = ("No system keychain is available, so the key is kept for this session "
                       "only and will be asked for again next time. To keep it, set up a "
                       "keychain (such as GNOME Keyring or KWallet) or set the "
                       f"{API_KEY_ENV} environment variable.")


@dataclass(frozen=True, slots=True)
class SaveResult:
    persisted: bool
    message: str


def _keyring() -> Any:
    """keyring, imported on first use: it takes ~40 ms (and its backends ~0.1 s more),
    which the window should not wait for."""
    import keyring
    import keyring.errors

    return keyring


def _usable(backend: KeyringBackend) -> bool:
    """False for keyring's stand-ins that cannot keep anything."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


class KeyStore:
    def __init__(self, service: str = "xi-studio", username: str = "api-key") -> None:
        self.service = service
        self.username = username
        self._session_key: str | None = None
        self._in_keychain: bool | None = None  # unknown until the keychain is read

    @staticmethod
    def _from_environment() -> str | None:
        return (os.environ.get(API_KEY_ENV) or "").strip() or None

    def get(self) -> str | None:
        """The key to use, cleaned; raises ApiKeyFormatError (which never contains the
        key) when ELEVENLABS_API_KEY or the keychain holds something that cannot be one."""
        from_env = self._from_environment()
        key = from_env or self._session_key or self._read_keychain()
        if not key:
            return None
        register_secret(key)  # before anything can mention it
        try:
            return clean_api_key(key)
        except ApiKeyFormatError as exc:
            where = (f"The key in the {API_KEY_ENV} environment variable cannot be used. "
                     if from_env else "The stored key cannot be used. ")
            log.warning("%s%s", where, exc)
            raise ApiKeyFormatError(where + str(exc),
                                    from_environment=bool(from_env)) from None

    def _read_keychain(self) -> str | None:
        try:
            backend = _keyring().get_keyring()
            key = backend.get_password(self.service, self.username) if _usable(backend) \
                else None
        except Exception as exc:  # any backend failure means "no key", never a crash
            log.warning("could not read the API key from the keychain (%s)",
                        type(exc).__name__)
            key = None
        key = (key or "").strip() or None
        self._in_keychain = key is not None
        return key

    @property
    def source(self) -> KeySource | None:
        """Where `get()` finds the key: 'environment', 'keychain', 'session' or None."""
        if self._from_environment():
            return "environment"
        if self._session_key:
            return "session"
        if self._in_keychain is None:
            self._read_keychain()
        return "keychain" if self._in_keychain else None

    def set(self, key: str) -> SaveResult:
        """Store `key` (cleaned); raises ApiKeyFormatError (a ValueError) if it cannot be
        a key."""
        register_secret(key)
        key = clean_api_key(key)
        note = ""
        if self._from_environment():
            note = f" {API_KEY_ENV} is set, and takes precedence while it is."
        keyring = _keyring()
        try:
            backend = keyring.get_keyring()
            if not _usable(backend):
                raise keyring.errors.NoKeyringError
            backend.set_password(self.service, self.username, key)
        except Exception as exc:
            log.warning("could not store the API key in the keychain (%s); keeping it for "
                        "this session", type(exc).__name__)
            self._session_key = key
            return SaveResult(persisted=False, message=NO_KEYCHAIN_MESSAGE + note)
        self._session_key = None
        self._in_keychain = True
        return SaveResult(persisted=True, message="Saved in the system keychain." + note)

    def delete(self) -> None:
        """Forget the stored key (the environment variable, if set, stays in charge)."""
        self._session_key = None
        keyring = _keyring()
        try:
            backend = keyring.get_keyring()
            if _usable(backend):
                backend.delete_password(self.service, self.username)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored
        except Exception as exc:
            log.warning("could not remove the API key from the keychain (%s)",
                        type(exc).__name__)
            self._in_keychain = None  # read it again to tell the truth
            return
        self._in_keychain = False

    @staticmethod
    def problem(key: str | None) -> str | None:
        """What is wrong with a key as typed, in plain words (None: it looks right)."""
        try:
            clean_api_key(key)
        except ApiKeyFormatError as exc:
            return str(exc)
        return None

    @staticmethod
    def masked(key: str | None) -> str:
        """A recognisable hint such as 'sk_…a1b2': a short prefix and at most 4 chars."""
        key = (key or "").strip()
        if len(key) < 12:
            return "…" + key[-2:] if len(key) >= 8 else "…"
        head, sep, _rest = key.partition("_")
        prefix = head + sep if sep and len(head) <= 3 else ""
        return f"{prefix}…{key[-4:]}"
