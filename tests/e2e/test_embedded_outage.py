"""`vendorwatch up` through a PostgreSQL outage, as an operator's `pg_ctl stop -m immediate`
(or a crash, or a failover) makes one: meanwhile the API answers that the database is out of
reach (`UNAVAILABLE`, which the console says in the user's words), not a fault of ours with a
traceback per request; afterwards every LISTEN is back, so events wake the consumers and the
live fan-out at once rather than at their polls, and no loop sits out the rest of its back-off;
and SIGTERM still stops it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.postgres import count_now
from tests.support.postgres_outage import StoppablePostgres
from tests.support.processes import GraphQLClient, Service, free_port, wait_until

pytestmark = [pytest.mark.postgres]

VENDOR = 'query { vendor(vendorId: "vendor-k") { legalName } }'
REGISTER = """
mutation ($id: ID!, $vendor: VendorRegisteredInput!) {
  registerVendor(vendorId: $id, payload: $vendor, waitForProcessing: true) {
    accepted processing { appliedBy pending } } }"""


def _listening(database_url: str) -> int:
    """How many of the database's sessions LISTEN (their last statement)."""
    return count_now(
        database_url,
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND query LIKE 'LISTEN %'",
    )


def _vendor(name: str) -> dict[str, object]:
    return {"legalName": name, "identifiers": [{"scheme": "internal", "value": name}]}


def test_up_rides_out_a_postgres_outage_and_still_stops(
    server: StoppablePostgres, tmp_path: Path
) -> None:
    database_url = asyncio.run(server.database())
    port = free_port()
    up = Service(
        "up",
        ["up", "--database-url", database_url, "--port", str(port)],
        tmp_path,
        # Back-offs of a minute from the first failure: the loops must come back when
        # PostgreSQL does, not when their waits end (the registry's would outlast the 10 s a
        # receipt waits for processing).
        env={"VENDORWATCH_RETRY_FIRST_SECONDS": "60", "VENDORWATCH_RETRY_MAX_SECONDS": "60"},
    )
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    try:
        wait_until(client.serving, "the API to answer", 60)
        first = client.data(REGISTER, id="vendor-k", vendor=_vendor("Vendor K"))
        assert first["registerVendor"]["processing"]["appliedBy"] == ["REGISTRY"]
        listeners = _listening(database_url)
        assert listeners >= 2, listeners  # the consumers', the live fan-out's, …

        server.stop_immediately()
        down = client.execute(VENDOR)
        (error,) = down["errors"]
        assert error["extensions"] == {"code": "UNAVAILABLE"}, error
        assert "database is out of reach" in error["message"]
        assert "idempotencyKey" not in error["message"]  # a query recorded nothing
        recording = client.execute(REGISTER, id="vendor-m", vendor=_vendor("Vendor M"))
        (error,) = recording["errors"]
        assert error["extensions"] == {"code": "UNAVAILABLE"}, error
        assert "send it again with the same idempotencyKey" in error["message"]
        assert client.healthy()  # waiting for PostgreSQL, not a process to restart
        export = client.get("/exports/exclusions.csv")
        assert export.status_code == 503 and export.headers["retry-after"] == "5", export.text
        assert export.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}

        server.start()
        wait_until(lambda: "errors" not in client.execute(VENDOR), "the API to read again", 60)
        wait_until(lambda: _listening(database_url) == listeners, "every LISTEN back", 30)
        again = client.data(REGISTER, id="vendor-l", vendor=_vendor("Vendor L"))
        assert again["registerVendor"]["processing"]["appliedBy"] == ["REGISTRY"]
        # Each loop said once that it waits, in a line; nothing was taken for a fault of ours.
        log = up.log_path.read_text(errors="replace")
        assert '"level": "ERROR"' not in log and "Traceback" not in log, up.log_tail()
    except BaseException:
        print(f"--- up\n{up.log_tail()}")
        raise
    finally:
        client.close()
        # Stopping after the outage: it stayed up retrying a listener's clean-up before.
        code = up.stop()
    assert code == 0, up.log_tail()
