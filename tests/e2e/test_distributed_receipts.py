"""The API in distributed mode (real Kafka and PostgreSQL) does not refuse in its receipt what
the log may not hold yet: a registration sent a moment before is on its way to ingest, so its
vendor's next event is accepted there, and the registry judges it in the log's order (in
embedded mode ingest stores it in the call, and the receipt refuses an unknown vendor, or a
change of a sanction or a contract whose creation the log does not hold). A receipt waiting for
an event no ingest stores says the wait ran out, the event still waiting for ingest."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.event_examples import envelope, example
from tests.support.processes import GraphQLClient, Service, free_port, stop_all, wait_until
from tests.support.slice_checks import SUBMIT

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

REGISTER_AND_WAIT = """
mutation ($vendor: VendorRegisteredInput!) {
  registerVendor(vendorId: "vendor-lost", payload: $vendor, waitForProcessing: true) {
    accepted eventId processingTimedOut
    processing { accepted recordedAt appliedBy refusedBy pending } } }"""
STATUS_OF_SENT = """
query ($id: ID!) { eventStatus(eventId: $id) { accepted appliedBy refusedBy pending } }"""


@contextlib.contextmanager
def api_alone(
    kafka_bootstrap: str, database_url: str, tmp_path: Path, timeout: float = 10
) -> Iterator[GraphQLClient]:
    """The API alone, answering: no ingest worker stores what it sends. Its log is printed
    when the block fails."""
    port = free_port()
    api = Service(
        "api",
        ["api", "--kafka", kafka_bootstrap, "--database-url", database_url, "--port", str(port)],
        tmp_path,
    )
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql", timeout=timeout)
    try:
        wait_until(client.serving, "the API to answer", timeout=90)
        yield client
    except BaseException:
        print(f"--- api\n{api.log_tail()}")
        raise
    finally:
        client.close()
        stop_all([api])


def test_an_event_right_after_its_vendors_registration_is_accepted_on_kafka(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    # The API alone: no ingest worker stores the registration, as none may have yet.
    with api_alone(kafka_bootstrap, database_url, tmp_path) as client:
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
    assert [(r["accepted"], r["errors"]) for r in receipts] == [(True, [])] * len(sent)


def test_a_receipt_whose_event_never_reaches_the_log_says_it_waits_for_ingest(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    """No ingest reads what the API sends (none running, or one in another
    VENDORWATCH_KAFKA_NAMESPACE): the receipt's wait runs out and says so, the event still
    pending at ingest and then at the registry, and `eventStatus` says it waits for ingest.
    Both answered as finished: nothing pending, no sign of the wait having run out."""
    vendor = {"legalName": "Lost K.K.", "identifiers": [{"scheme": "internal", "value": "l"}]}
    # The client waits longer than the receipt's wait (10 s), which runs out.
    with api_alone(kafka_bootstrap, database_url, tmp_path, timeout=30) as client:
        receipt = client.data(REGISTER_AND_WAIT, vendor=vendor)["registerVendor"]
        status = client.data(STATUS_OF_SENT, id=receipt["eventId"])["eventStatus"]
    assert receipt["accepted"] is True  # Kafka took it
    assert receipt["processingTimedOut"] is True
    assert receipt["processing"] == {
        "accepted": False,
        "recordedAt": None,
        "appliedBy": [],
        "refusedBy": [],
        "pending": ["INGEST", "REGISTRY"],
    }
    # Asked by id alone, the API does not know the event's type: ingest first.
    assert status == {"accepted": False, "appliedBy": [], "refusedBy": [], "pending": ["INGEST"]}
