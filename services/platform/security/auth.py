"""Bearer JWTs: who is calling the API, in which role, for which agencies.

HS256 tokens are signed with one shared secret (one machine, `vendorwatch up`); RS256 tokens
come from an identity provider and are checked against configured public keys or its JWKS.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from pydantic import TypeAdapter, ValidationError

from services.events.base import ShortText
from services.events.error_words import in_words
from services.platform.error_codes import ErrorCode
from services.platform.errors import StartupError
from services.platform.security.auth_keys import MIN_SECRET_BYTES, PublicKey, load_public_keys
from services.platform.security.auth_keys import (
    local_secret as local_secret,
)  # re-exported: callers import it from here

log = logging.getLogger(__name__)


class Role(StrEnum):
    VIEWER = "viewer"
    PROCUREMENT_OFFICER = "procurement_officer"
    SYSTEM_OWNER = "system_owner"
    RISK_ANALYST = "risk_analyst"
    SANCTION_AUTHORITY = "sanction_authority"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_NAMES = ", ".join(Role)


class AuthError(Exception):
    """A token is missing or not acceptable; the message is safe to show the client, the code
    tells an expired token (which a client renews) from one it must replace."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.UNAUTHENTICATED) -> None:
        super().__init__(message)
        self.code = code


# Clock skew allowed between token issuers and this process, by default.
DEFAULT_LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    # Empty: not restricted to any agency.
    agencies: tuple[str, ...]
    # When its token stops being accepted (seconds since the epoch: exp + leeway); None for a
    # caller not named by a token. Open subscriptions are closed then.
    expires_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AuthConfig:
    hs256_secret: bytes | None = None
    rs256_public_keys: tuple[PublicKey, ...] = ()
    jwks_url: str | None = None
    issuer: str = "vendorwatch"
    audience: str = "vendorwatch-api"
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS

    def __post_init__(self) -> None:
        if self.hs256_secret is None and not self.rs256_public_keys and self.jwks_url is None:
            raise StartupError(
                "no token verification key is configured: set VENDORWATCH_JWT_SECRET "
                f"(HS256, at least {MIN_SECRET_BYTES} bytes), VENDORWATCH_JWT_PUBLIC_KEYS "
                "(a PEM or JWKS file) or VENDORWATCH_JWKS_URL"
            )


def _leeway(environ: Mapping[str, str]) -> int:
    text = environ.get("VENDORWATCH_JWT_LEEWAY_SECONDS") or str(DEFAULT_LEEWAY_SECONDS)
    if text.startswith("-") and text[1:].isdigit():
        # A whole number all the same: saying it must be one left the sign unnamed.
        raise StartupError(
            f"VENDORWATCH_JWT_LEEWAY_SECONDS must not be negative (0 allows no clock skew),"
            f" not {text!r}"
        )
    if not (text.isascii() and text.isdigit()):
        raise StartupError(
            f"VENDORWATCH_JWT_LEEWAY_SECONDS must be a whole number of seconds, not {text!r}"
        )
    return int(text)


