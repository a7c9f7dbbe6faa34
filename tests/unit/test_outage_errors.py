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

from services.platform.operations.outages import is_outage, out_of_reach


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError("refused"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
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


def _raised_while_handling(handled: BaseException, raised: BaseException) -> BaseException:
    try:
        try:
            raise handled
        except type(handled):
            raise raised  # noqa: B904 - the context is the point
    except type(raised) as error:
        return error


@pytest.mark.parametrize(
    ("error", "what"),
    [
        (
            asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
            "the database",
        ),
        (ConnectionRefusedError(111, "Connection refused"), "the database"),
        (FileNotFoundError(2, "No such file or directory"), "the database"),  # its socket gone
        (FileNotFoundError(2, "No such file or directory", "/etc/policies.toml"), None),
        (TimeoutError(), None),
        (PermissionError(13, "Permission denied"), None),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            None,
        ),
        (ValueError("a bug"), None),
        (KafkaTimeoutError(), "the event log"),
    ],
    ids=[
        "starting-up",
        "refused",
        "socket-gone",
        "a-file",
        "timeout",
        "permission",
        "interface",
        "bug",
        "broker",
    ],
)
def test_a_request_is_told_to_try_again_only_for_a_dependency_out_of_reach(
    error: BaseException, what: str | None
) -> None:
    """`UNAVAILABLE` ("try again shortly") for what a restart of PostgreSQL or the broker
    raises; any other error is a fault of ours, logged with its traceback and an id."""
    assert out_of_reach(error) == what
    # A bug raised while an outage was being handled is the bug, not the outage.
    raised_from = ValueError("a bug")
    raised_from.__cause__ = error
    assert out_of_reach(raised_from) == what
    assert out_of_reach(_raised_while_handling(error, ValueError("a bug"))) is None
