"""Who the alerts tell, on a real PostgreSQL: nobody of the history recorded before they were
installed; an imported entry that may be a watched vendor alerts its watchers once (and a
merged one recorded before the upgrade still does when replayed); a bidder list saved by
ids and identifiers of known vendors."""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest

from services.alerts import setup as alerts_setup
from services.alerts.changes import RUNNING_CONTRACTS
from services.events.alerts import watchlist_key
from services.platform.security.auth import Principal, Role
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.alert_announcing import EXTENDED, announce
from tests.support.alert_events import MINE, THEIRS, TODAY, VENDOR, contract, suspended
from tests.support.alert_log import AlertLog
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import graphql
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres


async def test_history_from_before_the_alerts_were_installed_alerts_nobody(
    pool: asyncpg.Pool,
) -> None:
    consumer = alerts_setup.consumer(Settings(database_url="unused"))
    await apply(pool, case_b.registered(), contract(MINE))
    # As if the alerts service were installed after B's suspension was announced.
    await pool.execute("UPDATE alert_installed SET at = now() + interval '1 hour'")
    await announce(pool, consumer, suspended())
    assert await pool.fetchval("SELECT count(*) FROM alerts") == 0
    await pool.execute("UPDATE alert_installed SET at = now() - interval '1 hour'")
    # It still knew B was barred: the next change is a changed period, not a new bar.
    await announce(
        pool,
        consumer,
        case_b.amended(
            effective_on=str(TODAY), duration_months=24, policy_override_reason=EXTENDED
        ),
    )
    assert [tuple(r) for r in await pool.fetch("SELECT agency, change FROM alerts")] == [
        (MINE, "period_changed")
    ]


async def test_an_imported_entry_that_may_be_a_watched_vendor_alerts_once(
    pool: asyncpg.Pool,
) -> None:
    consumer = alerts_setup.consumer(Settings(database_url="unused"))
    await apply(pool, case_b.registered(), contract(MINE))
    # The report's one review candidate: 'B SYSTEM CO LTD' (line 40) may be vendor B.
    report = envelope("import.reported", example("import.reported"), "import:worldbank")
    await apply(pool, report)
    await apply(pool, report, consumer=consumer)
    await pool.execute("DELETE FROM processed_events WHERE consumer = 'alerts'")
    await apply(pool, report, consumer=consumer)  # replayed: found, not raised again

    data = await graphql(
        pool,
        Principal("owner-mine", Role.SYSTEM_OWNER, (MINE,)),
        """{ alerts(first: 5) { edges { node { vendorId change watchlists
               possibleMatch { vendorId name source line matchedName score why } } } } }""",
    )
    (edge,) = data["data"]["alerts"]["edges"]
    assert edge["node"] == {
        "vendorId": VENDOR,
        "change": "POSSIBLE_MATCH",
        "watchlists": [RUNNING_CONTRACTS],
        "possibleMatch": {
            "vendorId": "worldbank:b-system-co-ltd-0f1e2d3c4b5a6978",
            "name": "B SYSTEM CO LTD",
            "source": "worldbank",
            "line": 40,
            "matchedName": "B System Co., Ltd.",
            "score": 93.5,
            "why": "a weaker name match",
        },
    }


async def test_a_merged_candidate_recorded_before_the_upgrade_still_alerts_when_replayed(
    pool: asyncpg.Pool,
) -> None:
    """A review candidate that is its entry's own vendor (joined by an identifier under
    another name) alerts no one from alerts' migration 0016 on; a report recorded before it
    alerted, and applied again it still does (the agency may have acknowledged that alert),
    where one recorded after does not."""
    log = AlertLog(pool)
    await log.record(case_b.registered(), contract(MINE))
    payload = example("import.reported")
    payload["review"] = [{**payload["review"][0], "vendor_id": VENDOR}]
    before = envelope("import.reported", payload, "import:worldbank")
    after = envelope("import.reported", payload, "import:worldbank")
    await pool.execute(
        "UPDATE alert_installed SET merged_candidates_at = now() + interval '1 hour'"
    )
    await log.record(before)
    await pool.execute("UPDATE alert_installed SET merged_candidates_at = now()")
    await log.record(after)
    await log.replay(from_nothing=True)

    rows = await pool.fetch("SELECT cause_event_id FROM alerts WHERE change = 'possible_match'")
    assert [r["cause_event_id"] for r in rows] == [uuid.UUID(before["event_id"])]


SAVE = """mutation ($agency: String!, $ids: [ID!]!, $identifiers: [IdentifierInput!]) {
  saveWatchlist(agency: $agency, name: "bidders", vendorIds: $ids, identifiers: $identifiers) {
    accepted errors { field message code }
  }
}"""


async def test_a_bidder_list_is_saved_by_ids_and_identifiers_of_known_vendors(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor("vendor-c"))
    officer = Principal("officer", Role.PROCUREMENT_OFFICER, ())
    # B's corporate number, as a portal might write it (full-width digits, a hyphen).
    b_number = {"scheme": "corporate_number", "value": "７０００-０１２０５０００２"}

    # Every problem at once: a form showed the first, and refused the next once it was fixed.
    unheld = {"scheme": "corporate_number", "value": "1234567890123"}
    unknown = await graphql(
        pool, officer, SAVE, agency=MINE, ids=["vendor-x"], identifiers=[unheld]
    )
    assert unknown["data"]["saveWatchlist"]["errors"] == [
        {"field": "vendorIds", "message": "no such vendor: vendor-x", "code": "unknown_vendor"},
        {
            "field": "identifiers",
            "message": "no vendor holds corporate_number 1234567890123",
            "code": "unknown_identifier",
        },
    ]
    blank = {"scheme": "corporate_number", "value": " - "}
    unread = await graphql(pool, officer, SAVE, agency=MINE, ids=[], identifiers=[blank])
    assert unread["data"]["saveWatchlist"]["errors"] == [
        {
            "field": "identifiers[0]",
            "message": "identifier value for scheme 'corporate_number' is empty",
            "code": "blank_identifier",
        },
    ]
    # The event's own problems are named by the arguments, not as `payload.agency`.
    nameless = await graphql(pool, officer, SAVE, agency=" ", ids=[])
    assert [e["field"] for e in nameless["data"]["saveWatchlist"]["errors"]] == ["agency"]
    outsider = Principal("owner-theirs", Role.SYSTEM_OWNER, (THEIRS,))
    scoped = await graphql(pool, outsider, SAVE, agency=MINE, ids=["vendor-c"])
    assert scoped["errors"] == ["agency '市民課' is not one of your agencies (税務課)"]

    saved = await graphql(
        pool, officer, SAVE, agency=MINE, ids=["vendor-c"], identifiers=[b_number]
    )
    assert saved["data"]["saveWatchlist"] == {"accepted": True, "errors": []}
    (stored,) = await pool.fetch(
        "SELECT vendor_id, envelope FROM event_store WHERE event_type = 'watchlist.saved'"
    )
    assert stored["vendor_id"] == watchlist_key(MINE, "bidders")
    event = json.loads(stored["envelope"])
    assert event["payload"]["vendor_ids"] == ["vendor-c", VENDOR]
    assert event["recorded_by"]["subject"] == "officer"