def auth_config(environ: Mapping[str, str], data_dir: Path | None) -> AuthConfig:
    """Token settings from the environment; `data_dir` (embedded mode) supplies a local secret."""
    secret = environ.get("VENDORWATCH_JWT_SECRET") or None
    keys_file = environ.get("VENDORWATCH_JWT_PUBLIC_KEYS") or None
    jwks_url = environ.get("VENDORWATCH_JWKS_URL") or None
    hs256_secret = secret.encode() if secret is not None else None
    if hs256_secret is not None and len(hs256_secret) < MIN_SECRET_BYTES:
        raise StartupError(
            f"VENDORWATCH_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes "
            f"(it has {len(hs256_secret)}); generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    if jwks_url is not None and urlparse(jwks_url).scheme not in ("http", "https"):
        raise StartupError(f"VENDORWATCH_JWKS_URL must be an http(s) URL, not {jwks_url!r}")
    if hs256_secret is None and keys_file is None and jwks_url is None and data_dir is not None:
        hs256_secret = local_secret(data_dir)
    return AuthConfig(
        hs256_secret=hs256_secret,
        rs256_public_keys=load_public_keys(Path(keys_file)) if keys_file else (),
        jwks_url=jwks_url,
        issuer=environ.get("VENDORWATCH_JWT_ISSUER") or "vendorwatch",
        audience=environ.get("VENDORWATCH_JWT_AUDIENCE") or "vendorwatch-api",
        leeway_seconds=_leeway(environ),
    )


def issue_token(
    secret: bytes,
    *,
    subject: str,
    role: Role,
    agencies: Sequence[str] = (),
    ttl: dt.timedelta = dt.timedelta(hours=12),
    issuer: str = "vendorwatch",
    audience: str = "vendorwatch-api",
    now: dt.datetime | None = None,
) -> str:
    """An HS256 token; ValueError for a token `TokenVerifier` would refuse anyway."""
    if role is Role.SYSTEM_OWNER and not agencies:
        raise ValueError("a system_owner token must name at least one agency")
    if not subject:
        raise ValueError("a token needs a subject")
    issued = now or dt.datetime.now(dt.UTC)
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "role": role.value,
        "agencies": list(agencies),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


# Tokens whose verification is remembered: a client sends the same token with every request.
VERIFIED_TOKENS = 4096


class TokenVerifier:
    def __init__(self, config: AuthConfig) -> None:
        self._config = config
        # The client caches the key set for five minutes and refetches on an unknown `kid`.
        self._jwks = jwt.PyJWKClient(config.jwks_url, timeout=5) if config.jwks_url else None
        # Token -> its caller, until it stops being accepted (`expires_at`): a token verified
        # once is the same token until then (its signature covers every claim).
        # Verification runs in worker threads, lookups on the event loop.
        self._verified: OrderedDict[str, Principal] = OrderedDict()
        self._verified_lock = threading.Lock()

    def remembered(self, authorization: str | None) -> Principal | None:
        """The caller of a bearer token verified before and not expired since, if any."""
        token = _bearer(authorization)
        if token is None:
            return None
        with self._verified_lock:
            found = self._verified.get(token)
            if found is None or found.expires_at is None or time.time() >= found.expires_at:
                return None
            self._verified.move_to_end(token)
            return found

    def principal_from_header(self, authorization: str | None) -> Principal:
        """The caller named by an HTTP `Authorization: Bearer <token>` header value."""
        if not authorization:
            raise AuthError("no bearer token")
        token = _bearer(authorization)
        if token is None:
            raise AuthError("no bearer token: the Authorization header must be 'Bearer <token>'")
        return self.verify(token)

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise AuthError("token is not a JWT") from None
        except jwt.InvalidTokenError as error:
            # A header read but not acceptable: a `kid` that is no string, a `crit` naming an
            # extension or none. PyJWT's words name the header parameter, never a key.
            raise AuthError(f"token header is not acceptable: {error}") from None
        algorithm = header.get("alg")
        secret = self._config.hs256_secret
        takes_rs256 = bool(self._config.rs256_public_keys) or self._jwks is not None
        # The algorithm is fixed per key type so no token can pick how a key is interpreted:
        # no `none`, and no RS256 public key used as an HS256 secret.
        if algorithm == "HS256" and secret is not None:
            return self._decode(token, "HS256", [secret])
        if algorithm == "RS256" and takes_rs256:
            return self._decode(token, "RS256", self._rs256_keys(header.get("kid")))
        accepted = [
            name for name, on in (("HS256", secret is not None), ("RS256", takes_rs256)) if on
        ]
        raise AuthError(
            f"token algorithm {algorithm!r} is not accepted; use {' or '.join(accepted)}"
        )

    def _rs256_keys(self, key_id: Any) -> list[RSAPublicKey]:
        configured = self._config.rs256_public_keys
        keys = [k.key for k in configured if k.key_id is None or k.key_id == key_id]
        known = any(k.key_id == key_id for k in configured)
        if self._jwks is not None and isinstance(key_id, str) and not known:
            keys.append(self._jwks_key(self._jwks, key_id))
        if not keys:
            raise AuthError(
                f"token key id {key_id!r} is not among the signing keys"
                if key_id is not None
                else "token has no kid header to choose its signing key by"
            )
        return keys

    def _jwks_key(self, jwks: jwt.PyJWKClient, key_id: str) -> RSAPublicKey:
        try:
            signing_key = jwks.get_signing_key(key_id)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError) as error:
            # Unreachable, or not a JWKS: the operator's problem, so the details go to the log.
            log.warning("cannot load the JWKS from %s: %s", self._config.jwks_url, error)
            raise AuthError("the token signing keys cannot be fetched; try again later") from None
        except jwt.PyJWKClientError:
            raise AuthError(f"token key id {key_id!r} is not among the signing keys") from None
        if not isinstance(signing_key.key, RSAPublicKey):
            raise AuthError(f"token key id {key_id!r} does not name an RSA key")
        return signing_key.key

    def _decode(
        self, token: str, algorithm: str, keys: Sequence[bytes | RSAPublicKey]
    ) -> Principal:
        config = self._config
        claims: dict[str, Any] | None = None
        for key in keys:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[algorithm],
                    audience=config.audience,
                    issuer=config.issuer,
                    leeway=config.leeway_seconds,
                    options={"require": ["exp", "iss", "aud", "sub"]},
                )
                break
            except jwt.InvalidSignatureError:
                # Another key (several PEM keys, or one without a kid) may have signed it.
                continue
            except jwt.InvalidTokenError as error:
                expired = isinstance(error, jwt.ExpiredSignatureError)
                code = ErrorCode.TOKEN_EXPIRED if expired else ErrorCode.UNAUTHENTICATED
                raise AuthError(_client_message(error, config), code) from None
        if claims is None:
            raise AuthError("token signature is not valid")
        principal = replace(
            _principal(claims), expires_at=float(claims["exp"]) + config.leeway_seconds
        )
        with self._verified_lock:
            self._verified[token] = principal
            if len(self._verified) > VERIFIED_TOKENS:
                self._verified.popitem(last=False)
        return principal


