"""Two registrations of one new vendor id, or of one identifier, sent a moment apart or at
once through the whole API (real PostgreSQL, the embedded log, no registry applying them):
the receipt refuses the second before anything is written, as the registry would refuse it
after. Both had answered `accepted: true`, the second then dead-lettered "already
registered" (an API integrator's finding): the receipt read only the registry's tables, not
a registration logged and not yet applied, and two receipts at once did not wait for each
other."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from services.events.catalog import parse_event
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.security.auth import Role
from services.registry.reads import identity_claims
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import asgi_client
from tests.support.principals import token
from tests.support.record_receipts import logged
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.postgres

REGISTER = """mutation ($vendorId: ID!, $payload: VendorRegisteredInput!, $wait: Boolean) {
  registerVendor(vendorId: $vendorId, payload: $payload, waitForProcessing: $wait) {
    accepted eventId errors { field message code } } }"""
UPDATE = """mutation ($vendorId: ID!, $payload: VendorUpdatedInput!) {
  updateVendor(vendorId: $vendorId, payload: $payload) {
    accepted errors { field message code } } }"""
OFFICER = token(Role.PROCUREMENT_OFFICER)


async def sent(
    client: httpx.AsyncClient, query: str, vendor_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    answer = await client.post(
        "/graphql",
        json={"query": query, "variables": {"vendorId": vendor_id, "payload": payload}},
        headers={"authorization": f"Bearer {OFFICER}"},
    )
    assert answer.status_code == 200, answer.text
    (receipt,) = answer.json()["data"].values()
    assert isinstance(receipt, dict)
    return receipt


def codes(receipts: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    return [[(e["field"], e["code"]) for e in r["errors"]] for r in receipts]


async def test_a_vendor_registered_a_moment_before_without_waiting_is_refused_again(
    pool: asyncpg.Pool,
) -> None:
    async with asgi_client(pool) as client:
        first = await sent(client, REGISTER, "seq-1d29ef", {"legalName": "Seq 0"})
        second = await sent(client, REGISTER, "seq-1d29ef", {"legalName": "Seq 1"})
    assert first["accepted"] is True
    assert second == {
        "accepted": False,
        "eventId": None,
        "errors": [
            {
                "field": "vendorId",
                "message": "'seq-1d29ef' is already registered; send vendor.updated to change it",
                "code": "recorded_already",
            }
        ],
    }
    assert await logged(pool) == 1


async def test_registrations_of_one_vendor_at_once_are_accepted_once(pool: asyncpg.Pool) -> None:
    async with asgi_client(pool) as client:
        receipts = await asyncio.gather(
            *(sent(client, REGISTER, "race-1", {"legalName": f"Race {n}"}) for n in range(5))
        )
    assert sorted(r["accepted"] for r in receipts) == [False] * 4 + [True]
    assert sorted(codes(receipts)) == [[]] + [[("vendorId", "recorded_already")]] * 4
    assert await logged(pool) == 1


async def test_one_identifier_registered_to_vendors_at_once_is_accepted_once(
    pool: asyncpg.Pool,
) -> None:
    """The same number however written: the registry stores it in one form."""
    forms = ["RACE-ID-1", "race id 1", "RACE‐ID‐1", "ＲＡＣＥ－ＩＤ－１"]
    async with asgi_client(pool) as client:
        receipts = await asyncio.gather(
            *(
                sent(
                    client,
                    REGISTER,
                    f"race-{n}",
                    {
                        "legalName": f"Race {n}",
                        "identifiers": [{"scheme": "internal", "value": value}],
                    },
                )
                for n, value in enumerate(forms)
            )
        )
    assert sorted(r["accepted"] for r in receipts) == [False] * 3 + [True]
    (winner,) = (n for n, r in enumerate(receipts) if r["accepted"])
    refusal = {
        "field": "payload.identifiers",
        "message": f"already belong to another vendor: internal RACEID1 (vendor race-{winner})",
        "code": "identifier_taken",
    }
    assert [r["errors"] for r in receipts if not r["accepted"]] == [[refusal]] * 3
    assert await logged(pool) == 1


async def test_an_update_taking_an_identifier_a_logged_registration_gives_is_refused(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.another_vendor("holder"))
    async with asgi_client(pool) as client:
        first = await sent(
            client,
            REGISTER,
            "newcomer",
            {"legalName": "New K.K.", "identifiers": [{"scheme": "internal", "value": "N-1"}]},
        )
        update = await sent(
            client, UPDATE, "holder", {"identifiers": [{"scheme": "internal", "value": "n 1"}]}
        )
    assert first["accepted"] is True
    assert codes([update]) == [[("payload.identifiers", "identifier_taken")]]


async def test_the_same_registration_sent_again_at_once_is_accepted_and_stored_once(
    pool: asyncpg.Pool,
) -> None:
    """A retry racing its first attempt is the log's to answer, not a second registration."""
    event = case_b.registered("retried")
    query = "mutation ($event: JSON!) { submitEvent(event: $event) { accepted errors { code } } }"
    async with asgi_client(pool) as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    "/graphql",
                    json={"query": query, "variables": {"event": event}},
                    headers={"authorization": f"Bearer {token()}"},
                )
                for _ in range(3)
            )
        )
    receipts = [a.json()["data"]["submitEvent"] for a in answers]
    assert receipts == [{"accepted": True, "errors": []}] * 3
    assert await logged(pool) == 1


