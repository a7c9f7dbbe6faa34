"""Kafka credentials from the environment reach every client, and the `readers` of topics.toml
(which the ACLs grant) are what the workers really consume, in the groups the ACLs name."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cli.workers import WORKERS, register
from services.platform.errors import Misconfigured, StartupError
from services.platform.eventlog.credentials import CA_FILE_ENV, KafkaCredentials
from services.platform.eventlog.faust_runtime import WorkerResources, build_app
from services.platform.eventlog.topics import TOPICS, consumer_group
from services.platform.operations.outages import is_outage
from services.platform.settings import Settings

SASL = {
    "VENDORWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "VENDORWATCH_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "VENDORWATCH_KAFKA_USERNAME": "ingest",
    "VENDORWATCH_KAFKA_PASSWORD": "secret",
}


def test_without_settings_a_process_connects_as_before() -> None:
    assert KafkaCredentials.from_env({}).aiokafka_options() == {}


def test_sasl_settings_become_client_options() -> None:
    assert KafkaCredentials.from_env(SASL).aiokafka_options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "ingest",
        "sasl_plain_password": "secret",
        "ssl_context": None,
    }


@pytest.mark.parametrize(
    "environ",
    [
        {"VENDORWATCH_KAFKA_SECURITY_PROTOCOL": "SSL"},
        {**SASL, "VENDORWATCH_KAFKA_SASL_MECHANISM": "GSSAPI"},
        {**SASL, "VENDORWATCH_KAFKA_PASSWORD": ""},
        {"VENDORWATCH_KAFKA_USERNAME": "ingest", "VENDORWATCH_KAFKA_PASSWORD": "secret"},
        {**SASL, "VENDORWATCH_KAFKA_CA_FILE": "/etc/ca.pem"},
    ],
)
def test_incomplete_or_unknown_settings_are_refused(environ: dict[str, str]) -> None:
    with pytest.raises(StartupError):
        KafkaCredentials.from_env(environ)


PROTOCOL, MECHANISM = "VENDORWATCH_KAFKA_SECURITY_PROTOCOL", "VENDORWATCH_KAFKA_SASL_MECHANISM"
USERNAME, PASSWORD = "VENDORWATCH_KAFKA_USERNAME", "VENDORWATCH_KAFKA_PASSWORD"


@pytest.mark.parametrize(
    ("environ", "said"),
    [
        (
            {PROTOCOL: "BOGUS"},
            "Kafka security protocol 'BOGUS' (VENDORWATCH_KAFKA_SECURITY_PROTOCOL): one of"
            " PLAINTEXT, SASL_PLAINTEXT, SASL_SSL",
        ),
        (
            {**SASL, MECHANISM: "GSSAPI"},
            "Kafka SASL mechanism 'GSSAPI' (VENDORWATCH_KAFKA_SASL_MECHANISM): one of PLAIN,"
            " SCRAM-SHA-256, SCRAM-SHA-512",
        ),
        (
            {**SASL, PASSWORD: ""},
            "Kafka security protocol SASL_PLAINTEXT (VENDORWATCH_KAFKA_SECURITY_PROTOCOL) needs"
            " a username and a password: VENDORWATCH_KAFKA_PASSWORD is not set",
        ),
        (
            {PROTOCOL: "SASL_SSL"},
            "Kafka security protocol SASL_SSL (VENDORWATCH_KAFKA_SECURITY_PROTOCOL) needs a"
            " username and a password: VENDORWATCH_KAFKA_USERNAME and"
            " VENDORWATCH_KAFKA_PASSWORD are not set",
        ),
        (
            {PASSWORD: "secret"},
            "VENDORWATCH_KAFKA_PASSWORD is set, which needs a SASL security protocol"
            " (VENDORWATCH_KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT or SASL_SSL; it is"
            " PLAINTEXT)",
        ),
        (
            {**SASL, CA_FILE_ENV: "/etc/ca.pem"},
            "VENDORWATCH_KAFKA_CA_FILE is set, which needs the SASL_SSL security protocol"
            " (VENDORWATCH_KAFKA_SECURITY_PROTOCOL is SASL_PLAINTEXT)",
        ),
    ],
)
def test_a_refusal_names_the_variables_to_change(environ: dict[str, str], said: str) -> None:
    """An operator is told which VENDORWATCH_KAFKA_* variable to change (a tester's finding:
    three refusals named none), and never a password's value."""
    with pytest.raises(StartupError) as refused:
        KafkaCredentials.from_env(environ)
    assert str(refused.value) == said
    assert "secret" not in str(refused.value)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "no such file or directory"),
        ("not a certificate\n", "holds no PEM certificate (NO_CERTIFICATE_OR_CRL_FOUND)"),
    ],
)
def test_a_ca_file_that_cannot_be_used_is_said_with_its_setting(
    content: str | None, why: str, tmp_path: Path
) -> None:
    """When a client is built, before any connection: each would fail with an OSError,
    which a process starting takes for Kafka out of reach. Not before: a command that never
    reaches Kafka runs where the file is not mounted for it."""
    ca_file = tmp_path / "ca.pem"
    if content is not None:
        ca_file.write_text(content)
    credentials = KafkaCredentials.from_env(
        {**SASL, "VENDORWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", CA_FILE_ENV: str(ca_file)}
    )
    with pytest.raises(Misconfigured) as raised:
        credentials.aiokafka_options()
    assert str(raised.value) == f"VENDORWATCH_KAFKA_CA_FILE={ca_file}: {why}"
    assert not is_outage(raised.value)


@pytest.mark.parametrize("service", sorted(WORKERS))
def test_workers_consume_their_topics_toml_readers_as_their_principal(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in SASL.items():
        monkeypatch.setenv(key, value)
    settings = Settings(database_url="unused", kafka_bootstrap="kafka:9092")
    resources = WorkerResources(settings, service)
    app = build_app(service, resources)
    register(service, app, resources)
    consumed = set(resources.batches.handlers)
    assert consumed == {spec.name for spec in TOPICS.values() if service in spec.readers}
    options = resources.batches.consumer_options("kafka:9092", settings.kafka_credentials)
    assert options["group_id"] == consumer_group(service)
    assert (options["sasl_plain_username"], options["sasl_mechanism"]) == (
        "ingest",
        "SCRAM-SHA-512",
    )
