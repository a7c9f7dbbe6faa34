"""Telling a Kafka client's configuration that cannot work from a broker out of reach.

aiokafka's clients bootstrap by trying each broker given, and when none lets them in raise
KafkaConnectionError ("Unable to bootstrap from ...") whatever the reason, so a process
starting waited for good on what no wait cures: a broker that turned the SASL login down (a
wrong password, an unknown user, a mechanism it does not offer), a broker whose certificate
the CA file does not verify, a broker that wants a SASL login from a process configured
with none. So when a client cannot start, each broker is asked for the reason once more, by
opening a connection to it as the client does; what it says is said as a configuration
error (errors.Misconfigured, errors.Refused).

A process without SASL settings asks a broker whether it wants a login with a SaslHandshake
request, which Kafka answers on any listener before authentication: a SASL listener with the
mechanisms it offers, a PLAINTEXT one with ILLEGAL_SASL_STATE and none. A TLS listener is not
told apart so: it closes a connection that does not speak TLS as a broker going away would.
"""

from __future__ import annotations

import asyncio
import ssl

from aiokafka.conn import AIOKafkaConnection, collect_hosts, create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    IllegalSaslStateError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from aiokafka.protocol.admin import SaslHandShakeRequest

from services.platform.errors import Misconfigured, Refused, StartupError
from services.platform.eventlog.credentials import CA_FILE_ENV, KafkaCredentials

LOGIN_REFUSALS = (
    SaslAuthenticationFailed,
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    UnsupportedSaslMechanismError,
    IllegalSaslStateError,
)
# How long a broker may take to let the connection in or refuse it (a host gone without
# refusing must not hold the process's report of the failure much longer).
ASK_SECONDS = 10.0
# The mechanism a process without SASL settings names in its handshake: any would do, since
# a SASL listener lists the ones it offers whether or not it offers this one.
ASKED_MECHANISM = "PLAIN"


async def unusable(
    bootstrap: str, credentials: KafkaCredentials, error: KafkaError
) -> StartupError:
    """What a client that could not start on `bootstrap` (failing with `error`) says: why
    the first broker that answers cannot be used with this configuration, or Kafka out of
    reach."""
    misconfigured = await refused_login(bootstrap, credentials)
    return misconfigured or StartupError(f"cannot reach Kafka at {bootstrap}: {error}")


async def refused_login(bootstrap: str, credentials: KafkaCredentials) -> Misconfigured | None:
    """Why the first broker that answers cannot be used with this process's configuration,
    if one says so; None when none is reached or none does."""
    for host, port, _ in collect_hosts(bootstrap):
        try:
            async with asyncio.timeout(ASK_SECONDS):
                said = await _ask(host, port, credentials)
        except (OSError, KafkaError, TimeoutError):
            continue  # this one is out of reach: perhaps another answers
        if said is not None:
            return said
    return None


async def _ask(host: str, port: int, credentials: KafkaCredentials) -> Misconfigured | None:
    where = f"Kafka at {host}:{port}"
    try:
        connection = await create_conn(host, port, **credentials.aiokafka_options())
    except LOGIN_REFUSALS as error:
        return Refused(
            f"{where} refused the login of {credentials.username!r}"
            f" ({credentials.protocol} {credentials.mechanism}): {error}"
        )
    except ssl.SSLCertVerificationError as error:
        ca = credentials.ca_file
        trusted = f"{CA_FILE_ENV}={ca}" if ca else "the system's CAs (no CA file given)"
        return Misconfigured(
            f"{where}: its TLS certificate is not verified by {trusted}"
            f" ({error.verify_message}); {CA_FILE_ENV} names the CA that signed it"
        )
    try:
        return None if credentials.sasl else await _wanted_login(connection, where)
    finally:
        connection.close()


async def _wanted_login(connection: AIOKafkaConnection, where: str) -> Misconfigured | None:
    """The broker's wish for a SASL login, which this process has none for."""
    answer = await connection.send(SaslHandShakeRequest(ASKED_MECHANISM))
    if not answer.enabled_mechanisms:
        return None  # a PLAINTEXT listener: no login wanted
    offered = ", ".join(answer.enabled_mechanisms)
    return Misconfigured(
        f"{where} wants a SASL login ({offered}) and this process has none:"
        " set VENDORWATCH_KAFKA_SECURITY_PROTOCOL, _SASL_MECHANISM, _USERNAME and _PASSWORD"
    )
