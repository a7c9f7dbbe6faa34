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
from services.platform.postgres.whole_numbers import BIGINT_MAX, is_count
from services.platform.security.access import agencies_in_view
from services.platform.wording import echoed
from services.risk import history as risk_history
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import RiskScore
from services.risk.evidence_scope import hidden_of
from services.risk.storage import history_reads


@dataclass(frozen=True)
class HistoryPage:
    """Up to a page of entries (seq, day, score) in log order, the event behind each, by
    seq, how many entries the caller may read in all, and whether more lie beyond the page
    in the direction it was read (after it; before it, for a page read backward)."""

    entries: list[tuple[int, dt.date, RiskScore]]
    events: dict[int, str]
    total: int
    has_more: bool


def _no_entry(vendor_id: str, cursor: str, argument: str) -> InvalidArgument:
    return InvalidArgument(
        f"{argument}: {echoed(cursor)} names no entry of {vendor_id}'s risk history (a rebuild"
        " under other rules may have left its event out); ask again from the"
        f" {'first' if argument == 'after' else 'last'} page"
    )


async def _cursor_seq(conn: Connection, vendor_id: str, cursor: str, argument: str) -> int:
    """The seq of the entry `cursor` names, given as `argument` (after, before). A cursor is
    the event id of an entry, not the seq that orders the entries: `vendorwatch rebuild risk`
    numbers them again from one, without the gaps that rolled-back batches left live, so a
    seq taken before it would name another entry or none."""
    if is_count(cursor):
        raise InvalidArgument(
            f"{argument}: {echoed(cursor)} is a cursor of the form riskHistory gave before its"
            " cursors named their entries; ask again from the first page"
        )
    if uuid_part(cursor) is None:
        raise foreign_cursor(cursor, argument)
    seq = (await history_reads.history_seqs(conn, [(vendor_id, cursor)])).get((vendor_id, cursor))
    if seq is None:
        raise _no_entry(vendor_id, cursor, argument)
    return seq


async def history_page(
    info: Info,
    conn: Connection,
    model: RiskModel,
    vendor_id: str,
    cursor: str | None,
    limit: int,
    *,
    backward: bool = False,
) -> HistoryPage:
    """The caller's page of `limit` entries after the entry `cursor` names (the first
    page: none), or, `backward`, the `limit` entries before it (the last page: none); its
    total only when the query asks for `totalCount` (counting reads every entry)."""
    argument = "before" if backward else "after"
    at = None if cursor is None else await _cursor_seq(conn, vendor_id, cursor, argument)
    # Where the page is read from: after a seq (0: the start), or before one (the end: past
    # every seq).
    after_seq = 0 if backward or at is None else at
    before_seq = (BIGINT_MAX if at is None else at) if backward else None
    counted = total_count_asked(info)
    if agencies_in_view(info.context.principal) is None:
        read = await risk_history.history(
            conn, model, vendor_id, after_seq, limit + 1, before_seq=before_seq
        )
        page = read[-limit:] if backward else read[:limit]
        return HistoryPage(
            page,
            await history_reads.history_events(conn, [seq for seq, _, _ in page]),
            await history_reads.history_length(conn, vendor_id) if counted else 0,
            len(read) > limit,
        )
    if cursor is not None and await hidden_of(info, conn, [cursor]):
        # A hidden entry's cursor is no way into the history, as it is none out of it.
        raise _no_entry(vendor_id, cursor, argument)
    found = await _shown_from(info, conn, vendor_id, after_seq, before_seq, limit + 1)
    shown = dict(sorted(found[:limit]))
    rows = await history_reads.history_rows(conn, vendor_id, shown)
    return HistoryPage(
        await risk_history.scored(conn, model, vendor_id, rows),
        shown,
        await _shown_count(info, conn, vendor_id) if counted else 0,
        len(found) > limit,
    )


async def _shown_from(
    info: Info,
    conn: Connection,
    vendor_id: str,
    after_seq: int,
    before_seq: int | None,
    wanted: int,
) -> list[tuple[int, str]]:
    """The first `wanted` entries (seq, event id) after `after_seq` the caller may read, or,
    with `before_seq`, the nearest `wanted` before it, nearest first: read on by the key a
    run at a time, each run's events judged in one statement, a run twice as long as the one
    before it whose entries were hidden (a page costs its own entries and the hidden ones
    between them, in a few statements however long the history)."""
    shown: list[tuple[int, str]] = []
    run = wanted
    while len(shown) < wanted:
        read = await history_reads.history_entries(
            conn, vendor_id, after_seq, run, before_seq=before_seq
        )
        hidden = await hidden_of(info, conn, (event for _, event in read))
        shown += [(seq, event) for seq, event in read if event not in hidden]
        if len(read) < run:
            break
        if before_seq is None:
            after_seq = read[-1][0]
        else:
            before_seq = read[-1][0]
        run *= 2
    return shown[:wanted]


async def _shown_count(info: Info, conn: Connection, vendor_id: str) -> int:
    """How many of the vendor's entries the caller may read: every entry's event judged."""
    every = await history_reads.history_entries(conn, vendor_id)
    hidden = await hidden_of(info, conn, (event for _, event in every))
    return sum(1 for _, event in every if event not in hidden)
