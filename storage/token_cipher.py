"""Slack tokens at rest: Fernet-encrypted when DELIGHT_ENCRYPTION_KEY is set.

Fernet (the `cryptography` package: AES-128-CBC with an HMAC-SHA256, a timestamp and a random
IV) rather than anything home-made. Several keys make a MultiFernet: the first encrypts, all of
them decrypt, so keys can be rotated (put the new key first, restart, and the start-up pass
re-encrypts every token with it; then drop the old key).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Marks a stored value as ciphertext; anything else is a token stored before a key was set.
SEALED = "fernet:"


class UnreadableToken(Exception):
    """A stored token can't be decrypted: the key is missing or not the one it was sealed with."""


class TokenCipher:
    def __init__(self, keys: Sequence[str] = ()) -> None:
        self._primary = Fernet(keys[0]) if keys else None
        self._all = MultiFernet([Fernet(key) for key in keys]) if keys else None

    @property
    def encrypts(self) -> bool:
        return self._all is not None

    def seal(self, token: str) -> str:
        """What to store for `token`: ciphertext with the first key, or the token as it is
        when no key is set."""
        if self._all is None:
            return token
        return SEALED + self._all.encrypt(token.encode()).decode()

    def open(self, stored: str) -> str:
        """The token a stored value holds; UnreadableToken when no key here opens it."""
        if not stored.startswith(SEALED):
            return stored
        if self._all is None:
            raise UnreadableToken("the stored tokens are encrypted and no key is set")
        try:
            return self._all.decrypt(stored.removeprefix(SEALED).encode()).decode()
        except InvalidToken:
            raise UnreadableToken("none of the keys decrypts the stored tokens") from None

    def is_current(self, stored: str) -> bool:
        """Whether `stored` is as `seal` would store it now: ciphertext under the first key
        when a key is set (False for plaintext or an older key's ciphertext), plaintext
        otherwise."""
        if self._primary is None:
            return not stored.startswith(SEALED)
        if not stored.startswith(SEALED):
            return False
        try:
            self._primary.decrypt(stored.removeprefix(SEALED).encode())
        except InvalidToken:
            return False
        return True