async def test_of_the_logs_events_only_the_claims_still_to_be_judged_are_read(
    pool: asyncpg.Pool,
) -> None:
    """The log's registrations and identifier updates past the registry's offset are read,
    not the log, nor the registry's backlog of other events: of 3,000 registrations judged,
    3,000 updates of aliases still to be judged and 2 registrations still to be judged, the
    2 (a registry behind by an import's thousands of events read them all at each
    registration's receipt without the log's index of such events)."""
    judged = [case_b.another_vendor(f"old-{n}") for n in range(3_000)]
    await ingest_batch(pool, [case_b.line(e) for e in judged])
    await pool.execute(
        "INSERT INTO consumer_offsets (consumer, partition, seq)"
        " SELECT 'registry', partition, seq FROM event_chain_heads"
    )
    backlog = [
        envelope("vendor.updated", {"aliases": [f"alias {n}"]}, f"old-{n}") for n in range(3_000)
    ]
    waiting = [case_b.another_vendor(f"new-{n}") for n in range(2)]
    await ingest_batch(pool, [case_b.line(e) for e in backlog + waiting])
    await pool.execute("ANALYZE event_store")
    again = parse_event(case_b.line(envelope("vendor.registered", {"legal_name": "A"}, "new-1")))
    async with pool.acquire() as conn:
        refused, read = await rows_read(
            conn, "event_store", lambda: identity_claims.IDENTITY_CLAIM.check(conn, again)
        )
    assert refused is not None and refused.code == "recorded_already"
    assert read == 2


async def test_a_logged_registration_the_registry_refused_claims_nothing_once_judged(
    pool: asyncpg.Pool,
) -> None:
    """A producer's registration giving an identifier the holder has: refused by the
    registry, then its vendor id is free again, as the registry would take it."""
    await apply(pool, case_b.another_vendor("holder"))
    taken = [{"scheme": "internal", "value": "H-1"}]
    await apply(pool, envelope("vendor.updated", {"identifiers": taken}, "holder"))
    clash = envelope("vendor.registered", {"legal_name": "Late", "identifiers": taken}, "late")
    await ingest_batch(pool, [case_b.line(clash)])
    async with asgi_client(pool) as client:
        waiting = await sent(client, REGISTER, "late", {"legalName": "Late K.K."})
        await drain(pool, REGISTRY)  # the registry refuses it
        judged = await sent(client, REGISTER, "late", {"legalName": "Late K.K."})
    assert codes([waiting]) == [[("vendorId", "recorded_already")]]
    assert judged["accepted"] is True
