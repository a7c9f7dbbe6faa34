"""Read side of the registry: what the API asks, answered from the projection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.events.vendor import identifier_value
from services.platform.postgres.database import Connection
from services.platform.postgres.whole_numbers import is_count
from services.platform.wording import NAMED_UNKNOWN, echoed, plural, unknown_ids
from services.registry.domain.eligibility import Eligibility
from services.registry.domain.names import (
    IdentifierKey,
    name_length_problem,
    normalize_identifier,
)
from services.registry.name_search.name_index_feed import LiveNameIndex
from services.registry.name_search.search import NameKind, SearchHit
from services.registry.reads.screening import screen
from services.registry.storage import former_identifiers, vendor_repository
from services.registry.storage.vendor_repository import VendorRow

# A batch screen beyond this is refused: one call must stay one bounded unit of work.
MAX_BATCH = 5000


class RegistryQueryError(ValueError):
    """A question the registry cannot answer as asked; the message says which input and why."""


async def resolve_vendor(
    conn: Connection,
    vendor_id: str | None,
    identifier: IdentifierKey | None,
    known_at: dt.datetime | None = None,
) -> str:
    """The vendor meant by an id or by an identifier (exactly one of them), as the record
    stood at `known_at` (now, when None): the identifier's holder then, or the vendor that
    held it before an update replaced it (`former_identifiers`). A vendor registered after
    `known_at` is not on that record: refused as one nobody registered, saying so."""
    if (vendor_id is None) == (identifier is None):
        raise RegistryQueryError("give exactly one of vendorId and identifier")
    if identifier is not None:
        wanted = normalize_identifier(identifier.scheme, identifier.value)
        try:  # a mistyped number is told as such, not as a vendor nobody registered
            identifier_value(wanted.scheme, wanted.value)
        except ValueError as error:
            raise RegistryQueryError(f"identifier: {error}") from None
        holders = await former_identifiers.identifier_holders(conn, [wanted], known_at)
        if wanted in holders:
            return holders[wanted].vendor_id
        said = f"{identifier.scheme} {identifier.value!r}"
        # Looked up again only to say why: its holder was registered after `known_at`.
        if known_at is not None and await former_identifiers.identifier_holders(
            conn, [wanted], None
        ):
            raise RegistryQueryError(
                f"identifier: no vendor had {said} {stood_at(known_at)}: its holder was"
                " recorded later"
            )
        raise RegistryQueryError(f"identifier: no vendor has {said}")
    assert vendor_id is not None
    registered = await vendor_repository.registered_at(conn, vendor_id)
    if not on_record(registered, known_at):
        raise unknown_vendor(vendor_id, known_at, registered)
    return vendor_id


def on_record(registered: dt.datetime | None, known_at: dt.datetime | None) -> bool:
    """Whether a vendor registered at `registered` (None: never) was on the record as it
    stood at `known_at` (now, when None)."""
    return registered is not None and (known_at is None or registered <= known_at)


def stood_at(known_at: dt.datetime) -> str:
    return f"as the registry stood at {known_at.isoformat()} (knownAt)"


def unknown_vendor(
    vendor_id: str,
    known_at: dt.datetime | None = None,
    registered: dt.datetime | None = None,
) -> RegistryQueryError:
    """The refusal of a vendor not on record; registered after `known_at`, it says when."""
    said = f"vendorId: unknown vendor {vendor_id!r}"
    if known_at is not None and registered is not None:
        said += f" {stood_at(known_at)}: it was recorded at {registered.isoformat()}"
    return RegistryQueryError(said)


async def vendor(conn: Connection, vendor_id: str) -> VendorRow | None:
    return await vendor_repository.fetch_vendor(conn, vendor_id)


async def refuse_unknown(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None = None
) -> None:
    """Refuses `vendorIds` naming a vendor the registry does not hold as known at `known_at`
    (now, when None; an id no vendor can have among them), naming those, and of those named
    the ones registered after `known_at`."""
    ids = list(dict.fromkeys(vendor_ids))
    if not (unknown := await vendor_repository.unknown_vendors(conn, ids, known_at)):
        return
    said = unknown_ids("vendorIds", "vendor", [vendor_id for vendor_id, _ in unknown])
    later = [repr(v) for v, registered in unknown[:NAMED_UNKNOWN] if registered is not None]
    if later and known_at is not None:
        verb = "was" if len(later) == 1 else "were"
        said += f" ({stood_at(known_at)}, {', '.join(later)} {verb} recorded later)"
    raise RegistryQueryError(said)


async def bid_eligibility_many(
    conn: Connection,
    vendor_ids: Sequence[str],
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
    known_at: dt.datetime | None = None,
    with_bars_from: bool = True,
) -> list[Eligibility]:
    """Screens many bidders in three queries however many they are; unknown ids are refused
    together, by name (an unknown bidder may be a typo for a sanctioned one).
    `with_bars_from`: as `eligibility.evaluate`'s."""
    if len(vendor_ids) > MAX_BATCH:
        raise RegistryQueryError(
            f"vendorIds: {plural(len(vendor_ids), 'vendor', grouped=True)} in one call;"
            f" the limit is {MAX_BATCH:,}"
        )
    unique = list(dict.fromkeys(vendor_ids))
    await refuse_unknown(conn, unique, known_at)
    answers = await screen(
        conn,
        unique,
        as_of,
        agency=agency,
        category=category,
        known_at=known_at,
        with_bars_from=with_bars_from,
    )
    return [answers[v] for v in vendor_ids]


