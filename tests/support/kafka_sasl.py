"""SASL/PLAIN and the StandardAuthorizer for the test broker: its users and its settings, and
a SASL_SSL listener beside the SASL_PLAINTEXT one when it is given a key and certificate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SaslPlain:
    """SASL/PLAIN on both listeners, and the StandardAuthorizer. ``super_user`` is the broker's
    own login (to itself and to its controller) and may do anything; every other user may do
    only what ACLs grant it."""

    users: Mapping[str, str]  # name → password
    super_user: str = "admin"
    # The broker's private key and certificate chain in one PEM file (kafka_tls.py): clients
    # may then log in over TLS too (SASL_SSL), on a port of its own.
    keystore: Path | None = None

    def jaas(self, login: str) -> str:
        """A PlainLoginModule line that logs in as ``login`` and accepts every user."""
        accepted = " ".join(f'user_{name}="{password}"' for name, password in self.users.items())
        return (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{login}" password="{self.users[login]}" {accepted};'
        )


def sasl_properties(
    sasl: SaslPlain, port: int, controller_port: int, tls_port: int | None = None
) -> dict[str, str]:
    properties = {
        "listeners": f"SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"SASL_PLAINTEXT://127.0.0.1:{port}",
        "inter.broker.listener.name": "SASL_PLAINTEXT",
        # The controller listener too: with PLAINTEXT there, the broker would reach its
        # controller as User:ANONYMOUS, which would then have to be a super user.
        "listener.security.protocol.map": "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": "PLAIN",
        "sasl.mechanism.inter.broker.protocol": "PLAIN",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config": sasl.jaas(sasl.super_user),
        "listener.name.controller.plain.sasl.jaas.config": sasl.jaas(sasl.super_user),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": f"User:{sasl.super_user}",
    }
    if sasl.keystore is not None and tls_port is not None:
        # The SASL_PLAINTEXT listener stays the broker's own (and the readiness probe's).
        tls = f"SASL_SSL://127.0.0.1:{tls_port}"
        properties.update(
            {
                "listeners": f"{properties['listeners']},{tls}",
                "advertised.listeners": f"{properties['advertised.listeners']},{tls}",
                "listener.security.protocol.map": properties["listener.security.protocol.map"]
                + ",SASL_SSL:SASL_SSL",
                "listener.name.sasl_ssl.plain.sasl.jaas.config": sasl.jaas(sasl.super_user),
                "ssl.keystore.type": "PEM",
                "ssl.keystore.location": str(sasl.keystore),
            }
        )
    return properties
