"""`vendorwatch rebuild --force` says what it went past: the problems the log's verification
found, and, when rows are gone or were added, how many events the chains number against how
many it replayed."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventstore import chain
from tests.support import case_b
from tests.support.live_consumers import applied_live
from tests.support.processes import run_cli
from tests.support.tampering import EDITED_SUSPENSION, as_owner

pytestmark = pytest.mark.postgres


async def _forced(database_url: str, projection: str) -> tuple[int, str, str]:
    # A process of its own: this one holds the events as ingest parsed them, before the edit.
    done = await asyncio.to_thread(
        run_cli, "rebuild", projection, "--force", "--database-url", database_url
    )
    return done.returncode, done.stdout, done.stderr


async def test_it_names_the_problems_it_replayed_past(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    await as_owner(pool, EDITED_SUSPENSION)

    code, out, err = await _forced(database_url, "all")

    assert code == 0, err
    lines = err.splitlines()
    assert lines[0].startswith("--force: replayed past 1 problem the log's verification found")
    assert lines[1].startswith(f"  partition {chain.partition_of(case_b.VENDOR)}, seq 2 ")
    assert lines[1].endswith("its content was changed after it was recorded")
    assert "rebuilt registry from 2 events" in out.splitlines()


@pytest.mark.parametrize(
    ("deleted", "problem"),
    [
        # The last of the chain: the replay read to the end of what is there.
        ("sanction.imposed", "the chain ends at seq 1 but its head records seq 2"),
        # Its first: the replay's cursor passed seqs 1 and 2, but read one row.
        ("vendor.registered", "the partition's first event is missing (seq 1)"),
    ],
)
async def test_it_says_how_many_events_the_chains_number_and_how_many_it_read(
    pool: asyncpg.Pool, database_url: str, deleted: str, problem: str
) -> None:
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    await as_owner(pool, f"DELETE FROM event_store WHERE event_type = '{deleted}'")

    code, out, err = await _forced(database_url, "registry")

    assert code == 0, err
    assert problem in err
    assert "the log's chains number 2 events, the replay read 1 event " in err
    assert out.splitlines() == ["rebuilt registry from 1 event"]


async def test_an_event_removed_from_the_log_is_said_gone_not_judged_otherwise(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """An event the registry judged, removed from the log since (a forged row taken out):
    the rebuild cannot judge it, so it says the event is no longer in the log. It said the
    registry now judged it otherwise than before."""
    suspension = case_b.suspended()
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), suspension)])
    await applied_live(pool, database_url)
    await as_owner(pool, "DELETE FROM event_store WHERE event_type = 'sanction.imposed'")

    code, out, err = await _forced(database_url, "all")

    assert code == 0, err
    (said,) = [line for line in out.splitlines() if line.startswith("the registry now")]
    assert said == (
        "the registry now no longer finds in the log 1 event it judged before (removed from"
        f" the log since; e.g. {suspension['event_id']})"
    )
