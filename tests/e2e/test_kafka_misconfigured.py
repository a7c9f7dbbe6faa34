"""A Kafka configuration that cannot work is said at once, not waited on as Kafka out of reach
(aiokafka's bootstrap says that of any failure, and a process starting waited on it for
good): a CA file that does not verify the broker, one that cannot be read or holds no
certificate, no SASL settings for a broker that wants a login, a listener met in the other
protocol (TLS or plain). Each process kind exits 1 with one `Error:` line naming the setting
and why.

The broker is real: SASL/PLAIN on one listener and SASL_SSL on another, its certificate
signed by a CA of the test's own (kafka_tls.py).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.platform.errors import Misconfigured, StartupError
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka import reach
from services.platform.operations.outages import is_outage
from tests.support.kafka_broker import KafkaBroker, SaslPlain, start_kafka_broker
from tests.support.kafka_classpath import DEFAULT_CACHE_DIR
from tests.support.kafka_tls import Certificates, make_certificates
from tests.support.processes import free_port, run_cli

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

ADMIN, ADMIN_PASSWORD = "admin", "admin-secret"
# Said at once: a process that waited on it would run until its time-out.
SAID_WITHIN_SECONDS = 45.0
WAITING_LINE = "start-up waiting for"
UNREACHABLE_KAFKA = "127.0.0.1:1"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="module")
def broker(certificates: Certificates) -> Iterator[KafkaBroker]:
    sasl = SaslPlain({ADMIN: ADMIN_PASSWORD}, keystore=certificates.keystore)
    with start_kafka_broker(DEFAULT_CACHE_DIR, sasl=sasl) as started:
        yield started


def _over_tls(ca_file: Path) -> dict[str, str]:
    return {
        "VENDORWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "VENDORWATCH_KAFKA_SASL_MECHANISM": "PLAIN",
        "VENDORWATCH_KAFKA_USERNAME": ADMIN,
        "VENDORWATCH_KAFKA_PASSWORD": ADMIN_PASSWORD,
        "VENDORWATCH_KAFKA_CA_FILE": str(ca_file),
    }


def _error_at_once(kafka: str, database_url: str, env: dict[str, str]) -> list[str]:
    """Each process kind's one `Error:` line, once it exited 1 without waiting."""
    errors = []
    for command in (["worker", "registry"], ["api", "--port", str(free_port())]):
        started = time.monotonic()
        result = run_cli(
            *command,
            *("--kafka", kafka, "--database-url", database_url),
            timeout=SAID_WITHIN_SECONDS,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("VENDORWATCH_KAFKA_")},
                "VENDORWATCH_KAFKA_NAMESPACE": os.environ["VENDORWATCH_KAFKA_NAMESPACE"],
                **env,
            },
        )
        assert result.returncode == 1, result.stderr
        [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert WAITING_LINE not in result.stderr
        assert ADMIN_PASSWORD not in result.stderr
        assert time.monotonic() - started < SAID_WITHIN_SECONDS
        errors.append(error)
    return errors


def test_a_ca_file_that_does_not_verify_the_broker_is_said_at_once(
    broker: KafkaBroker, certificates: Certificates, database_url: str, namespace: str
) -> None:
    """The broker's certificate signed by another CA than the one given: TLS refuses it,
    and no wait changes that."""
    # The right CA lets the same login in: what fails below is the CA, nothing else.
    right = KafkaCredentials.from_env(_over_tls(certificates.ca_file))
    asyncio.run(reach(broker.tls_bootstrap_servers, right))
    env = _over_tls(certificates.other_ca_file)
    for error in _error_at_once(broker.tls_bootstrap_servers, database_url, env):
        assert (
            f"Kafka at {broker.tls_bootstrap_servers}: its TLS certificate is not verified by"
            f" VENDORWATCH_KAFKA_CA_FILE={certificates.other_ca_file}"
        ) in error, error
        assert "self-signed certificate in certificate chain" in error, error


@pytest.mark.parametrize("problem", ["missing", "no certificate"])
def test_a_ca_file_that_cannot_be_used_is_said_before_connecting(
    problem: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.pem"
    if problem == "no certificate":
        ca_file.write_text("not a certificate\n")
    why = {
        "missing": "no such file or directory",
        "no certificate": "holds no PEM certificate (NO_CERTIFICATE_OR_CRL_FOUND)",
    }[problem]
    for error in _error_at_once(UNREACHABLE_KAFKA, database_url, _over_tls(ca_file)):
        assert error == f"Error: VENDORWATCH_KAFKA_CA_FILE={ca_file}: {why}", error


def test_no_sasl_settings_for_a_broker_that_wants_a_login_is_said_at_once(
    broker: KafkaBroker, database_url: str, namespace: str
) -> None:
    """The broker's SASL_PLAINTEXT listener answers a client without SASL settings and
    closes its connection at the first request that needs a login: told apart from a broker
    gone by asking it whether it wants one."""
    for error in _error_at_once(broker.bootstrap_servers, database_url, {}):
        assert (
            f"Kafka at {broker.bootstrap_servers} wants a SASL login (PLAIN) and this process"
            " has none: set VENDORWATCH_KAFKA_SECURITY_PROTOCOL"
        ) in error, error


def _sasl_plaintext() -> dict[str, str]:
    return {
        "VENDORWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "VENDORWATCH_KAFKA_SASL_MECHANISM": "PLAIN",
        "VENDORWATCH_KAFKA_USERNAME": ADMIN,
        "VENDORWATCH_KAFKA_PASSWORD": ADMIN_PASSWORD,
    }


def test_a_tls_listener_met_without_tls_is_said_at_once(
    broker: KafkaBroker, certificates: Certificates
) -> None:
    """It closes a connection not in TLS as a broker going away would: asked in TLS, it
    answers, and is no outage to wait on."""
    credentials = KafkaCredentials.from_env(_sasl_plaintext())
    asyncio.run(reach(broker.bootstrap_servers, credentials))  # its own listener lets it in
    with pytest.raises(Misconfigured) as raised:
        asyncio.run(reach(broker.tls_bootstrap_servers, credentials))
    assert str(raised.value).startswith(
        f"Kafka at {broker.tls_bootstrap_servers} speaks TLS, and this process does not"
        " (VENDORWATCH_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT): set SASL_SSL"
    ), raised.value
    assert not is_outage(raised.value)


def test_a_plain_listener_met_with_tls_is_said_at_once(
    broker: KafkaBroker, certificates: Certificates
) -> None:
    credentials = KafkaCredentials.from_env(_over_tls(certificates.ca_file))
    asyncio.run(reach(broker.tls_bootstrap_servers, credentials))
    with pytest.raises(Misconfigured) as raised:
        asyncio.run(reach(broker.bootstrap_servers, credentials))
    assert str(raised.value).startswith(
        f"Kafka at {broker.bootstrap_servers} answers without TLS, and this process speaks TLS"
    ), raised.value
    assert not is_outage(raised.value)


def test_a_broker_out_of_reach_is_still_an_outage(certificates: Certificates) -> None:
    """Neither protocol answered: waited on, whatever the process speaks."""
    for env in (_sasl_plaintext(), _over_tls(certificates.ca_file)):
        with pytest.raises(StartupError) as raised:
            asyncio.run(reach(UNREACHABLE_KAFKA, KafkaCredentials.from_env(env)))
        assert not isinstance(raised.value, Misconfigured), raised.value
        assert is_outage(raised.value)
