"""How a process logs in to Kafka. Nobody by default (PLAINTEXT); with SASL, each process kind
has a principal of its own, so that the broker's ACLs decide which topics it may write
(services/platform/README.md, "Who may write what")."""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.platform.errors import Misconfigured, StartupError

PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL")
PROTOCOL_ENV = "VENDORWATCH_KAFKA_SECURITY_PROTOCOL"
MECHANISM_ENV = "VENDORWATCH_KAFKA_SASL_MECHANISM"
USERNAME_ENV = "VENDORWATCH_KAFKA_USERNAME"
PASSWORD_ENV = "VENDORWATCH_KAFKA_PASSWORD"
CA_FILE_ENV = "VENDORWATCH_KAFKA_CA_FILE"
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


@dataclass(frozen=True)
class KafkaCredentials:
    protocol: str = "PLAINTEXT"
    mechanism: str = "PLAIN"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # The CA that signed the brokers' certificates (SASL_SSL); None: the system's CAs.
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        # Each refusal names the variables an operator changes (from_env reads them), and
        # only whether a password is set, never its value.
        if self.protocol not in PROTOCOLS:
            raise StartupError(
                f"Kafka security protocol {self.protocol!r} ({PROTOCOL_ENV}): one of"
                f" {', '.join(PROTOCOLS)}"
            )
        if self.mechanism not in MECHANISMS:
            raise StartupError(
                f"Kafka SASL mechanism {self.mechanism!r} ({MECHANISM_ENV}): one of"
                f" {', '.join(MECHANISMS)}"
            )
        login = {USERNAME_ENV: bool(self.username), PASSWORD_ENV: bool(self.password)}
        if self.sasl and not all(login.values()):
            unset = _are([name for name, given in login.items() if not given])
            raise StartupError(
                f"Kafka security protocol {self.protocol} ({PROTOCOL_ENV}) needs a username and"
                f" a password: {unset} not set"
            )
        # A username without SASL would otherwise connect anonymously without a word.
        if not self.sasl and any(login.values()):
            given = _are([name for name, given in login.items() if given])
            raise StartupError(
                f"{given} set, which needs a SASL security protocol ({PROTOCOL_ENV}:"
                f" SASL_PLAINTEXT or SASL_SSL; it is {self.protocol})"
            )
        if self.ca_file is not None and self.protocol != "SASL_SSL":
            raise StartupError(
                f"{CA_FILE_ENV} is set, which needs the SASL_SSL security protocol"
                f" ({PROTOCOL_ENV} is {self.protocol})"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KafkaCredentials:
        env = os.environ if environ is None else environ
        ca_file = env.get(CA_FILE_ENV)
        return cls(
            protocol=env.get(PROTOCOL_ENV) or "PLAINTEXT",
            mechanism=env.get(MECHANISM_ENV) or "PLAIN",
            username=env.get(USERNAME_ENV) or None,
            password=env.get(PASSWORD_ENV) or None,
            ca_file=Path(ca_file) if ca_file else None,
        )

    @property
    def sasl(self) -> bool:
        return self.protocol != "PLAINTEXT"

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context of a client about to be built. A CA file that is missing,
        unreadable or holds no certificate is said here, before any connection (each failed
        with an OSError, which a process starting took for Kafka out of reach and waited on
        for good), and only by what builds a Kafka client: a command that never reaches
        Kafka runs in an environment whose CA file is not mounted for it."""
        if self.protocol != "SASL_SSL":
            return None
        try:
            return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        except ssl.SSLError as error:  # read, but no PEM certificate in it
            why = f"holds no PEM certificate ({error.reason or error})"
        except OSError as error:
            why = (error.strerror or str(error)).lower()
        raise Misconfigured(f"{CA_FILE_ENV}={self.ca_file}: {why}")

    def aiokafka_options(self) -> dict[str, Any]:
        """Keyword arguments for every aiokafka producer, consumer and admin client (aiokafka
        takes the SCRAM credentials in its `sasl_plain_*` arguments too)."""
        if not self.sasl:
            return {}
        return {
            "security_protocol": self.protocol,
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
            "ssl_context": self.ssl_context(),
        }


def _are(names: list[str]) -> str:
    """`A is`, `A and B are`: the variables a refusal names."""
    return f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'}"
