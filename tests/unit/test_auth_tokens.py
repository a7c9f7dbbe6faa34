"""Bearer tokens: issuing, verifying (HS256, RS256 by PEM, JWKS file and JWKS URL), refusing."""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from services.cli.tokens import create_token, token_group
from services.platform.errors import StartupError
from services.platform.security.auth import (
    AuthConfig,
    AuthError,
    Principal,
    Role,
    TokenVerifier,
    auth_config,
    issue_token,
    local_secret,
)
from services.platform.security.auth_keys import load_public_keys

SECRET = b"s" * 32
NOW = dt.datetime.now(dt.UTC)
HS256 = AuthConfig(hs256_secret=SECRET)


@pytest.fixture(scope="module")
def rsa_keys() -> list[rsa.RSAPrivateKey]:
    return [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)]


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _jwks(keys: list[rsa.RSAPrivateKey]) -> str:
    entries = [
        {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": f"k{i}", "use": "sig"}
        for i, key in enumerate(keys)
    ]
    return json.dumps({"keys": entries})


def _claims(**overrides: Any) -> dict[str, Any]:
    claims = {
        "iss": "vendorwatch",
        "aud": "vendorwatch-api",
        "sub": "alice",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 86_400,  # a day: collection may precede a long test run
        "role": "viewer",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hand_made(alg: str, claims: dict[str, Any], hmac_key: bytes | None) -> str:
    """A token PyJWT refuses to make: unsigned, or HMAC-signed with a public key."""
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
    signature = b"" if hmac_key is None else hmac.digest(hmac_key, signing_input.encode(), "sha256")
    return f"{signing_input}.{_b64(signature)}"


def _refusal(config: AuthConfig, token: str) -> str:
    with pytest.raises(AuthError) as refused:
        TokenVerifier(config).verify(token)
    return str(refused.value)


def test_an_issued_token_names_its_subject_role_and_agencies() -> None:
    token = issue_token(SECRET, subject="bob", role=Role.SYSTEM_OWNER, agencies=["MOD", "MOF"])
    assert TokenVerifier(HS256).verify(token) == Principal("bob", Role.SYSTEM_OWNER, ("MOD", "MOF"))
    unrestricted = issue_token(SECRET, subject="root", role=Role.ADMIN)
    assert TokenVerifier(HS256).principal_from_header(f"Bearer {unrestricted}") == Principal(
        "root", Role.ADMIN, ()
    )


def test_expired_wrongly_signed_and_unsigned_tokens_are_refused() -> None:
    expired = issue_token(SECRET, subject="a", role=Role.VIEWER, now=NOW - dt.timedelta(hours=13))
    assert _refusal(HS256, expired) == "token expired"
    forged = issue_token(b"t" * 32, subject="a", role=Role.ADMIN)
    assert _refusal(HS256, forged) == "token signature is not valid"
    unsigned = _hand_made("none", _claims(role="admin"), hmac_key=None)
    assert _refusal(HS256, unsigned) == "token algorithm 'none' is not accepted; use HS256"
    assert _refusal(HS256, "not-a-token") == "token is not a JWT"


def test_an_hs256_token_keyed_with_the_public_key_is_refused(
    rsa_keys: list[rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    (tmp_path / "keys.pem").write_bytes(_pem(rsa_keys[0]))
    config = AuthConfig(rs256_public_keys=load_public_keys(tmp_path / "keys.pem"))
    confused = _hand_made("HS256", _claims(role="admin"), hmac_key=_pem(rsa_keys[0]))
    assert _refusal(config, confused) == "token algorithm 'HS256' is not accepted; use RS256"


def test_rs256_tokens_verify_against_a_file_of_pem_keys(
    rsa_keys: list[rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    (tmp_path / "keys.pem").write_bytes(b"\n".join(_pem(key) for key in rsa_keys))
    config = auth_config({"VENDORWATCH_JWT_PUBLIC_KEYS": str(tmp_path / "keys.pem")}, None)
    assert config.hs256_secret is None and len(config.rs256_public_keys) == 2
    for key in rsa_keys:
        token = jwt.encode(_claims(agencies=["MOD"]), key, algorithm="RS256")
        assert TokenVerifier(config).verify(token) == Principal("alice", Role.VIEWER, ("MOD",))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(), stranger, algorithm="RS256")
    assert _refusal(config, token) == "token signature is not valid"


def test_rs256_tokens_choose_their_key_from_a_jwks_file_by_kid(
    rsa_keys: list[rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    (tmp_path / "jwks.json").write_text(_jwks(rsa_keys))
    config = auth_config({"VENDORWATCH_JWT_PUBLIC_KEYS": str(tmp_path / "jwks.json")}, None)
    assert [key.key_id for key in config.rs256_public_keys] == ["k0", "k1"]
    token = jwt.encode(_claims(), rsa_keys[1], algorithm="RS256", headers={"kid": "k1"})
    assert TokenVerifier(config).verify(token).subject == "alice"
    mislabelled = jwt.encode(_claims(), rsa_keys[1], algorithm="RS256", headers={"kid": "k0"})
    assert _refusal(config, mislabelled) == "token signature is not valid"
    unknown = jwt.encode(_claims(), rsa_keys[1], algorithm="RS256", headers={"kid": "k9"})
    assert _refusal(config, unknown) == "token key id 'k9' is not among the signing keys"


@pytest.fixture
def jwks_url(rsa_keys: list[rsa.RSAPrivateKey]) -> Iterator[str]:
    body = _jwks(rsa_keys).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keeps the test output to the test's own

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()
    thread.join()


def test_rs256_tokens_verify_against_a_jwks_url(
    rsa_keys: list[rsa.RSAPrivateKey], jwks_url: str
) -> None:
    verifier = TokenVerifier(auth_config({"VENDORWATCH_JWKS_URL": jwks_url}, None))
    for kid, key in (("k0", rsa_keys[0]), ("k1", rsa_keys[1])):
        token = jwt.encode(_claims(role="auditor"), key, algorithm="RS256", headers={"kid": kid})
        assert verifier.verify(token) == Principal("alice", Role.AUDITOR, ())
    unknown = jwt.encode(_claims(), rsa_keys[0], algorithm="RS256", headers={"kid": "k9"})
    with pytest.raises(AuthError, match=r"^token key id 'k9' is not among the signing keys$"):
        verifier.verify(unknown)


def test_an_unreachable_jwks_url_refuses_without_details(
    rsa_keys: list[rsa.RSAPrivateKey],
) -> None:
    verifier = TokenVerifier(AuthConfig(jwks_url="http://127.0.0.1:9/jwks.json"))
    token = jwt.encode(_claims(), rsa_keys[0], algorithm="RS256", headers={"kid": "k0"})
    with pytest.raises(AuthError, match=r"^the token signing keys cannot be fetched; try again"):
        verifier.verify(token)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (_claims(role=None), "token has no role claim"),
        (
            _claims(role="king"),
            "unknown role 'king'; roles are viewer, procurement_officer, system_owner, "
            "risk_analyst, sanction_authority, auditor, admin",
        ),
        (
            _claims(role="system_owner"),
            "a system_owner token must name at least one agency in its agencies claim",
        ),
        (_claims(agencies="MOD"), "token agencies claim must be a list of agency names"),
        (_claims(iss="someone-else"), "token issuer must be 'vendorwatch'"),
        (_claims(aud="another-api"), "token audience must be 'vendorwatch-api'"),
        (_claims(sub=None), "token has no sub claim"),
        (_claims(exp=None), "token has no exp claim"),
    ],
)
def test_tokens_with_unacceptable_claims_are_refused(claims: dict[str, Any], message: str) -> None:
    assert _refusal(HS256, jwt.encode(claims, SECRET, algorithm="HS256")) == message


def test_a_system_owner_token_without_agencies_is_not_issued() -> None:
    with pytest.raises(ValueError, match="system_owner"):
        issue_token(SECRET, subject="a", role=Role.SYSTEM_OWNER)


@pytest.mark.parametrize("header", [None, "", "Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer  "])
def test_a_request_without_a_bearer_token_is_refused(header: str | None) -> None:
    with pytest.raises(AuthError, match=r"^no bearer token"):
        TokenVerifier(HS256).principal_from_header(header)


@pytest.mark.parametrize(
    ("leeway", "said"),
    [
        ("-100", "must not be negative (0 allows no clock skew), not '-100'"),
        ("1.5", "must be a whole number of seconds, not '1.5'"),
        ("thirty", "must be a whole number of seconds, not 'thirty'"),
    ],
)
def test_a_leeway_that_cannot_be_one_says_why(leeway: str, said: str) -> None:
    """-100 was said to be no whole number of seconds, which it is."""
    with pytest.raises(StartupError) as refused:
        auth_config(
            {"VENDORWATCH_JWT_SECRET": "x" * 40, "VENDORWATCH_JWT_LEEWAY_SECONDS": leeway}, None
        )
    assert str(refused.value) == f"VENDORWATCH_JWT_LEEWAY_SECONDS {said}"
    allowed = {"VENDORWATCH_JWT_SECRET": "x" * 40, "VENDORWATCH_JWT_LEEWAY_SECONDS": "0"}
    assert auth_config(allowed, None).leeway_seconds == 0


def test_configuration_errors_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="VENDORWATCH_JWT_SECRET must be at least 32 bytes") as e:
        auth_config({"VENDORWATCH_JWT_SECRET": "short"}, tmp_path)
    assert "short" not in str(e.value)
    with pytest.raises(StartupError, match=r"set VENDORWATCH_JWT_SECRET .* VENDORWATCH_JWKS_URL"):
        auth_config({}, None)
    (tmp_path / "private.pem").write_text("-----BEGIN PRIVATE KEY-----\n...")
    with pytest.raises(StartupError, match=r"VENDORWATCH_JWT_PUBLIC_KEYS: .* holds a private key"):
        auth_config({"VENDORWATCH_JWT_PUBLIC_KEYS": str(tmp_path / "private.pem")}, None)
    config = auth_config(
        {
            "VENDORWATCH_JWT_SECRET": "x" * 40,
            "VENDORWATCH_JWT_ISSUER": "https://idp.example",
            "VENDORWATCH_JWT_AUDIENCE": "registry",
        },
        tmp_path,
    )
    assert (config.hs256_secret, config.issuer, config.audience) == (
        b"x" * 40,
        "https://idp.example",
        "registry",
    )
    assert list(tmp_path.parent.glob(f"{tmp_path.name}.jwt-secret")) == []  # configured wins


def test_the_local_secret_is_created_once_privately_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    secret = local_secret(data_dir)
    path = tmp_path / "data.jwt-secret"
    assert len(secret) == 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret(data_dir) == secret
    assert auth_config({}, data_dir).hs256_secret == secret
    # Beside the data directory (PostgreSQL's initdb wants it empty); no temporary files left.
    assert [p.name for p in tmp_path.iterdir()] == ["data.jwt-secret"]


def test_concurrent_starts_agree_on_one_local_secret(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        created = set(pool.map(lambda _: local_secret(tmp_path), range(16)))
    assert len(created) == 1


def _planted(tmp_path: Path) -> Path:
    """A secret beside `tmp_path / "data"` that someone other than the local secret wrote."""
    path = tmp_path / "data.jwt-secret"
    path.write_bytes(base64.b64encode(b"A" * 48) + b"\n")
    path.chmod(0o600)
    return path


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user takes root")
def test_a_local_secret_another_user_wrote_is_refused(tmp_path: Path) -> None:
    # In a shared folder (/tmp), another user could write the secret first and so sign an
    # administrator's token that the API accepts.
    path = _planted(tmp_path)
    os.chown(path, 65534, 65534)
    with pytest.raises(StartupError) as refused:
        create_token("admin", [], "cli-admin", 12, tmp_path / "data", {})
    assert str(refused.value) == (
        f"the local token secret {path} belongs to uid 65534, not to this user (uid 0):"
        " whoever wrote it can sign any token; run as its owner if it is yours, else delete"
        " it to create a new one (tokens issued with the old one stop working)"
    )
    assert path.read_bytes() == base64.b64encode(b"A" * 48) + b"\n"  # left as it was


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620], ids=lambda mode: f"{mode:04o}")
def test_a_local_secret_open_to_other_users_is_refused(tmp_path: Path, mode: int) -> None:
    path = _planted(tmp_path)
    path.chmod(mode)
    with pytest.raises(StartupError) as refused:
        local_secret(tmp_path / "data")
    assert str(refused.value).startswith(
        f"the local token secret {path} is open to other users (mode {mode:04o}): whoever"
        " can read it can sign any token; `chmod 600` it if no one else could have written it"
    )
    path.chmod(0o600)  # as the message says
    assert local_secret(tmp_path / "data") == b"A" * 48


def test_a_local_secret_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    elsewhere = _planted(tmp_path).rename(tmp_path / "elsewhere")
    (tmp_path / "data.jwt-secret").symlink_to(elsewhere)
    with pytest.raises(StartupError, match=r"data\.jwt-secret: it is a symbolic link, not the"):
        local_secret(tmp_path / "data")


def test_create_token_refuses_rs256_deployments(
    rsa_keys: list[rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    (tmp_path / "keys.pem").write_bytes(_pem(rsa_keys[0]))
    environ = {"VENDORWATCH_JWT_PUBLIC_KEYS": str(tmp_path / "keys.pem")}
    with pytest.raises(StartupError, match="issued by your identity provider"):
        create_token("admin", [], "cli-admin", 12, tmp_path, environ)


def test_the_token_command_prints_a_verifiable_token(tmp_path: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(
        token_group,
        ["create", "--role", "system_owner", "--agency", "MOD", "--data-dir", str(tmp_path)],
        env={"VENDORWATCH_JWT_SECRET": None, "VENDORWATCH_JWT_PUBLIC_KEYS": None},
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    verifier = TokenVerifier(auth_config({}, tmp_path))
    # The agency is in the default subject: two agencies' owners are two callers.
    assert verifier.verify(token) == Principal("cli-system_owner:MOD", Role.SYSTEM_OWNER, ("MOD",))


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["--role", "king"], "Error: Invalid value for '--role': 'king' is not one of 'viewer',"),
        (["--role", "system_owner"], "Error: a system_owner token must name at least one agency"),
        (["--role", "viewer", "--hours", "0"], "Error: the token lifetime must be a positive"),
        *(
            (
                ["--role", "viewer", "--hours", hours],
                "Error: the token lifetime must be a positive number of hours up to 8784 (a year)",
            )
            for hours in ("100000000", "1e9", "inf", "nan", "8784.5")
        ),
    ],
)
def test_the_token_command_refuses_in_one_line(
    tmp_path: Path, arguments: list[str], error: str
) -> None:
    refused = CliRunner().invoke(token_group, ["create", *arguments, "--data-dir", str(tmp_path)])
    assert refused.exit_code != 0 and refused.stdout == ""
    [line] = [line for line in refused.stderr.splitlines() if line.startswith("Error:")]
    assert line.startswith(error)


@pytest.mark.parametrize(
    ("hours", "said"),
    [("8784.0000001", "8784.0000001"), ("8784.5", "8784.5"), ("-2", "-2"), ("inf", "inf")],
)
def test_the_token_command_says_the_lifetime_it_refuses_as_given(
    tmp_path: Path, hours: str, said: str
) -> None:
    """A lifetime just past a year was told in six digits: "…, not 8784", the limit itself."""
    arguments = ["create", "--role", "viewer", "--hours", hours, "--data-dir", str(tmp_path)]
    refused = CliRunner().invoke(token_group, arguments)
    assert refused.exit_code != 0
    assert [line for line in refused.stderr.splitlines() if line.startswith("Error:")] == [
        "Error: the token lifetime must be a positive number of hours up to 8784 (a year),"
        f" not {said}"
    ]


def test_a_verified_token_is_remembered_until_it_expires() -> None:
    verifier = TokenVerifier(AuthConfig(hs256_secret=SECRET, leeway_seconds=0))
    short = issue_token(SECRET, subject="a", role=Role.VIEWER, ttl=dt.timedelta(seconds=2))
    header = f"Bearer {short}"
    assert verifier.remembered(header) is None  # never verified: nothing to remember
    principal = verifier.principal_from_header(header)
    assert verifier.remembered(header) == principal
    assert verifier.remembered(f"Bearer {short}x") is None  # another string, another token
    time.sleep(2.1)
    assert verifier.remembered(header) is None
    with pytest.raises(AuthError, match="token expired"):
        verifier.principal_from_header(header)


def test_a_refused_token_is_not_remembered() -> None:
    verifier = TokenVerifier(HS256)
    forged = issue_token(b"f" * 32, subject="a", role=Role.ADMIN)
    with pytest.raises(AuthError):
        verifier.principal_from_header(f"Bearer {forged}")
    assert verifier.remembered(f"Bearer {forged}") is None


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o703], ids=lambda mode: f"{mode:04o}")
def test_a_local_secret_in_a_directory_others_may_write_is_refused(
    tmp_path: Path, mode: int
) -> None:
    """Another user who may write to the directory holding the secret, or to one above it,
    could rename the secret away and put another in its place; a sticky bit (/tmp's) keeps
    each user's entries theirs."""
    shared = tmp_path / "shared"
    for holder in (shared / "data", shared / "own" / "data"):  # its directory, one above
        shared.mkdir(mode=0o700, exist_ok=True)
        shared.chmod(mode)
        with pytest.raises(StartupError) as refused:
            local_secret(holder)
        assert str(refused.value) == (
            f"the local token secret {holder}.jwt-secret is in {shared}, which other users"
            f" may write to (mode {mode:04o}, no sticky bit): any of them could rename the"
            " secret away and put another in its place; `chmod go-w` the directory if no one"
            " else should write there, else keep the data directory elsewhere"
            " (VENDORWATCH_DATA_DIR)"
        )
        assert list(shared.rglob("*.jwt-secret")) == []  # none created there
    shared.chmod(mode | stat.S_ISVTX)  # as /tmp is
    assert len(local_secret(shared / "data")) == 48
    shared.chmod(mode & ~0o022)  # as the message says
    assert len(local_secret(shared / "data")) == 48
