"""Upgrades of the other projections' tables on a real PostgreSQL: watchlists and import reports
from before their ids and listings, risk's copies of the envelopes and its recorded order,
an alert's acknowledgement, each kept as it stood."""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest

from services.events.alerts import watchlist_id, watchlist_key
from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.eventstore import chain, event_store, order_seals
from services.platform.eventstore.event_store import canonical_json
from services.registry.storage import import_candidates
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.upgrades import migrated_but, new_database, walked, written_unsealed

pytestmark = pytest.mark.postgres


async def test_a_watchlist_saved_before_ids_existed_gets_the_id_the_code_gives_it(
    postgres_admin_url: str,
) -> None:
    """Alerts' 0002 takes a saved list's id from the key of the event that saved it; it must
    be the id `watchlist_id` gives the list now, or `node(id:)` would not find it."""
    agency, list_name = "市民課", "bidders 2022/07 — resident records"
    payload = {"agency": agency, "name": list_name, "vendor_ids": ["b"]}
    saved = parse_event(
        case_b.line(envelope("watchlist.saved", payload, watchlist_key(agency, list_name)))
    )
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.alerts", 2)
        await event_store.append_batch(conn, [saved])
        await conn.execute(
            """INSERT INTO alert_watchlists (agency, name, vendor_ids, saved_at, event_id)
               VALUES ($1, $2, '{b}', now(), $3)""",
            agency,
            list_name,
            saved.event_id,
        )
        await conn.execute(upgrade.sql)
        stored = await conn.fetchval("SELECT watchlist_id FROM alert_watchlists")
    assert stored == watchlist_id(agency, list_name)


async def test_a_report_stored_before_listings_existed_keeps_its_candidates(
    postgres_admin_url: str,
) -> None:
    """Registry's 0007 gives `ImportReport.candidates` the reports stored before it: each
    report's own candidates, in its order."""
    review = example("import.reported")["review"]
    review = [review[0] | {"line": 7, "name": "C SYSTEM LTD"}, review[0]]
    payload = example("import.reported", review=review, review_count=2)
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.registry", 7)
        await conn.execute(
            """INSERT INTO registry_import_reports
                   (event_id, source, file_name, file_sha256, started_at, finished_at, report)
               VALUES ($1, 'worldbank', 'wb.csv', $2, now(), now(), $3::jsonb)""",
            uuid.UUID(int=7),
            payload["file_sha256"],
            json.dumps(payload),
        )
        await conn.execute(upgrade.sql)
        stored = await import_candidates.page(conn, [uuid.UUID(int=7)], 10, None)
    assert [(s.position, s.candidate.model_dump()) for s in stored[uuid.UUID(int=7)]] == list(
        enumerate(review)
    )


async def test_risks_envelope_copies_are_dropped_only_when_the_store_holds_every_event(
    postgres_admin_url: str,
) -> None:
    """Risk's 0009 drops its copies of the envelopes, to read the store's: it refuses while
    risk recorded an event the store lacks (its envelope would be lost), then keeps every
    event risk records from then on to those the store holds."""
    stored, lacking = (
        parse_event(case_b.line(envelope(t, example(t)))) for t in ("incident.reported",) * 2
    )
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.risk", 9)
        await event_store.append_batch(conn, [stored])
        async with written_unsealed(conn):
            for event in (stored, lacking):
                await conn.execute(
                    "INSERT INTO risk_events (event_id, envelope) VALUES ($1, $2)",
                    event.event_id,
                    canonical_json(event),
                )
        with pytest.raises(asyncpg.ForeignKeyViolationError) as refused:
            await conn.execute(upgrade.sql)
        assert refused.value.detail is not None and str(lacking.event_id) in refused.value.detail
        assert await conn.fetchval("SELECT count(envelope) FROM risk_events") == 2
        await event_store.append_batch(conn, [lacking])
        await conn.execute(upgrade.sql)
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'risk_events'"
        )
        # The copy gone (the seal of risk's 0013, applied already here, stays).
        assert {c["column_name"] for c in columns} == {"seq", "event_id", "seal"}
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await conn.execute(
                "INSERT INTO risk_events (event_id, seal) VALUES ($1, $2)",
                uuid.uuid4(),
                order_seals.GENESIS,
            )


async def test_the_order_risk_recorded_before_its_seals_is_sealed_as_it_stood(
    postgres_admin_url: str,
) -> None:
    """Risk's 0013 seals the rows `risk_events` held, one block per partition, as
    order_seals.py walks them (and `add_events` writes them), seeds every partition's head,
    and names the table for `verify`."""
    events = [parse_event(case_b.line(case_b.another_vendor(f"vendor-risk-{n}"))) for n in range(8)]
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.risk", 13)
        await event_store.append_batch(conn, events)
        async with written_unsealed(conn):
            await conn.execute(
                "INSERT INTO risk_events (event_id) SELECT unnest($1::uuid[])",
                [e.event_id for e in events[::-1]],
            )
        await conn.execute(upgrade.sql)
        rows, walks, heads = await walked(conn, "risk_events", "risk")
        named = await conn.fetchval("SELECT recorded_in::text FROM recorded_orders")
    assert rows == 8 and len(walks) > 1 and named == "risk_events"
    assert sorted(heads) == list(range(chain.PARTITIONS))
    for walk in walks:
        assert walk.problem is None and walk.seq > 0, walk


async def test_an_alert_acknowledged_before_the_upgrade_keeps_the_acknowledgement_that_stood(
    postgres_admin_url: str,
) -> None:
    """Alerts' 0005 names the event that acknowledged each alert. For alerts acknowledged
    before it, that is the first acknowledgement the alerts service applied, not one it
    refused nor a later one it applied as nothing; were it another, a replay of the alerts
    consumer would refuse the acknowledgement that stands."""
    acknowledged, open_alert = uuid.uuid4(), uuid.uuid4()

    def acknowledgement(note: str) -> EventEnvelope:
        payload = {"alert_id": str(acknowledged), "note": note}
        return parse_event(case_b.line(envelope("alert.acknowledged", payload, case_b.VENDOR)))

    refused, stood, dropped = (acknowledgement(n) for n in ("refused", "stood", "dropped"))
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.alerts", 5)
        await event_store.append_batch(conn, [refused, stood, dropped])
        await conn.executemany(
            "INSERT INTO processed_events (consumer, event_id, refused) VALUES ('alerts', $1, $2)",
            [(refused.event_id, True), (stood.event_id, False), (dropped.event_id, False)],
        )
        for alert_id, note in ((acknowledged, "stood"), (open_alert, None)):
            await conn.execute(
                """INSERT INTO alerts (alert_id, agency, vendor_id, change, as_of, reasons,
                       watchlists, cause_event_id, raised_at, acknowledged_at, acknowledge_note)
                   VALUES ($1, '市民課', $2, 'barred', '2024-05-01', '[]', '{bidders}', $3,
                           now(), CASE WHEN $4::text IS NULL THEN NULL ELSE now() END, $4)""",
                alert_id,
                case_b.VENDOR,
                uuid.uuid4(),
                note,
            )
        await conn.execute(upgrade.sql)
        rows = await conn.fetch("SELECT alert_id, acknowledged_event_id FROM alerts")
    assert {r["alert_id"]: r["acknowledged_event_id"] for r in rows} == {
        acknowledged: stood.event_id,
        open_alert: None,
    }
