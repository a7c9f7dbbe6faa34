"""What an agency's last alert about a vendor said (`repository.last_told`), which every
eligibility change and every watch starting is compared with, for a vendor holding thousands
of alerts: found by the pair's newest alerts, not by reading the vendor's alert history."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.alerts import repository
from services.alerts.changes import Told
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.postgres

VENDOR, OTHER = "vendor-many-alerts", "vendor-other"
MINE, THEIRS = "市民課", "税務課"
START = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)

# `count` alerts about a vendor at an agency, one a minute from START + `first` minutes: bars
# until a day of 2030 (by minute) and lifts, alternating, ending with a bar; or possible
# matches, which say nothing of eligibility.
_ALERTS = """INSERT INTO alerts (alert_id, agency, vendor_id, change, as_of, eligible_again_on,
                                 reasons, watchlists, cause_event_id, raised_at)
    SELECT gen_random_uuid(), $2, $1,
           CASE WHEN $5 THEN 'possible_match' WHEN n % 2 = 0 THEN 'barred' ELSE 'lifted' END,
           date '2022-01-01', date '2030-01-01' + n, '[]'::jsonb, ARRAY['list'],
           gen_random_uuid(), $3::timestamptz + make_interval(mins => $4 + n)
    FROM generate_series(1, $6) AS n"""


async def _alerts(
    pool: asyncpg.Pool,
    vendor_id: str,
    agency: str,
    first: int,
    count: int,
    possible_match: bool = False,
) -> None:
    await pool.execute(_ALERTS, vendor_id, agency, START, first, possible_match, count)


def _told(minute: int) -> Told:
    """What the bar raised at that minute (an even one) of `_alerts` said."""
    return Told(dt.date(2030, 1, 1) + dt.timedelta(days=minute), True, ())


async def test_the_last_alert_of_each_pair_is_read_alone(pool: asyncpg.Pool) -> None:
    """Every alert of the vendors at the agencies was read and sorted to keep the last of
    each pair: 5,000 of a vendor's alerts at an agency were read at each of its eligibility
    changes. Now the pair's newest alerts are, down to its last that says something of
    eligibility (possible matches, and alerts raised after `by`, passed)."""
    await _alerts(pool, VENDOR, MINE, 0, 5_000)
    await _alerts(pool, VENDOR, MINE, 5_000, 3, possible_match=True)
    await _alerts(pool, VENDOR, THEIRS, 0, 2_000)
    for n in range(50):
        await _alerts(pool, f"{OTHER}-{n}", MINE, 0, 100)
    await pool.execute("ANALYZE alerts")
    vendors, agencies = [VENDOR, f"{OTHER}-7", "vendor-never-alerted"], [MINE, THEIRS]
    async with pool.acquire() as conn:
        told, read = await rows_read(
            conn, "alerts", lambda: repository.last_told(conn, vendors, agencies)
        )
        assert told == {
            (VENDOR, MINE): _told(5_000),
            (VENDOR, THEIRS): _told(2_000),
            (f"{OTHER}-7", MINE): _told(100),
        }
        assert read <= 3 + 3  # the three pairs' last alerts, the possible matches above one


async def test_the_last_alert_raised_by_a_moment_is_read_alone(pool: asyncpg.Pool) -> None:
    """A watch starting at a moment compares with the last alert raised by then: in a replay,
    with the alerts raised after it stored already, every one of those was passed from the
    newest (4,000 of a vendor's 5,000 at an agency, and its possible matches, for a watch
    starting at minute 1,000). Now the pair's last alert raised by then is read alone."""
    await _alerts(pool, VENDOR, MINE, 0, 5_000)
    await _alerts(pool, VENDOR, MINE, 5_000, 3, possible_match=True)
    await pool.execute("ANALYZE alerts")
    by = START + dt.timedelta(minutes=1_000)
    async with pool.acquire() as conn:
        told, read = await rows_read(
            conn, "alerts", lambda: repository.last_told(conn, [VENDOR], [MINE], by)
        )
    assert told == {(VENDOR, MINE): _told(1_000)}
    assert read == 1


async def test_the_last_alert_raised_by_a_moment_is_the_last_raised(pool: asyncpg.Pool) -> None:
    """Stored out of the order they were raised in (each partition of the log applied on its
    own), the alert raised last by the moment is the pair's last word then, not the one
    stored last: what the agency was told of the vendor's newest state."""
    await _alerts(pool, VENDOR, MINE, 20, 4)  # raised at minutes 21 to 24, a bar to 2030-01-05
    await _alerts(pool, VENDOR, MINE, 0, 2)  # at 1 and 2 (a bar to 2030-01-03), stored after
    by = START + dt.timedelta(minutes=30)
    async with pool.acquire() as conn:
        told = await repository.last_told(conn, [VENDOR], [MINE], by)
    assert told == {(VENDOR, MINE): Told(dt.date(2030, 1, 5), True, ())}
