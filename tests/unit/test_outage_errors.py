"""Telling a dependency out of reach from a fault (platform/operations/outages.py): workers wait out
the first and report the second, with aiokafka looked up only once a process has loaded it."""

from __future__ import annotations

import subprocess
import sys

import asyncpg
import pytest
from aiokafka.errors import (
    IllegalStateError,
    KafkaConnectionError,
    KafkaTimeoutError,
    RequestTimedOutError,
)

from services.platform.operations.outages import is_outage


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError("refused"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        KafkaTimeoutError(),
        KafkaConnectionError("broker gone"),
        RequestTimedOutError(),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_dependency_out_of_reach_is_an_outage(error: BaseException) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [ValueError("bad payload"), IllegalStateError("not retriable"), KeyError("vendor_id")],
    ids=lambda error: type(error).__name__,
)
def test_a_fault_retrying_cannot_cure_is_not(error: BaseException) -> None:
    assert not is_outage(error)


def test_an_outage_behind_another_error_is_found_through_its_cause() -> None:
    try:
        try:
            raise KafkaConnectionError("broker gone")
        except KafkaConnectionError as cause:
            raise RuntimeError("the batch failed") from cause
    except RuntimeError as error:
        assert is_outage(error)


def test_a_process_without_kafka_tells_outages_without_importing_aiokafka() -> None:
    probe = (
        "import sys; from services.platform.operations.outages import is_outage;"
        " print(is_outage(ConnectionResetError()), is_outage(ValueError()),"
        " 'aiokafka' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False"]
