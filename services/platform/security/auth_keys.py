"""Token keys: RS256 public keys from a file (PEM blocks or a JWKS), the local HS256 secret."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from services.platform.errors import StartupError

MIN_SECRET_BYTES = 32
LOCAL_SECRET_SUFFIX = ".jwt-secret"

_PEM_BLOCK = re.compile(
    rb"-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----.+?-----END \1-----", re.DOTALL
)


@dataclass(frozen=True)
class PublicKey:
    key: RSAPublicKey
    # PEM keys carry no key id; such a key is tried for every RS256 token.
    key_id: str | None = None


def load_public_keys(path: Path) -> tuple[PublicKey, ...]:
    """The RSA public keys in `path`; StartupError naming the file when there are none usable."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise StartupError(
            f"VENDORWATCH_JWT_PUBLIC_KEYS: cannot read {path}: {error.strerror}"
        ) from None
    keys = (
        _from_jwks(path, content) if content.lstrip().startswith(b"{") else _from_pem(path, content)
    )
    if not keys:
        raise StartupError(f"VENDORWATCH_JWT_PUBLIC_KEYS: {path} holds no RSA public key for RS256")
    return keys


def _from_pem(path: Path, content: bytes) -> tuple[PublicKey, ...]:
    if b"PRIVATE KEY-----" in content:
        # Refused outright: the server only verifies, and a private key here is a leak in waiting.
        raise StartupError(
            f"VENDORWATCH_JWT_PUBLIC_KEYS: {path} holds a private key; "
            "configure the public key only"
        )
    keys = []
    for block in _PEM_BLOCK.finditer(content):
        try:
            if block.group(1) == b"CERTIFICATE":
                key: Any = x509.load_pem_x509_certificate(block.group(0)).public_key()
            else:
                key = load_pem_public_key(block.group(0))
        except ValueError as error:
            raise StartupError(
                f"VENDORWATCH_JWT_PUBLIC_KEYS: {path} has a malformed PEM block: {error}"
            ) from None
        if not isinstance(key, RSAPublicKey):
            raise StartupError(
                f"VENDORWATCH_JWT_PUBLIC_KEYS: {path} holds a {type(key).__name__}; "
                "only RSA keys (RS256) are accepted"
            )
        keys.append(PublicKey(key))
    return tuple(keys)


def _from_jwks(path: Path, content: bytes) -> tuple[PublicKey, ...]:
    try:
        entries = json.loads(content)["keys"]
    except (ValueError, KeyError, TypeError):
        raise StartupError(
            f"VENDORWATCH_JWT_PUBLIC_KEYS: {path} is not a JWKS (a JSON object with a 'keys' list)"
        ) from None
    keys = []
    for entry in entries if isinstance(entries, list) else []:
        # Identity providers publish encryption and non-RSA keys alongside signing keys.
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use") == "enc":
            continue
        if entry.get("alg", "RS256") != "RS256":
            continue
        try:
            key = PyJWK(entry, algorithm="RS256").key
        except PyJWTError as error:
            raise StartupError(
                f"VENDORWATCH_JWT_PUBLIC_KEYS: {path} has an unusable key "
                f"{entry.get('kid')!r}: {error}"
            ) from None
        keys.append(PublicKey(key, entry.get("kid")))
    return tuple(keys)


def local_secret_path(data_dir: Path) -> Path:
    """Beside the data directory, not in it: the embedded PostgreSQL's initdb wants an empty
    directory on first start, and the secret is not PostgreSQL's business."""
    return data_dir.parent / f"{data_dir.name}{LOCAL_SECRET_SUFFIX}"


def local_secret(data_dir: Path) -> bytes:
    """The embedded mode's HS256 secret for `data_dir`, created on first use and kept after;
    StartupError for a file another user could have written or can read (`_private`), or
    could swap for another (`_guarded`)."""
    path = local_secret_path(data_dir.expanduser().resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    _guarded(path)
    if not path.exists():
        # mkstemp creates the file 0600; linking the complete file into place is atomic and
        # fails if another process got there first, so concurrent starts all read one secret.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(base64.b64encode(secrets.token_bytes(48)) + b"\n")
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    try:
        # Not through a symbolic link: the file checked is then the file read.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as file:
            _private(path, os.fstat(file.fileno()))
            secret = base64.b64decode(file.read().strip(), validate=True)
    except (OSError, binascii.Error) as error:
        said = "it is a symbolic link, not the file itself" if path.is_symlink() else error
        raise StartupError(f"cannot read the local token secret {path}: {said}") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise StartupError(
            f"the local token secret {path} is too short; delete it to create a new one "
            "(tokens issued with the old one stop working)"
        )
    return secret


def _private(path: Path, status: os.stat_result) -> None:
    """Refuses a secret file that is not this user's alone. Whoever wrote the secret signs
    any token the API accepts, an administrator's too, and whoever reads it can: beside a
    data directory in a shared folder (/tmp), another user could have put it there first."""
    new = "delete it to create a new one (tokens issued with the old one stop working)"
    if not stat.S_ISREG(status.st_mode):
        raise StartupError(f"the local token secret {path} is not a regular file; {new}")
    if status.st_uid != os.geteuid():
        raise StartupError(
            f"the local token secret {path} belongs to uid {status.st_uid}, not to this user"
            f" (uid {os.geteuid()}): whoever wrote it can sign any token; run as its owner if"
            f" it is yours, else {new}"
        )
    if status.st_mode & 0o077:
        raise StartupError(
            f"the local token secret {path} is open to other users (mode"
            f" {stat.S_IMODE(status.st_mode):04o}): whoever can read it can sign any token;"
            f" `chmod 600` it if no one else could have written it, else {new}"
        )


def _guarded(path: Path) -> None:
    """Refuses a secret in a directory that another user may write to, or below one: such a
    user could rename the secret away and put another in its place (or the directory holding
    it), between the checks of one start and the next, or before `vendorwatch token create`
    reads it. A directory with the sticky bit (/tmp) lets each user rename only their own."""
    for directory in (path.parent, *path.parent.parents):
        mode = os.stat(directory).st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH) and not mode & stat.S_ISVTX:
            raise StartupError(
                f"the local token secret {path} is in {directory}, which other users may write"
                f" to (mode {stat.S_IMODE(mode):04o}, no sticky bit): any of them could rename"
                " the secret away and put another in its place; `chmod go-w` the directory if"
                " no one else should write there, else keep the data directory elsewhere"
                " (VENDORWATCH_DATA_DIR)"
            )
