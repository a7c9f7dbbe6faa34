"""The Kafka addresses a process is given are refused only when no broker could ever answer
at one (eventlog/bootstrap.py): every form aiokafka reads is let through."""

from __future__ import annotations

import pytest

from services.platform.errors import Misconfigured
from services.platform.eventlog.bootstrap import bootstrap_problem, checked_bootstrap


@pytest.mark.parametrize(
    "bootstrap",
    ["kafka:9092", "kafka", "k1:9092,k2:9093", " k1:9092 , k2 ", "[::1]:9092", "[::1]", "::1"],
)
def test_every_form_aiokafka_reads_is_let_through(bootstrap: str) -> None:
    assert bootstrap_problem(bootstrap) is None
    assert checked_bootstrap(bootstrap) == bootstrap


@pytest.mark.parametrize(
    ("bootstrap", "why"),
    [
        ("kafka:99999", "'kafka:99999' has port 99999, out of range (1-65535)"),
        ("kafka:0", "'kafka:0' has port 0, out of range (1-65535)"),
        ("kafka:-1", "'kafka:-1' has port '-1', not a number"),
        ("kafka:", "'kafka:' has port '', not a number"),
        ("k1:9092,:9093", "':9093' names no host"),
        ("k1:9092,", "'' names no host"),
        ("[::1:9092", "'[::1:9092' is not HOST:PORT or [IPv6]:PORT"),
        ("[::1]9092", "'[::1]9092' is not HOST:PORT or [IPv6]:PORT"),
        (
            "kafka://localhost:9092",
            "'kafka://localhost:9092' is a URL: write the broker as HOST:PORT"
            " ('localhost:9092'), without 'kafka://'",
        ),
        (
            "k1:9092,PLAINTEXT://k2:9092/",
            "'PLAINTEXT://k2:9092/' is a URL: write the broker as HOST:PORT ('k2:9092'),"
            " without 'PLAINTEXT://', and the protocol in VENDORWATCH_KAFKA_SECURITY_PROTOCOL",
        ),
    ],
)
def test_an_address_no_broker_can_answer_at_is_named_with_why(bootstrap: str, why: str) -> None:
    assert bootstrap_problem(bootstrap) == why
    with pytest.raises(Misconfigured) as refused:
        checked_bootstrap(bootstrap)
    assert str(refused.value) == f"KAFKA_BOOTSTRAP_SERVERS / --kafka: {why}"
