"""Which sanctions may apply on a day, or from a day on: read by an index on their recorded
periods, not by reading every sanction, then decided exactly by their timelines.

Whether a sanction applies on a day depends on its amendments and lifts, which only the
timeline folds (sanction_timeline.py). The SQL here is a pre-filter that must keep every
sanction that could apply, and may keep more: a sanction applies on day d only if d is in
the period of the terms in force that day, and those are the imposition's or an amendment's
effective by d, each period running from the sanction's start (`registry_sanction_days`,
migration 0016); and only if no lift took effect by d (a lift is final). So the candidates
for the days of [first, last] are the sanctions whose imposed period meets those days (the
GiST index), with those having an amendment effective by `last` whose new period meets them
(from the changes, far fewer, joined to their sanction's start), less those lifted by `first`.
A period shortened later, a gap, a lift after `first` or scope are left to the timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import asyncpg

from services.events.sanction import SanctionKind
from services.platform.postgres.database import Connection
from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.storage import sanction_repository


def candidates(first: str, known_at: str, last: str, vendors: str | None = None) -> str:
    """A CTE `candidates`: the ids of the sanctions that may apply on a day of [`first`,
    `last`] (`last` NULL: no end), as recorded by `known_at` (NULL: all), each a placeholder
    or literal of the statement; `vendors`, a query of vendor ids, narrows both parts to
    them (the ids join as a set, `IN (SELECT …)`, as sanction_repository.sanction_rows says)."""
    of_vendors = "" if vendors is None else f"\n          AND s.vendor_id IN ({vendors})"
    return f"""candidates AS (
    SELECT s.sanction_id FROM registry_sanctions s
    WHERE registry_sanction_days(s.starts_on, s.duration_months, s.duration_days, s.ends_on)
          && daterange({first}::date, {last}::date, '[]'){of_vendors}
    UNION
    SELECT c.sanction_id FROM registry_sanction_changes c
    JOIN registry_sanctions s ON s.sanction_id = c.sanction_id
    WHERE NOT c.lifted
      AND (c.duration_months IS NOT NULL OR c.duration_days IS NOT NULL
           OR c.ends_on IS NOT NULL OR c.indefinite)
      AND ({last}::date IS NULL OR c.effective_on <= {last}::date)
      AND ({known_at}::timestamptz IS NULL OR c.recorded_at <= {known_at})
      AND registry_sanction_days(s.starts_on, c.duration_months, c.duration_days, c.ends_on)
          && daterange({first}::date, {last}::date, '[]'){of_vendors}
)"""


def kept(first: str, known_at: str) -> str:
    """SQL: the sanction row `s` is a candidate (`candidates`), recorded by `known_at` and not
    lifted by `first` as recorded by then."""
    return f"""s.sanction_id IN (SELECT sanction_id FROM candidates)
      AND ({known_at}::timestamptz IS NULL OR s.recorded_at <= {known_at})
      AND NOT EXISTS (
          SELECT 1 FROM registry_sanction_changes l
          WHERE l.sanction_id = s.sanction_id AND l.lifted AND l.effective_on <= {first}::date
            AND ({known_at}::timestamptz IS NULL OR l.recorded_at <= {known_at}))"""


# The statements' own placeholders: $1 the first day, $2 known at, $3 the last, $4 vendors.
_VENDORS = "SELECT unnest($4::text[])"
_KEPT = kept("$1", "$2")


def _candidates(vendors: bool) -> str:
    return candidates("$1", "$2", "$3", _VENDORS if vendors else None)


async def in_force_on(
    conn: Connection, day: dt.date, vendor_ids: Sequence[str] | None
) -> dict[str, SanctionTimeline]:
    """The sanctions in force on `day` (of these vendors; every vendor's, when None), by id,
    each with its timeline from every change recorded; one statement, whose rows are the
    candidates that day rather than every sanction."""
    args: list[object] = [day, None, day]
    if vendor_ids is not None:
        args.append(list(vendor_ids))
    rows = await conn.fetch(
        f"""WITH {_candidates(vendor_ids is not None)}
            {sanction_repository.WITH_CHANGES}
            WHERE {_KEPT}""",
        *args,
    )
    timelines = (
        sanction_repository.timeline_of(row, map(sanction_repository.change_of, row["changes"]))
        for row in rows
    )
    return {t.sanction_id: t for t in timelines if t.in_force_on(day)}


async def vendors_that_may_bar(
    conn: Connection, kinds: Iterable[SanctionKind], day: dt.date, known_at: dt.datetime | None
) -> list[str]:
    """The vendors with a sanction of these kinds recorded by `known_at` that may apply on
    `day` or later, in id order: a superset of those it bars then (whether it does is the
    screening's to say). Sanctions over by `day` are left out: they bar no one that day or
    after, so they change no one's eligibility then (`eligibility.evaluate`)."""
    rows = await conn.fetch(
        f"""WITH {_candidates(False)}
            SELECT DISTINCT s.vendor_id FROM registry_sanctions s
            WHERE s.kind = ANY($4::text[]) AND {_KEPT}
            ORDER BY s.vendor_id""",
        day,
        known_at,
        None,
        sorted(kind.value for kind in kinds),
    )
    return [r["vendor_id"] for r in rows]


async def rows_applying_from(
    conn: Connection,
    vendor_ids: Sequence[str],
    day: dt.date,
    named: Sequence[str] = (),
    known_at: dt.datetime | None = None,
) -> list[asyncpg.Record]:
    """The sanction rows of these vendors that may apply on `day` or later as recorded by
    `known_at` (all, when None), and those of `named` sanctions whatever their days, each
    with its changes recorded by then, in `sanction_repository.sanction_rows`' form and
    order: what answers from `day` on need (a sanction over by then bars nothing then or
    after, `eligibility.evaluate`), not a vendor's whole record."""
    return await conn.fetch(
        f"""WITH {_candidates(True)}
            {sanction_repository.WITH_CHANGES}
            WHERE s.vendor_id IN ({_VENDORS})
              AND (({_KEPT}) OR s.sanction_id IN (SELECT unnest($5::text[])))
            ORDER BY s.vendor_id, s.sanction_id COLLATE "C" """,
        day,
        known_at,
        None,
        list(vendor_ids),
        list(named),
    )