async def search(
    conn: Connection, text: str, limit: int, names: LiveNameIndex | None = None
) -> list[SearchHit]:
    """Vendors ranked by how well one of their names matches `text`, from the process's name
    index (`names`; without one, an index built for this search alone, as tests and scripts
    need); the vendor whose id `text` is, then an exact identifier (in any scheme), rank
    first with a perfect score."""
    _require_text(text)
    index = names or LiveNameIndex()
    await index.refresh(conn)
    # The text refused first (only punctuation, "%"), as it is no identifier either.
    hits = await _hits(index, text, limit)
    return _merged(await _exact(conn, text), hits, limit)


async def search_pooled(
    pool: asyncpg.Pool, text: str, limit: int, names: LiveNameIndex
) -> list[SearchHit]:
    """`search`, holding a connection only for the database's part: the index's refresh and
    the identifier lookup, not while the search waits for and runs in a worker thread (many
    searches at once would otherwise hold the pool's connections)."""
    _require_text(text)
    await names.refresh_from(pool)
    hits = await _hits(names, text, limit)
    async with pool.acquire() as conn:
        return _merged(await _exact(conn, text), hits, limit)


def _require_text(text: str) -> None:
    if not text.strip():
        raise RegistryQueryError("search: give a name or an identifier to search for")
    if (too_long := name_length_problem("search", text)) is not None:
        raise RegistryQueryError(too_long)


async def _hits(names: LiveNameIndex, text: str, limit: int) -> list[SearchHit]:
    try:
        return await names.search_as_is(text, limit)
    except ValueError as error:  # the text itself, e.g. only punctuation ("%")
        raise RegistryQueryError(str(error)) from None


async def _exact(conn: Connection, text: str) -> list[SearchHit]:
    """The vendor whose id `text` is (as typed, but for spaces around it), then the vendors
    holding `text` as an identifier, in any scheme: the searcher may not know which scheme
    the number belongs to. Each is named by its legal name as recorded, as every hit names
    one of the vendor's names: the text searched for would tell the searcher only what they
    typed, not whose number it is. An id is what the console and every answer name a vendor
    by; searched for as a name only, "vendor-b" had found "vendor-c K.K." and not vendor-b."""
    vendor_id = text.strip()
    by_id = await vendor_repository.legal_name(conn, vendor_id)
    value = normalize_identifier("any", text).value
    by_identifier = await vendor_repository.vendors_with_identifier_value(conn, value)
    held = {v for v, _ in by_identifier}
    # A number a vendor held before an update replaced it still finds it, said to be former.
    by_former = await former_identifiers.vendors_with_former_value(conn, value)
    return [
        *([SearchHit(vendor_id, by_id, NameKind.VENDOR_ID, 100.0)] if by_id is not None else []),
        *(SearchHit(v, name, NameKind.IDENTIFIER, 100.0) for v, name in by_identifier),
        *(
            SearchHit(v, name, NameKind.FORMER_IDENTIFIER, 100.0)
            for v, name in by_former
            if v not in held
        ),
    ]