def _bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None for anything else."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _client_message(error: jwt.InvalidTokenError, config: AuthConfig) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "token expired"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"token has no {error.claim} claim"
    if isinstance(error, jwt.InvalidIssuerError):
        return f"token issuer must be {config.issuer!r}"
    if isinstance(error, jwt.InvalidAudienceError):
        return f"token audience must be {config.audience!r}"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "token is not valid yet (its iat or nbf claim is in the future)"
    if isinstance(error, jwt.InvalidIssuedAtError):
        return "token iat claim must be a number of seconds since the epoch"
    # PyJWT's remaining messages describe the token (malformed parts or claims), never the key.
    return f"token is not valid: {error}"


# Seconds since the epoch of the last second of year 9999: a later `exp` is no date.
_LAST_EXP = 253_402_300_799
# The claims an event records (`RecordedBy`) and reads compare, held to the events' own
# constraints: a token accepted here but not storable made every mutation and read fail.
_SHORT_TEXT: TypeAdapter[str] = TypeAdapter(ShortText)


def _short_text(claim: str, value: object) -> None:
    try:
        _SHORT_TEXT.validate_python(value, strict=True)
    except ValidationError as error:
        said = in_words(error.errors()[0])
        raise AuthError(f"token {claim} claim is not acceptable: {said}") from None


def _principal(claims: Mapping[str, Any]) -> Principal:
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise AuthError("token sub claim must be a non-empty string")
    _short_text("sub", subject)
    expires = claims["exp"]
    # PyJWT takes a digit string, and a float of any size (1e20), as a time.
    if type(expires) is not int or not 0 < expires <= _LAST_EXP:
        raise AuthError(
            "token exp claim must be a whole number of seconds since the epoch (a JSON"
            f" integer, at most {_LAST_EXP}), not {expires!r:.40}"
        )
    if claims.get("role") is None:
        raise AuthError("token has no role claim")
    try:
        role = Role(claims["role"])
    except ValueError:
        raise AuthError(f"unknown role {claims['role']!r}; roles are {ROLE_NAMES}") from None
    agencies = claims.get("agencies", [])
    if not isinstance(agencies, list) or not all(isinstance(a, str) and a for a in agencies):
        raise AuthError("token agencies claim must be a list of agency names")
    for agency in agencies:
        _short_text("agencies", agency)
    if role is Role.SYSTEM_OWNER and not agencies:
        raise AuthError("a system_owner token must name at least one agency in its agencies claim")
    return Principal(subject=subject, role=role, agencies=tuple(agencies))
