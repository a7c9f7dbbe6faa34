"""A broker certificate a process does not verify: its configuration's fault when no CA it
was given signed it (exit at once, errors.Misconfigured), the broker's when the certificate
has expired (renewed there, the process goes on: an outage it waits on, saying why).

Real TLS handshakes with a listener holding the test CA's certificates (kafka_tls.py):
verification is the handshake's, before anything Kafka says.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError

from services.platform.errors import Misconfigured, StartupError
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka_login import why_unusable
from services.platform.operations.outages import is_outage
from tests.support.kafka_tls import Certificates, make_certificates


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certificates"))


@asynccontextmanager
async def _tls_listener(keystore: Path) -> AsyncIterator[str]:
    """A TLS listener on 127.0.0.1 presenting the keystore's certificate; its address."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(keystore)

    async def hang_up(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0, ssl=context)
    async with server:
        host, port = server.sockets[0].getsockname()[:2]
        yield f"{host}:{port}"


def _credentials(ca_file: Path) -> KafkaCredentials:
    return KafkaCredentials(
        protocol="SASL_SSL", username="ingest", password="secret", ca_file=ca_file
    )


def _raised(said: StartupError) -> StartupError:
    """`said` as a client's start raises it: from aiokafka's bootstrap failure."""
    try:
        raise said from KafkaConnectionError("Unable to bootstrap")
    except StartupError as raised:
        return raised


async def test_an_expired_broker_certificate_is_waited_on_saying_so(
    certificates: Certificates,
) -> None:
    async with _tls_listener(certificates.expired_keystore) as address:
        said = await why_unusable(address, _credentials(certificates.ca_file))
    assert said is not None
    assert not isinstance(said, Misconfigured)
    assert (
        str(said) == f"Kafka at {address}: its TLS certificate is refused (certificate has expired)"
    )
    assert is_outage(_raised(said))


async def test_a_broker_certificate_no_given_ca_signed_is_the_configuration(
    certificates: Certificates,
) -> None:
    async with _tls_listener(certificates.keystore) as address:
        assert await why_unusable(address, _credentials(certificates.ca_file)) is None
        said = await why_unusable(address, _credentials(certificates.other_ca_file))
    assert isinstance(said, Misconfigured)
    assert "its TLS certificate is not verified by VENDORWATCH_KAFKA_CA_FILE=" in str(said)
    assert not is_outage(_raised(said))
