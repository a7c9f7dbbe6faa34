"""The vertical slice's acceptance, run against either mode through its real transports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.processes import GraphQLClient, Publish, wait_until

ELIGIBILITY = """
query ($vendor: ID!, $day: Date!) {
  bidEligibility(vendorId: $vendor, asOf: $day) {
    eligible eligibleAgainOn reasons { sanctionId kind authority startsOn endsOn }
  }
}"""
VENDOR = """query ($id: ID!) {
  vendor(vendorId: $id) { id vendorId legalName identifiers { scheme value } } }"""
DEAD_LETTERS = "{ deadLetters(first: 100) { edges { node { stage reason raw eventType } } } }"
STATUS = """
query ($id: ID!) { eventStatus(eventId: $id) { accepted appliedBy deadLetters { reason } } }"""
TIMELINE = """
query ($vendor: ID!, $after: String) { events(vendorId: $vendor, first: 1, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { eventType payload } } } }"""
SUBMIT = """
mutation ($event: JSON!) { submitEvent(event: $event) {
  accepted eventId eventType vendorId errors { field message } } }"""
REGISTER = """
mutation ($id: ID!, $vendor: VendorRegisteredInput!) {
  registerVendor(vendorId: $id, payload: $vendor, waitForProcessing: true) {
    accepted eventId errors { field message } processing { appliedBy pending } } }"""
AUDIT = """
query ($subject: String) { auditTrail(subject: $subject) {
  totalCount edges { node { eventId eventType recordedBy { subject role client } } } } }"""


def dead_letters(client: GraphQLClient) -> list[dict[str, Any]]:
    page = client.data(DEAD_LETTERS)["deadLetters"]
    return [edge["node"] for edge in page["edges"]]


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _eligibility(client: GraphQLClient, day: str) -> dict[str, Any]:
    answer: dict[str, Any] = client.data(ELIGIBILITY, vendor=case_b.VENDOR, day=day)[
        "bidEligibility"
    ]
    return answer


def _vendor_known(client: GraphQLClient, vendor_id: str) -> bool:
    return client.data(VENDOR, id=vendor_id)["vendor"] is not None


def check_suspension_slice(client: GraphQLClient, publish: Publish, work: Path) -> None:
    registered, suspended = case_b.registered(), case_b.suspended()
    vendor_c = case_b.another_vendor("vendor-c")
    unknown_type = {**case_b.registered(vendor_id="vendor-x"), "event_type": "vendor.teleported"}
    missing_field = case_b.suspended(vendor_id="vendor-b", sanction_id="s-missing")
    del missing_field["payload"]["authority"]
    publish(
        _write(
            work / "events.jsonl",
            [
                case_b.line(registered),
                case_b.line(suspended),
                case_b.line(suspended),  # the same event twice
                b'{"event_id": "not even JSON',
                case_b.line(unknown_type),
                case_b.line(missing_field),
                case_b.line(vendor_c),  # valid events after bad ones are still processed
            ],
        ),
        refused=3,  # not JSON, an unknown type, a missing field: publish names their lines
    )
    wait_until(lambda: _vendor_known(client, "vendor-c"), "vendor-c to be registered")
    wait_until(
        lambda: not _eligibility(client, "2023-03-01")["eligible"], "the suspension to apply"
    )

    for day in (case_b.SUSPENSION_START, "2023-03-01", case_b.LAST_SUSPENDED_DAY):
        answer = _eligibility(client, day)
        assert answer["eligible"] is False, day
        assert answer["eligibleAgainOn"] == case_b.ELIGIBLE_AGAIN
        (reason,) = answer["reasons"]  # one sanction, though its event arrived twice
        assert reason == {
            "sanctionId": "city-2022-001",
            "kind": "BID_SUSPENSION",
            "authority": "City procurement office",
            "startsOn": case_b.SUSPENSION_START,
            "endsOn": case_b.LAST_SUSPENDED_DAY,
        }
    assert _eligibility(client, "2022-07-08") == {
        "eligible": True,
        "eligibleAgainOn": None,
        "reasons": [],
    }
    assert _eligibility(client, case_b.ELIGIBLE_AGAIN)["eligible"] is True

    letters = dead_letters(client)
    reasons = sorted(letter["reason"] for letter in letters)
    assert len(letters) == 3, letters
    assert all(letter["stage"] == "INGEST" for letter in letters)
    assert any(r.startswith("not a JSON object") for r in reasons)
    assert any("unknown event type 'vendor.teleported'" in r for r in reasons)
    assert any("payload.authority: Field required" in r for r in reasons)

    # Publishing the same events again changes nothing and rejects nothing.
    publish(_write(work / "again.jsonl", [case_b.line(registered), case_b.line(suspended)]))
    publish(_write(work / "marker.jsonl", [case_b.line(case_b.another_vendor("vendor-m"))]))
    wait_until(lambda: _vendor_known(client, "vendor-m"), "the marker vendor after the resend")
    assert len(dead_letters(client)) == 3
    assert len(_eligibility(client, "2023-03-01")["reasons"]) == 1

    # The vendor's timeline, a page at a time: each accepted event once.
    first = client.data(TIMELINE, vendor=case_b.VENDOR, after=None)["events"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"] is True
    assert first["edges"][0]["node"]["eventType"] == "vendor.registered"
    second = client.data(TIMELINE, vendor=case_b.VENDOR, after=first["pageInfo"]["endCursor"])
    (edge,) = second["events"]["edges"]
    assert edge["node"]["eventType"] == "sanction.imposed"
    assert edge["node"]["payload"]["duration_months"] == 18
    assert second["events"]["pageInfo"]["hasNextPage"] is False


def check_mutation_goes_through_the_log(client: GraphQLClient) -> None:
    """A typed mutation's receipt, its effect waited for, and who recorded it; a raw event
    that breaks the contract refused field by field, nothing written."""
    officer = client.as_role(Role.PROCUREMENT_OFFICER)
    vendor = {"legalName": "Vendor D K.K.", "identifiers": [{"scheme": "internal", "value": "d"}]}
    receipt = officer.data(REGISTER, id="vendor-d", vendor=vendor)["registerVendor"]
    assert receipt["accepted"] and receipt["errors"] == []
    assert receipt["processing"] == {"appliedBy": ["REGISTRY"], "pending": []}
    assert _vendor_known(client, "vendor-d")  # no waiting: the receipt waited for it
    status = client.data(STATUS, id=receipt["eventId"])["eventStatus"]
    assert status == {"accepted": True, "appliedBy": ["REGISTRY"], "deadLetters": []}
    trail = client.data(AUDIT, subject="test-procurement_officer")["auditTrail"]
    (entry,) = [e["node"] for e in trail["edges"] if e["node"]["eventId"] == receipt["eventId"]]
    assert entry["recordedBy"] == {
        "subject": "test-procurement_officer",
        "role": "PROCUREMENT_OFFICER",
        "client": "127.0.0.1",
    }

    bad = {"legalName": "Vendor F", "identifiers": [{"scheme": "corporate_number", "value": "1"}]}
    refused = officer.data(REGISTER, id="vendor-f", vendor=bad)["registerVendor"]
    assert not refused["accepted"] and refused["eventId"] is None
    assert [e["field"] for e in refused["errors"]] == ["payload.identifiers.0.value"]
    officer.close()

    letters_before = dead_letters(client)
    invalid = {**case_b.another_vendor("vendor-e"), "occurred_at": "2022-07-08T10:00:00"}
    answer = client.data(SUBMIT, event=invalid)["submitEvent"]
    assert answer["accepted"] is False and answer["eventId"] is None
    (error,) = answer["errors"]
    assert error["field"] == "occurred_at" and "timezone" in error["message"]
    assert not _vendor_known(client, "vendor-e")
    never = client.data(STATUS, id=invalid["event_id"])["eventStatus"]
    assert never == {"accepted": False, "appliedBy": [], "deadLetters": []}
    bad_id = client.execute(STATUS, id="not-a-uuid")
    assert "eventId: 'not-a-uuid' is not an event id" in bad_id["errors"][0]["message"]
    assert dead_letters(client) == letters_before


KEYED_REGISTER = """
mutation ($id: ID!, $vendor: VendorRegisteredInput!, $key: String) {
  registerVendor(vendorId: $id, payload: $vendor, waitForProcessing: true, idempotencyKey: $key) {
    accepted eventId errors { field message code } processing { appliedBy pending } } }"""


def check_a_retried_mutation_records_once(client: GraphQLClient) -> None:
    """A mutation sent again under its idempotency key (the client never saw the first answer)
    answers with the event the first recorded, once the services applied it as before it;
    the key given for another event is refused; another caller's same key is its own."""
    officer = client.as_role(Role.PROCUREMENT_OFFICER)
    vendor = {"legalName": "Vendor K K.K.", "identifiers": [{"scheme": "internal", "value": "k"}]}
    first = officer.data(KEYED_REGISTER, id="vendor-k", vendor=vendor, key="erp-4711")
    retry = officer.data(KEYED_REGISTER, id="vendor-k", vendor=vendor, key="erp-4711")
    (first, retry) = (first["registerVendor"], retry["registerVendor"])
    assert first["accepted"] and first["processing"] == {"appliedBy": ["REGISTRY"], "pending": []}
    # Applied already, the registration is not refused as a second one: it is the first.
    assert retry == first
    timeline = client.data(TIMELINE, vendor="vendor-k")["events"]
    assert timeline["totalCount"] == 1

    other = {**vendor, "legalName": "Vendor K2 K.K."}
    reused = officer.data(KEYED_REGISTER, id="vendor-k2", vendor=other, key="erp-4711")
    reused = reused["registerVendor"]
    assert not reused["accepted"] and reused["eventId"] is None
    (error,) = reused["errors"]
    assert (error["field"], error["code"]) == ("idempotencyKey", "reused_key")
    assert "vendor.registered of vendor vendor-k" in error["message"]
    assert not _vendor_known(client, "vendor-k2")

    # The same key from another caller is another event, judged as any (here a second
    # registration of the vendor, refused at once as the registry would), not taken for the
    # officer's.
    again = client.data(KEYED_REGISTER, id="vendor-k", vendor=vendor, key="erp-4711")
    again = again["registerVendor"]
    assert not again["accepted"] and again["eventId"] is None
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("vendorId", "recorded_already")]
    officer.close()
