"""Slack tokens at rest: Fernet-encrypted when DELIGHT_ENCRYPTION_KEY is set, each bound to its
workspace.

Fernet (the `cryptography` package: AES-128-CBC with an HMAC-SHA256, a timestamp and a random
IV) rather than anything home-made. Several keys make a MultiFernet: the first encrypts, all of
them decrypt, so keys can be rotated (put the new key first, restart, and the start-up pass
re-encrypts every token with it; then drop the old key).

What is encrypted is the workspace's id with the token, and opening checks the id: ciphertext
copied into another workspace's row is refused. With a key, only that form is accepted; the
older forms (plaintext from before a key was set, ciphertext from before tokens were bound)
are opened only when the start-up pass upgrades them (storage/installations.py decides when).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import Enum

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Ciphertext of the token alone, as sealed before tokens were bound to their workspace.
UNBOUND = "fernet:"
# Ciphertext of "<team_id>\n<token>".
BOUND = "fernet:bound:"  # never a legacy one: Fernet ciphertext starts "gAAAAA"
_SEPARATOR = "\n"


class Form(Enum):
    PLAINTEXT = "plaintext"  # stored while no key was set
    UNBOUND = "unbound"  # ciphertext from before tokens were bound to their workspace
    BOUND = "bound"  # ciphertext of the workspace's id and the token


def form_of(stored: str) -> Form:
    if stored.startswith(BOUND):
        return Form.BOUND
    if stored.startswith(UNBOUND):
        return Form.UNBOUND
    return Form.PLAINTEXT


class UnreadableToken(Exception):
    """A stored token can't be decrypted: the key is missing or not the one it was sealed with."""


class RefusedToken(UnreadableToken):
    """A stored token the app did not seal for this workspace (planted or moved there)."""


class TokenCipher:
    def __init__(self, keys: Sequence[str] = ()) -> None:
        self._primary = Fernet(keys[0]) if keys else None
        self._all = MultiFernet([Fernet(key) for key in keys]) if keys else None

    @property
    def encrypts(self) -> bool:
        return self._all is not None

    def seal(self, token: str, *, team_id: str) -> str:
        """What to store for `team_id`'s `token`: ciphertext bound to the workspace with the
        first key, or the token as it is when no key is set."""
        if self._all is None:
            return token
        return BOUND + self._all.encrypt(f"{team_id}{_SEPARATOR}{token}".encode()).decode()

    def open(self, stored: str, *, team_id: str, upgrading: Collection[Form] = ()) -> str:
        """The token `team_id`'s row holds. UnreadableToken when no key here opens it;
        RefusedToken when it was sealed for another workspace or, with a key, is in an older
        form not listed in `upgrading`."""
        form = form_of(stored)
        if self._all is None:
            if form is not Form.PLAINTEXT:
                raise UnreadableToken("the stored tokens are encrypted and no key is set")
            return stored
        if form is Form.PLAINTEXT:
            if form not in upgrading:
                raise RefusedToken("a token stored in plaintext while a key is set")
            return stored
        if form is Form.UNBOUND:
            if form not in upgrading:
                raise RefusedToken("a token encrypted without its workspace")
            return self._decrypt(stored.removeprefix(UNBOUND))
        bound_to, _, token = self._decrypt(stored.removeprefix(BOUND)).partition(_SEPARATOR)
        if bound_to != team_id:
            raise RefusedToken("a token sealed for another workspace")
        return token

    def is_current(self, stored: str, *, team_id: str) -> bool:
        """Whether `stored` is as `seal` would store it now: bound ciphertext under the first
        key when a key is set, plaintext otherwise."""
        if self._primary is None:
            return form_of(stored) is Form.PLAINTEXT
        if form_of(stored) is not Form.BOUND:
            return False
        try:
            opened = self._primary.decrypt(stored.removeprefix(BOUND).encode()).decode()
        except InvalidToken:
            return False
        return opened.partition(_SEPARATOR)[0] == team_id

    def _decrypt(self, ciphertext: str) -> str:
        assert self._all is not None
        try:
            return self._all.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise UnreadableToken("none of the keys decrypts the stored tokens") from None
