"""A page of a vendor's risk history as the caller may read it.

A caller who sees every agency reads every entry. A system owner does not read the entries
whose event names another agency's record (its contract, or what hangs on one: the
registry's answer, `evidence_scope.HIDDEN_EVIDENCE`): such an entry would tell the event's
id (its cursor), its day (`asOf`) and what it did (the factors' step from the entry before).
It is left out, not rewritten: each entry shown is still the vendor's whole score after its
own event (the hidden events before it included, as every score includes them), so the series
stays true at every point it shows, and the effect of a hidden event shows merged into the
caller's next entry; one after the caller's last entry shows in `riskScore` alone. Its
cursors are the ids of the events it shows, and `totalCount` counts those entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.platform.graphql.context import Info
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.nodes import uuid_part
from services.platform.graphql.pagination import foreign_cursor, total_count_asked
from services.platform.postgres.database import Connection
from services.platform.postgres.whole_numbers import is_count
from services.platform.security.access import agencies_in_view
from services.platform.wording import echoed
from services.risk import history as risk_history
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import RiskScore
from services.risk.evidence_scope import hidden_of
from services.risk.storage import history_reads


@dataclass(frozen=True)
class HistoryPage:
    """Up to a page of entries (seq, day, score), the event behind each, by seq, how many
    entries the caller may read in all, and whether more follow."""

    entries: list[tuple[int, dt.date, RiskScore]]
    events: dict[int, str]
    total: int
    has_next: bool


def _no_entry(vendor_id: str, cursor: str) -> InvalidArgument:
    return InvalidArgument(
        f"after: {echoed(cursor)} names no entry of {vendor_id}'s risk history (a rebuild under"
        " other rules may have left its event out); ask again from the first page"
    )


async def _cursor_seq(conn: Connection, vendor_id: str, cursor: str | None) -> int:
    """Where a page of the vendor's history after `cursor` starts. A cursor is the event id
    of an entry, not the seq that orders the entries: `vendorwatch rebuild risk` numbers
    them again from one, without the gaps that rolled-back batches left live, so a seq taken
    before it would name another entry or none."""
    if cursor is None:
        return 0
    if is_count(cursor):
        raise InvalidArgument(
            f"after: {echoed(cursor)} is a cursor of the form riskHistory gave before its cursors"
            " named their entries; ask again from the first page"
        )
    if uuid_part(cursor) is None:
        raise foreign_cursor(cursor)
    seq = (await history_reads.history_seqs(conn, [(vendor_id, cursor)])).get((vendor_id, cursor))
    if seq is None:
        raise _no_entry(vendor_id, cursor)
    return seq


async def history_page(
    info: Info,
    conn: Connection,
    model: RiskModel,
    vendor_id: str,
    after: str | None,
    limit: int,
) -> HistoryPage:
    """The caller's page of `limit` entries after the entry `after` names (its total only
    when the query asks for `totalCount`: counting reads every entry)."""
    after_seq = await _cursor_seq(conn, vendor_id, after)
    counted = total_count_asked(info)
    if agencies_in_view(info.context.principal) is None:
        read = await risk_history.history(conn, model, vendor_id, after_seq, limit + 1)
        return HistoryPage(
            read[:limit],
            await history_reads.history_events(conn, [seq for seq, _, _ in read[:limit]]),
            await history_reads.history_length(conn, vendor_id) if counted else 0,
            len(read) > limit,
        )
    if after is not None and await hidden_of(info, conn, [after]):
        # A hidden entry's cursor is no way into the history, as it is none out of it.
        raise _no_entry(vendor_id, after)
    page = await _shown_after(info, conn, vendor_id, after_seq, limit + 1)
    shown = dict(page[:limit])
    rows = await history_reads.history_rows(conn, vendor_id, shown)
    return HistoryPage(
        await risk_history.scored(conn, model, vendor_id, rows),
        shown,
        await _shown_count(info, conn, vendor_id) if counted else 0,
        len(page) > limit,
    )


async def _shown_after(
    info: Info, conn: Connection, vendor_id: str, after_seq: int, wanted: int
) -> list[tuple[int, str]]:
    """The first `wanted` entries (seq, event id) after `after_seq` the caller may read: read
    on by the key a run at a time, each run's events judged in one statement, a run twice as
    long as the one before it whose entries were hidden (a page costs its own entries and the
    hidden ones between them, in a few statements however long the history)."""
    shown: list[tuple[int, str]] = []
    run = wanted
    while len(shown) < wanted:
        read = await history_reads.history_entries(conn, vendor_id, after_seq, run)
        hidden = await hidden_of(info, conn, (event for _, event in read))
        shown += [(seq, event) for seq, event in read if event not in hidden]
        if len(read) < run:
            break
        after_seq, run = read[-1][0], run * 2
    return shown[:wanted]


async def _shown_count(info: Info, conn: Connection, vendor_id: str) -> int:
    """How many of the vendor's entries the caller may read: every entry's event judged."""
    every = await history_reads.history_entries(conn, vendor_id)
    hidden = await hidden_of(info, conn, (event for _, event in every))
    return sum(1 for _, event in every if event not in hidden)
