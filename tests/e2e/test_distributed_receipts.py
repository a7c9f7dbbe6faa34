"""The API in distributed mode (real Kafka and PostgreSQL) does not refuse in its receipt what
the log may not hold yet: a registration sent a moment before is on its way to ingest, so its
vendor's next event is accepted there, and the registry judges it in the log's order (in
embedded mode ingest stores it in the call, and the receipt refuses an unknown vendor, or a
change of a sanction or a contract whose creation the log does not hold)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.event_examples import envelope, example
from tests.support.processes import GraphQLClient, Service, free_port, stop_all, wait_until
from tests.support.slice_checks import SUBMIT

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_an_event_right_after_its_vendors_registration_is_accepted_on_kafka(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    port = free_port()
    # The API alone: no ingest worker stores the registration, as none may have yet.
    api = Service(
        "api",
        ["api", "--kafka", kafka_bootstrap, "--database-url", database_url, "--port", str(port)],
        tmp_path,
    )
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    try:
        wait_until(client.serving, "the API to answer", timeout=90)
        # And a change of a contract, or of a sanction, right after its creation: neither is
        # refused as one the vendor does not have.
        sent = [
            envelope(event_type, example(event_type), "vendor-new")
            for event_type in (
                "vendor.registered",
                "contract.awarded",
                "contract.amended",
                "sanction.imposed",
                "sanction.lifted",
            )
        ]
        receipts = [client.data(SUBMIT, event=event)["submitEvent"] for event in sent]
    except BaseException:
        print(f"--- api\n{api.log_tail()}")
        raise
    finally:
        client.close()
        stop_all([api])
    assert [(r["accepted"], r["errors"]) for r in receipts] == [(True, [])] * len(sent)
