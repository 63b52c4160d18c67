"""Bot Framework auth: the check of every inbound activity's JWT, and the bot's own token for
the calls it makes to the Bot Connector."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

from bot.expiring_cache import ExpiringCache
from handlers.msteams.connector import ConnectorUnavailable

logger = logging.getLogger(__name__)

# The issuer Bot Framework's metadata names; before the metadata is read, a token claiming any
# other is refused without fetching anything.
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
LEEWAY_SECONDS = 300  # clock skew the Bot Framework allows between it and a bot
KEYS_TTL_SECONDS = 24 * 3600  # Microsoft rotates its keys over weeks; a day is plenty fresh
REREAD_SECONDS = 60  # an unknown kid re-reads the keys at most this often
CHANNEL = "msteams"  # a key serves Teams only when its endorsements name it
VERIFIED_KEPT = 1000  # tokens whose signature checked out, kept …
VERIFIED_SECONDS = 600.0  # … this long at most
TOKEN_EARLY_SECONDS = 300  # a cached bot token is renewed this long before it expires
_FETCH_TIMEOUT = aiohttp.ClientTimeout(total=10)


class Unauthorized(Exception):
    """The request is not from the Bot Framework; the message is a short reason for a log."""


class KeysUnavailable(Unauthorized):
    """The keys could not be read, so nothing can be verified (a 503 is fairer than a 401)."""


@dataclass(frozen=True)
class Caller:
    """What the verified token says of its sender."""

    claims: Mapping[str, object]


@dataclass(frozen=True)
class _SigningKeys:
    issuer: str
    keys: Mapping[str, Any]  # kid → public key
    read_at: float


@dataclass(frozen=True, slots=True)
class _Verified:
    claims: dict[str, Any]
    signing: _SigningKeys  # the keys it was checked against


class BotFrameworkAuth:
    """Verifies the Bot Framework's JWTs against the keys its OpenID metadata points to."""

    def __init__(
        self,
        *,
        client_id: str,
        metadata_url: str,
        http: aiohttp.ClientSession,
        clock: Callable[[], float] = time.time,
        issuer: str = BOT_FRAMEWORK_ISSUER,
    ) -> None:
        self._client_id = client_id
        self._metadata_url = metadata_url
        self._http = http
        self._clock = clock
        self._expected_issuer = issuer  # until the metadata names its own
        self._signing: _SigningKeys | None = None
        self._tried_at = float("-inf")  # the last read of the keys, successful or not
        self._reading = asyncio.Lock()  # concurrent callers wait for one read
        # The Bot Framework signs one token for many activities: its signature is checked once
        # (against the keys of the time; times and serviceurl at every use).
        self._verified: ExpiringCache[str, _Verified] = ExpiringCache(
            VERIFIED_KEPT, VERIFIED_SECONDS
        )

    async def verify(self, authorization: str | None, *, service_url: str) -> Caller:
        """The token's claims if the Bot Framework signed it for this bot and this activity's
        service URL; else Unauthorized, with the reason."""
        token = _bearer(authorization)
        known = self._verified.get(token)
        if known is None or known.signing is not self._signing or not self._fresh(known.signing):
            known = await self._checked(token)
            self._verified[token] = known
        claims = known.claims
        self._in_time(claims)
        claimed_url = claims.get("serviceurl")
        if not isinstance(claimed_url, str):
            raise Unauthorized("no serviceurl claim")
        if _without_slash(claimed_url) != _without_slash(service_url):
            raise Unauthorized("serviceurl differs from the activity's")
        return Caller(claims=claims)

    async def _checked(self, token: str) -> _Verified:
        """The token's claims, once its signature, issuer and audience check out."""
        try:
            unverified = jwt.api_jwt.decode_complete(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise Unauthorized("malformed token") from error
        header, unverified = unverified["header"], unverified["payload"]
        if header.get("alg") != "RS256":
            raise Unauthorized(f"algorithm {str(header.get('alg'))[:16]!r} is not RS256")
        issuer = self._signing.issuer if self._signing else self._expected_issuer
        if unverified.get("iss") != issuer:
            raise Unauthorized("another issuer")  # before any fetch: costs an attacker nothing
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("no key id")
        signing = await self._keys_naming(kid)
        key = signing.keys.get(kid)
        if key is None:
            raise Unauthorized("unknown key id")
        return _Verified(claims=self._decode(token, key, signing.issuer), signing=signing)

    def _decode(self, token: str, key: Any, issuer: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=issuer,
                # Times are checked below, on our clock (PyJWT would read its own).
                options={
                    "require": ["exp", "iss", "aud"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidAudienceError as error:
            raise Unauthorized("wrong audience") from error
        except jwt.InvalidIssuerError as error:
            raise Unauthorized("another issuer") from error
        except jwt.InvalidSignatureError as error:
            raise Unauthorized("bad signature") from error
        except jwt.MissingRequiredClaimError as error:
            raise Unauthorized(f"no {error.claim} claim") from error
        except jwt.PyJWTError as error:
            raise Unauthorized("invalid token") from error
        return claims

    def _in_time(self, claims: Mapping[str, Any]) -> None:
        now = self._clock()
        expires, not_before = claims.get("exp"), claims.get("nbf", now)
        if not isinstance(expires, int | float) or not isinstance(not_before, int | float):
            raise Unauthorized("malformed exp or nbf")
        if now > expires + LEEWAY_SECONDS:
            raise Unauthorized("expired")
        if now < not_before - LEEWAY_SECONDS:
            raise Unauthorized("not valid yet")

    async def _keys_naming(self, kid: str) -> _SigningKeys:
        """The cached keys; re-read when a day old, or when they lack `kid` (a rotation) —
        at most once a minute either way, so a flood of unknown kids costs one read."""
        seen = self._signing
        if seen is not None and kid in seen.keys and self._fresh(seen):
            return seen
        async with self._reading:
            current = self._signing
            if current is not None and current is not seen:
                return current  # another caller read them while this one waited
            if current is not None and self._clock() - self._tried_at < REREAD_SECONDS:
                return current
            self._tried_at = self._clock()
            try:
                self._signing = await self._read()
            except KeysUnavailable:
                if current is None:
                    raise
                return current  # keys a day old beat none; tried again in a minute
            return self._signing

    def _fresh(self, signing: _SigningKeys) -> bool:
        return self._clock() - signing.read_at < KEYS_TTL_SECONDS

    async def _read(self) -> _SigningKeys:
        try:
            metadata = await self._get_json(self._metadata_url)
            issuer, jwks_uri = metadata["issuer"], metadata["jwks_uri"]
            if not isinstance(issuer, str) or not isinstance(jwks_uri, str):
                raise TypeError("issuer and jwks_uri must be strings")
            jwks = await self._get_json(jwks_uri)
            keys = {
                entry["kid"]: jwt.PyJWK(entry).key
                for entry in jwks["keys"]
                if entry.get("kty") == "RSA"
                and isinstance(entry.get("kid"), str)
                and CHANNEL in entry.get("endorsements", [CHANNEL])
            }
        except (aiohttp.ClientError, TimeoutError, KeyError, TypeError, jwt.PyJWTError) as error:
            logger.warning("Bot Framework keys unavailable: %s", type(error).__name__)
            raise KeysUnavailable("keys unavailable") from error
        if issuer != self._expected_issuer:
            logger.warning("the OpenID metadata names issuer %s", issuer)
        return _SigningKeys(issuer=issuer, keys=keys, read_at=self._clock())

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self._http.get(url, timeout=_FETCH_TIMEOUT) as response:
            response.raise_for_status()
            found: dict[str, Any] = await response.json(content_type=None)
            return found


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("no Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("not a Bearer token")
    return token.strip()


def _without_slash(url: str) -> str:
    return url[:-1] if url.endswith("/") else url


class BotToken:
    """The bot's client-credentials token for the Bot Connector, renewed shortly before it
    expires."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token_url: str,
        scope: str,
        http: aiohttp.ClientSession,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        }
        self._token_url = token_url
        self._http = http
        self._clock = clock
        self._header: str | None = None
        self._renew_at = 0.0
        self._fetching = asyncio.Lock()  # one fetch at a time; the others wait for it

    def __repr__(self) -> str:
        return f"BotToken(token_url={self._token_url!r})"  # never the secret or the token

    async def header(self) -> str:
        """The Authorization header's value: "Bearer …"."""
        if self._header is not None and self._clock() < self._renew_at:
            return self._header
        async with self._fetching:
            if self._header is None or self._clock() >= self._renew_at:
                self._header, lifetime = await self._fetch()
                # A short-lived token is renewed halfway through instead of at every call.
                early = min(TOKEN_EARLY_SECONDS, lifetime / 2)
                self._renew_at = self._clock() + lifetime - early
            return self._header

    async def _fetch(self) -> tuple[str, float]:
        try:
            async with self._http.post(
                self._token_url, data=self._form, timeout=_FETCH_TIMEOUT
            ) as response:
                if response.status != 200:
                    logger.warning("Bot token refused: HTTP %s", response.status)
                    raise ConnectorUnavailable(response.status, None, "token refused")
                body = await response.json(content_type=None)
            token, lifetime = body["access_token"], float(body["expires_in"])
            if not isinstance(token, str) or not token or lifetime <= 0:
                raise ValueError("no usable token")
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("Bot token unavailable: %s", type(error).__name__)
            raise ConnectorUnavailable(0, None, "token endpoint unreachable") from error
        except (KeyError, TypeError, ValueError) as error:
            raise ConnectorUnavailable(200, None, "token answer unusable") from error
        return f"Bearer {token}", lifetime


class NoToken:
    """For the Agents Playground (TEAMS_PLAYGROUND), which runs on this machine and asks for
    no token: the connector's calls carry a placeholder."""

    async def header(self) -> str:
        return "Bearer playground"
