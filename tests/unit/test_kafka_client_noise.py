"""The Kafka client's complaints while a broker is away: WARNINGs, one line of each kind a
minute, with the count of those it stood for (an operator counted some 400 ERROR lines a
second across a deployment during a broker's outage, where the docs promise only real faults
at ERROR)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from services.platform.operations.logs import KafkaClientNoise
from tests.support.kept_logs import Kept

_NAMES = ("aiokafka.conn", "aiokafka.consumer.fetcher", "vendorwatch.test.noise")


@pytest.fixture
def kept() -> Iterator[Kept]:
    """The loggers' records to one handler, the loggers as they were after."""
    handler = Kept()
    loggers = [logging.getLogger(name) for name in _NAMES]
    before = [(lg.handlers[:], lg.propagate, lg.level) for lg in loggers]
    for logger in loggers:
        logger.handlers[:], logger.propagate = [handler], False
        logger.setLevel(logging.DEBUG)
    yield handler
    for logger, (handlers, propagate, level) in zip(loggers, before, strict=True):
        logger.handlers[:], logger.propagate = handlers, propagate
        logger.setLevel(level)


def test_an_outage_s_errors_are_one_warning_a_minute_each_with_its_count(kept: Kept) -> None:
    now = [0.0]
    kept.addFilter(KafkaClientNoise(window=60.0, clock=lambda: now[0]))
    conn, fetcher, ours = (logging.getLogger(name) for name in _NAMES)

    for second in range(90):
        now[0] = float(second)
        for _ in range(4):
            conn.error("Unable connect to node with id %s: %s", 1, "Connect call failed")
        fetcher.error("Failed fetch messages from %s: %s", 1, "NodeNotReadyError")
    ours.error("a fault of ours")

    said = [(r.name, r.levelname, r.getMessage()) for r in kept.records]
    assert said == [
        ("aiokafka.conn", "WARNING", "Unable connect to node with id 1: Connect call failed"),
        ("aiokafka.consumer.fetcher", "WARNING", "Failed fetch messages from 1: NodeNotReadyError"),
        (
            "aiokafka.conn",
            "WARNING",
            "Unable connect to node with id 1: Connect call failed (and 239 more like it since)",
        ),
        (
            "aiokafka.consumer.fetcher",
            "WARNING",
            "Failed fetch messages from 1: NodeNotReadyError (and 59 more like it since)",
        ),
        ("vendorwatch.test.noise", "ERROR", "a fault of ours"),
    ]
