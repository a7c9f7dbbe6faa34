"""Telling a Kafka client's configuration that cannot work from a broker out of reach.

aiokafka's clients bootstrap by trying each broker given, and when none lets them in raise
KafkaConnectionError ("Unable to bootstrap from ...") whatever the reason, so a process
starting waited for good on what no wait cures: a broker that turned the SASL login down (a
wrong password, an unknown user, a mechanism it does not offer), a broker whose certificate
the CA file does not verify, a broker that wants a SASL login from a process configured
with none. So when a client cannot start, each broker is asked for the reason once more, by
opening a connection to it as the client does; what it says is said as a configuration
error (errors.Misconfigured, errors.Refused).

A process without SASL settings asks a broker for the metadata of no topic: a listener that
wants a login closes the connection instead of answering, and a SaslHandshake request on a
new connection, which Kafka answers on any listener before authentication, then lists the
mechanisms it offers (a PLAINTEXT listener answers ILLEGAL_SASL_STATE and none). The
handshake alone would not do: a Kafka-compatible broker may list mechanisms on a listener
that wants no login. A listener that closes a connection not in its protocol (TLS met
without TLS, or plain Kafka met with it) is asked in the other one: a TLS handshake
completed, or an ApiVersions request answered, tells it from a broker gone.
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
from aiokafka.protocol.metadata import MetadataRequest

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
# OpenSSL's verification failures that a setting of this process cures: no CA it was given
# signed the certificate (2, 18-21), or the certificate names another host (62, 64).
CONFIGURATION_VERIFY_CODES = frozenset({2, 18, 19, 20, 21, 62, 64})


async def unusable(
    bootstrap: str, credentials: KafkaCredentials, error: KafkaError
) -> StartupError:
    """What a client that could not start on `bootstrap` (failing with `error`) says: why
    the first broker that answers cannot be used, or Kafka out of reach. Raised from `error`,
    all but a Misconfigured are outages (outages.is_outage), waited on."""
    said = await why_unusable(bootstrap, credentials)
    return said or StartupError(f"cannot reach Kafka at {bootstrap}: {error}")


async def why_unusable(bootstrap: str, credentials: KafkaCredentials) -> StartupError | None:
    """Why the first broker that answers cannot be used: with this process's configuration
    (errors.Misconfigured), or until something on the broker's side is mended (a plain
    StartupError, an outage to wait on, saying what); None when none is reached or none
    says."""
    for host, port, _ in collect_hosts(bootstrap):
        try:
            async with asyncio.timeout(ASK_SECONDS):
                said = await _ask(host, port, credentials)
        except (OSError, KafkaError, TimeoutError):
            # Out of reach (perhaps another answers), or closing on a protocol not its own.
            said = await _other_protocol(host, port, credentials)
        if said is not None:
            return said
    return None


async def _other_protocol(
    host: str, port: int, credentials: KafkaCredentials
) -> Misconfigured | None:
    """Whether a listener that closed on this process speaks the other protocol: TLS to a
    process without it, or plain Kafka to one speaking TLS. Either drops bytes that are not
    its protocol as a broker going away would, and a process starting waited on it for good.
    Said only when the other protocol is answered: the broker is there, and speaks it."""
    where = f"Kafka at {host}:{port}"
    try:
        async with asyncio.timeout(ASK_SECONDS):
            if credentials.protocol == "SASL_SSL":
                plain = await create_conn(host, port)  # answers ApiVersions, before any login
                plain.close()
                return Misconfigured(
                    f"{where} answers without TLS, and this process speaks TLS to it"
                    " (VENDORWATCH_KAFKA_SECURITY_PROTOCOL=SASL_SSL): give the address of its"
                    " TLS listener, or set SASL_PLAINTEXT"
                )
            _, writer = await asyncio.open_connection(host, port, ssl=_ANY_CERTIFICATE)
            writer.close()
    except (OSError, KafkaError, TimeoutError):
        return None  # neither: out of reach
    return Misconfigured(
        f"{where} speaks TLS, and this process does not"
        f" (VENDORWATCH_KAFKA_SECURITY_PROTOCOL={credentials.protocol}): set SASL_SSL, with"
        f" {CA_FILE_ENV} naming its CA, or give the address of its plain listener"
    )


def _any_certificate() -> ssl.SSLContext:
    """A TLS client that verifies nothing: it only asks whether the listener speaks TLS, and
    sends nothing over it."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_ANY_CERTIFICATE = _any_certificate()


async def _ask(host: str, port: int, credentials: KafkaCredentials) -> StartupError | None:
    where = f"Kafka at {host}:{port}"
    try:
        connection = await create_conn(host, port, **credentials.aiokafka_options())
    except LOGIN_REFUSALS as error:
        return Refused(
            f"{where} refused the login of {credentials.username!r}"
            f" ({credentials.protocol} {credentials.mechanism}): {error}"
        )
    except ssl.SSLCertVerificationError as error:
        return _unverified(where, credentials, error)
    try:
        if credentials.sasl or await _answers_unauthenticated(connection):
            return None
    finally:
        connection.close()
    return await _wanted_login(host, port, where)


def _unverified(
    where: str, credentials: KafkaCredentials, error: ssl.SSLCertVerificationError
) -> StartupError:
    """A broker's certificate this process does not verify: signed by a CA it was not given,
    or for another name, is its configuration's (no wait cures it); expired, not valid yet,
    revoked, is the broker's, cured there by a new certificate while this process waits."""
    if error.verify_code not in CONFIGURATION_VERIFY_CODES:
        return StartupError(f"{where}: its TLS certificate is refused ({error.verify_message})")
    ca = credentials.ca_file
    trusted = f"{CA_FILE_ENV}={ca}" if ca else "the system's CAs (no CA file given)"
    return Misconfigured(
        f"{where}: its TLS certificate is not verified by {trusted}"
        f" ({error.verify_message}); {CA_FILE_ENV} names the CA that signed it"
    )


async def _answers_unauthenticated(connection: AIOKafkaConnection) -> bool:
    """Whether the broker answers a request that needs no more than a connection (the
    metadata of no topic): a listener that wants a login closes the connection instead."""
    try:
        await connection.send(MetadataRequest([]))
    except KafkaError:
        return False
    return True


async def _wanted_login(host: str, port: int, where: str) -> Misconfigured | None:
    """The SASL login a broker that would not answer wants, which this process has none for:
    asked on a connection of its own (the last one was closed on it), the handshake lists
    the mechanisms it offers. Asked only of a broker that did not answer: a Kafka-compatible
    broker may list mechanisms on a listener that wants no login."""
    connection = await create_conn(host, port)
    try:
        answer = await connection.send(SaslHandShakeRequest(ASKED_MECHANISM))
    finally:
        connection.close()
    if not answer.enabled_mechanisms:
        return None  # a PLAINTEXT listener, closing for another reason (it was stopping)
    offered = ", ".join(answer.enabled_mechanisms)
    return Misconfigured(
        f"{where} wants a SASL login ({offered}) and this process has none:"
        " set VENDORWATCH_KAFKA_SECURITY_PROTOCOL, _SASL_MECHANISM, _USERNAME and _PASSWORD"
    )
