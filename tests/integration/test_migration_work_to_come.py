"""Whether contract work waits in the log for migration (`contracts_to_come.work_on_its_way`,
asked by `createMigrationPlan` before it says that nothing of the vendor's runs at an agency),
read as what can still bring the vendor work there, not as the vendor's history: counted in
rows of the log read (real PostgreSQL, the consumers drained as embedded mode runs them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.migration.setup import consumer
from services.migration.storage.contracts_to_come import work_on_its_way
from services.platform.eventlog.embedded import drain
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b
from tests.support.case_migration import AGENCY
from tests.support.event_examples import envelope
from tests.support.migration_db import TAX, awards, today
from tests.support.registry import TOKYO, FixedClock
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.postgres

RUNNING, ENDED = today() + dt.timedelta(days=365), today() - dt.timedelta(days=1)


async def _applied(pool: asyncpg.Pool, history: list[dict[str, Any]], migration: bool) -> None:
    """`history` in the log, judged by the registry and, if `migration`, applied by it."""
    for start in range(0, len(history), 1_000):
        await ingest_batch(pool, [case_b.line(e) for e in history[start : start + 1_000]])
    settings = Settings(database_url="unused")
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    if migration:
        await drain(pool, consumer(FixedClock(TOKYO)))
    await pool.execute("ANALYZE")


async def _on_its_way(pool: asyncpg.Pool, vendor: str, agency: str) -> tuple[bool, int]:
    """The answer, and how many rows of the log it read."""
    async with pool.acquire() as conn:
        return await rows_read(
            conn, "event_store", lambda: work_on_its_way(conn, "migration", vendor, agency)
        )


def _others() -> list[dict[str, Any]]:
    """Other vendors' events, as a store holds them: the log is not one vendor's alone."""
    return [case_b.another_vendor(f"vendor-{n}") for n in range(6_000)]


def _extension(vendor: str, contract_id: str) -> dict[str, Any]:
    """An amendment extending the vendor's contract to `RUNNING` from `ENDED`."""
    extended = {
        "contract_id": contract_id,
        "effective_on": str(ENDED),
        "ends_on": str(RUNNING),
        "reason": "Extended.",
    }
    return envelope("contract.amended", extended, vendor)


async def test_what_is_on_its_way_is_read_after_what_migration_applied(
    pool: asyncpg.Pool,
) -> None:
    """Whether a contract event waits for migration is read from the vendor's last one it
    applied on, not from the vendor's history: a vendor with 1,500 awards applied had each
    of them read at each plan asked for by hand (1,506 rows of the log), now a few."""
    vendor = "vendor-large"
    history = [case_b.another_vendor(vendor), *awards(vendor, 1_500, TAX, RUNNING, "tax")]
    history += awards(vendor, 1, AGENCY, ENDED, "records")
    history += _others()
    await _applied(pool, history, migration=True)
    # Nothing after what migration read of the vendor's partition.
    assert await _on_its_way(pool, vendor, AGENCY) == (False, 1)
    # An amendment extending the ended contract there, judged by the registry, not applied.
    await _applied(pool, [_extension(vendor, f"records-{vendor}-0")], migration=False)
    found, read = await _on_its_way(pool, vendor, AGENCY)
    assert found
    assert read <= 3  # the vendor's partition; the amendment, passed from the back, found
    assert (await _on_its_way(pool, vendor, TAX))[0] is False


async def test_what_the_registry_refused_is_not_read_once_migration_read_past_it(
    pool: asyncpg.Pool,
) -> None:
    """Events of the vendor the registry refused after the last one migration applied were
    read at every request, twice (from the newest back, looking for that last one, then
    after it): 1,500 amendments of contracts the vendor does not hold, 3,001 rows of the log.
    Migration has read past them (its offset in the vendor's partition): none is read."""
    vendor = "vendor-refused"
    history = [case_b.another_vendor(vendor), *awards(vendor, 1, AGENCY, ENDED, "records")]
    history += [_extension(vendor, f"unknown-{n}") for n in range(1_500)]
    history += _others()
    await _applied(pool, history, migration=True)
    assert await _on_its_way(pool, vendor, AGENCY) == (False, 1)
    # Refused and waiting alike: an extension of its own contract, after them, is found.
    await _applied(pool, [_extension(vendor, f"records-{vendor}-0")], migration=False)
    assert await _on_its_way(pool, vendor, AGENCY) == (True, 2)


def _terminated_subcontract(prime: str, subcontractor: str) -> list[dict[str, Any]]:
    """The prime contractor, its contract at `AGENCY`, the subcontractor's subcontract on it,
    approved, and the contract terminated since."""
    [award] = awards(prime, 1, AGENCY, RUNNING, "work")
    contract_id = award["payload"]["contract_id"]
    subcontract = {"contract_id": contract_id, "subcontract_id": f"sub-{prime}"}
    requested = {
        **subcontract,
        "subcontractor_vendor_id": subcontractor,
        "scope": "Data entry.",
        "requested_on": "2020-05-01",
    }
    approved = {**subcontract, "approved_on": "2020-05-10"}
    ended = {"contract_id": contract_id, "terminated_on": str(ENDED), "reason": "cancelled"}
    return [
        case_b.another_vendor(prime),
        award,
        envelope("contract.subcontract_requested", requested, prime),
        envelope("contract.subcontract_approved", approved, prime),
        envelope("contract.terminated", ended, prime),
    ]


async def test_only_subcontracts_that_may_run_again_are_looked_at(pool: asyncpg.Pool) -> None:
    """A subcontract of a terminated contract never runs again (a change of the contract is
    refused, `terminated_already`), yet each prime contractor of the vendor's subcontracts
    at the agency had its log read: 300 terminated, 900 rows of the log read. Now the
    vendor's own."""
    vendor = "vendor-subcontractor"
    history = [case_b.another_vendor(vendor)]
    for n in range(300):
        history += _terminated_subcontract(f"prime-{n}", vendor)
    await _applied(pool, history, migration=True)
    assert await _on_its_way(pool, vendor, AGENCY) == (False, 1)
    # One that may run again: an approval waiting on the prime's log is found.
    prime = "prime-live"
    running = _terminated_subcontract(prime, vendor)[:3]
    await _applied(pool, running, migration=True)
    approval = _terminated_subcontract(prime, vendor)[3]
    await _applied(pool, [approval], migration=False)
    assert (await _on_its_way(pool, vendor, AGENCY))[0] is True
