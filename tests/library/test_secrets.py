from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app.library.secrets import KeyStore
from tests.support.memory_keyring import MemoryKeyring

KEY = "sk_fake_test_key_not_real_a1b2"


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")


Install = Callable[[KeyringBackend], KeyringBackend]


@pytest.fixture
def use_keyring() -> Iterator[Install]:
    previous = keyring.get_keyring()

    def install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


@pytest.fixture
def memory(use_keyring: Install) -> MemoryKeyring:
    backend = MemoryKeyring()
    use_keyring(backend)
    return backend


def test_no_key_anywhere(memory: MemoryKeyring) -> None:
    store = KeyStore()
    assert store.get() is None
    assert store.source is None


def test_set_get_delete_in_keychain(memory: MemoryKeyring) -> None:
    store = KeyStore()
    result = store.set(f"  {KEY}\n")
    assert result.persisted
    assert memory.passwords[("xi-studio", "api-key")] == KEY
    assert KeyStore().get() == KEY
    assert KeyStore().source == "keychain"
    store.delete()
    assert store.get() is None and store.source is None
    store.delete()  # nothing stored: still fine


def test_environment_wins(memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    KeyStore().set(KEY)
    monkeypatch.setenv("ELEVENLABS_API_KEY", "sk_from_the_environment_9999")
    store = KeyStore()
    assert store.get() == "sk_from_the_environment_9999"
    assert store.source == "environment"
    monkeypatch.delenv("ELEVENLABS_API_KEY")
    assert store.get() == KEY


def test_no_backend_keeps_key_for_the_session(use_keyring: Install) -> None:
    use_keyring(fail.Keyring())
    store = KeyStore()
    assert store.get() is None
    result = store.set(KEY)
    assert not result.persisted
    assert "session only" in result.message
    assert KEY not in result.message
    assert store.get() == KEY
    assert store.source == "session"
    assert KeyStore().get() is None  # nothing was written anywhere
    store.delete()
    assert store.get() is None


def test_broken_keychain_is_no_key_and_never_logs_it(
        use_keyring: Install, caplog: pytest.LogCaptureFixture) -> None:
    use_keyring(BrokenKeyring())
    caplog.set_level(logging.DEBUG)
    store = KeyStore()
    assert store.get() is None
    result = store.set(KEY)
    assert not result.persisted
    assert store.get() == KEY and store.source == "session"
    assert KEY not in caplog.text


def test_empty_key_is_refused(memory: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        KeyStore().set("   ")


@pytest.mark.parametrize(("key", "expected"), [
    ("sk_fake_test_key_not_real_a1b2", "sk_…a1b2"),
    ("0123456789abcdefa1b2", "…a1b2"),
    ("abcdefghij", "…ij"),
    ("short", "…"),
    ("", "…"),
])
def test_masked(key: str, expected: str) -> None:
    assert KeyStore.masked(key) == expected
    if len(key) >= 5:
        assert key[-5:] not in KeyStore.masked(key)  # never more than the last 4