def _merged(exact: list[SearchHit], hits: list[SearchHit], limit: int) -> list[SearchHit]:
    """Each vendor once: by its first exact hit (its id before an identifier), else by the
    name that matched it best."""
    first: dict[str, SearchHit] = {}
    for hit in exact:
        first.setdefault(hit.vendor_id, hit)
    return [*first.values(), *(h for h in hits if h.vendor_id not in first)][:limit]


@dataclass(frozen=True)
class ChangeRow:
    seq: int  # the change's number (names it; the feed's order is `xid.seq`)
    vendor_id: str
    kind: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class ChangePage:
    changes: list[ChangeRow]
    cursor: str
    has_more: bool


def _cursor(since: str | None) -> tuple[int, int]:
    if not since:
        return 0, 0
    xid, _, seq = since.partition(".")
    if not (is_count(xid) and is_count(seq)):
        raise RegistryQueryError(f"since: {echoed(since)} is not a cursor from registryChanges")
    return int(xid), int(seq)


# The page after a cursor, and whether the cursor is a position the feed has shown: its start
# (0.0) or a change below the oldest transaction still running (what a page may show). In one
# statement (one look-up by the primary key beside the page's read): live consumers poll.
_PAGE = """
WITH asked AS (
    SELECT ($1::xid8 = '0'::xid8 AND $2::bigint = 0) OR EXISTS (
        SELECT FROM registry_changes
        WHERE seq = $2 AND xid = $1::xid8
          AND xid < pg_snapshot_xmin(pg_current_snapshot())
    ) AS known
)
SELECT asked.known, c.seq, c.xid, c.vendor_id, c.kind, c.recorded_at
FROM asked LEFT JOIN LATERAL (
    SELECT seq, xid, vendor_id, kind, recorded_at FROM registry_changes
    WHERE asked.known AND (xid, seq) > ($1::xid8, $2)
      AND xid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY xid, seq LIMIT $3
) c ON true"""


async def changes_since(conn: Connection, since: str | None, first: int) -> ChangePage:
    """The change feed after a cursor (opaque to clients: `xid.seq` of the last change).

    A cursor must name a position the feed has shown: a made-up one past its end would be
    answered with an empty page and echoed as the next cursor, and every change written
    before that position skipped for good, in silence. The cursor of the last change (the
    current end) answers an empty page: live consumers poll so."""
    after_xid, after_seq = _cursor(since)
    rows = await conn.fetch(_PAGE, after_xid, after_seq, first + 1)
    if not rows[0]["known"]:
        raise RegistryQueryError(
            f"since: {since!r} names no position of registryChanges (pass the `cursor` of an"
            " earlier page as it was given); omit `since` to read from the beginning"
        )
    rows = [r for r in rows if r["seq"] is not None]
    page = rows[:first]
    cursor = f"{page[-1]['xid']}.{page[-1]['seq']}" if page else f"{after_xid}.{after_seq}"
    return ChangePage(
        [ChangeRow(r["seq"], r["vendor_id"], r["kind"], r["recorded_at"]) for r in page],
        cursor,
        len(rows) > first,
    )


async def changes_numbered(conn: Connection, seqs: Sequence[int]) -> dict[int, ChangeRow]:
    """These changes of the feed, by number."""
    rows = await conn.fetch(
        "SELECT seq, vendor_id, kind, recorded_at FROM registry_changes"
        " WHERE seq = ANY($1::bigint[])",
        list(seqs),
    )
    return {
        r["seq"]: ChangeRow(r["seq"], r["vendor_id"], r["kind"], r["recorded_at"]) for r in rows
    }
