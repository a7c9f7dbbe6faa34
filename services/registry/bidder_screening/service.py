"""A bidder list screened in one call: a fixed number of SQL statements whatever its size
and mix, the name matching in the name index's worker threads.

Statements: the name index's catch-up (one when nothing changed), then on one connection the
vendor ids given that exist, the vendors holding the identifiers given (or that held them
before an update replaced them: storage/former_identifiers.py), the officers' review
decisions on the names given, the vendors with a barring sanction that may bar on the day or
later (by an index on the sanctions' periods, sanctions_by_day; these two only when names
are given), the affiliations of all these, their sanctions' timelines, and the countries of
those barred on the day or with a bar to come (only when names are given): eight at most. The
connection goes back to the pool before the names are matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import asyncpg

from services.platform.off_the_loop import Turns, for_batch
from services.platform.postgres.database import Connection
from services.registry.bidder_screening import bidders as checks
from services.registry.bidder_screening import reviews as decisions
from services.registry.bidder_screening.matching import (
    BarredVendor,
    NameQuery,
    Thresholds,
    match_all,
)
from services.registry.bidder_screening.model import (
    Bidder,
    BidderAnswer,
    Candidate,
    CheckedBidder,
    NameMatch,
    Review,
    Status,
)
from services.registry.bidder_screening.reviews import ReviewKey
from services.registry.domain.affiliations import periods_by_pair
from services.registry.domain.eligibility import BARRING_KINDS, Eligibility
from services.registry.domain.names import IdentifierKey
from services.registry.name_search.name_index_feed import LiveNameIndex
from services.registry.reads.screening import screen_within
from services.registry.storage import (
    former_identifiers,
    match_review_repository,
    sanctions_by_day,
    vendor_repository,
)
from services.registry.storage.former_identifiers import Holder


@dataclass(frozen=True)
class Day:
    """What the bidders are screened for: a day, an agency and category, as known then."""

    as_of: dt.date
    agency: str | None = None
    category: str | None = None
    known_at: dt.datetime | None = None


@dataclass(frozen=True)
class _Known:
    """What the database said: vendors found by id and identifier, the review decisions on
    the names given, every screened vendor's eligibility, and the vendors a name may be (with
    their countries): barred on the day, or with a bar recorded to come."""

    vendor_ids: set[str]
    holders: dict[IdentifierKey, Holder]
    reviews: dict[ReviewKey, list[Review]]
    eligibility: dict[str, Eligibility]
    barred: dict[str, str | None]


async def screen_bidders(
    pool: asyncpg.Pool,
    names: LiveNameIndex,
    bidders: Sequence[Bidder],
    day: Day,
    thresholds: Thresholds,
    *,
    with_bars_from: bool = True,
) -> list[BidderAnswer]:
    """Every bidder's answer, in input order (BidderListRefused above the limit or for a
    repeated ref).
    `with_bars_from`: as `eligibility.evaluate`'s (False: the reasons without the first day
    of their bar, for an answer that does not show it)."""
    # Off the loop: checking 5,000 bidders' identifiers and names takes about half a second.
    bidder_checks = await for_batch(checks.checked, bidders)
    valid = [c for c in bidder_checks if c.error is None]
    named = [c for c in valid if c.bidder.name is not None]
    if named:
        await names.refresh_from(pool)
    async with pool.acquire() as conn:
        known = await _read(conn, valid, bool(named), day, with_bars_from)
    matches: list[list[NameMatch]] = []
    if named:
        barred_names = await names.names_of(known.barred)
        barred = [
            BarredVendor(v, country, tuple(barred_names[v]))
            for v, country in known.barred.items()
            if barred_names[v]
        ]
        queries = [NameQuery(c.bidder.name or "", c.country) for c in named]
        matches = await names.beside(partial(match_all, queries, barred, thresholds, day.as_of))
    by_bidder = {id(c): m for c, m in zip(named, matches, strict=True)}
    # On the loop (the answers read what the database said), giving it turns: 5,000 answers
    # with candidates of many names each would otherwise hold every other request up.
    answers, turns = [], Turns()
    for checked in bidder_checks:
        answers.append(_answer(checked, known, by_bidder.get(id(checked), [])))
        await turns.give()
    return answers


async def _read(
    conn: Connection,
    valid: Sequence[CheckedBidder],
    named: bool,
    day: Day,
    with_bars_from: bool,
) -> _Known:
    by_id = sorted({c.bidder.vendor_id for c in valid if c.bidder.vendor_id is not None})
    keys = sorted({c.identifier for c in valid if c.identifier is not None})
    # As the record stood at `known_at`: a vendor registered later was not on it (UNKNOWN).
    vendor_ids = (
        await vendor_repository.existing_vendors(conn, by_id, day.known_at) if by_id else set()
    )
    holders = await former_identifiers.identifier_holders(conn, keys, day.known_at) if keys else {}
    names = sorted({_key(c) for c in valid if c.bidder.name is not None})
    reviews = await match_review_repository.reviews_of(conn, names, day.known_at) if named else {}
    # A bidder confirmed as a vendor is answered as that vendor: its eligibility is needed.
    confirmed = {r.vendor_id for found in reviews.values() if (r := decisions.confirmed(found))}
    # Those that may bar on the day or later: not every vendor ever sanctioned (a registry
    # importing the banks' lists holds tens of thousands, most of them over).
    sanctioned: set[str] = set()
    if named:
        sanctioned = set(
            await sanctions_by_day.vendors_that_may_bar(
                conn, BARRING_KINDS, day.as_of, day.known_at
            )
        )
    asked = vendor_ids | {h.vendor_id for h in holders.values()} | confirmed
    eligibility, reachable = await _screen(conn, asked, sanctioned, day, with_bars_from)
    # A name is matched against the vendors a bar recorded to come will bar too, not only those
    # barred on the day: the officer awarding a contract needs to know the firm is about to be
    # barred (its contract would run into the bar), as its answer by id says (`upcoming`).
    barred = sorted(v for v in reachable if not eligibility[v].eligible or eligibility[v].upcoming)
    countries = await vendor_repository.countries(conn, barred) if barred else {}
    return _Known(vendor_ids, holders, reviews, eligibility, {v: countries.get(v) for v in barred})


def _key(checked: CheckedBidder) -> ReviewKey:
    return decisions.key(checked.bidder.name or "", checked.bidder.address)


async def _screen(
    conn: Connection, asked: set[str], sanctioned: set[str], day: Day, with_bars_from: bool
) -> tuple[dict[str, Eligibility], set[str]]:
    """Eligibility of the vendors asked about, of the sanctioned ones and of their affiliates
    (whom a sanction covering affiliates reaches), by the registry's own screening; and which
    of them a name may be barred as (the sanctioned and their affiliates). Two statements:
    every vendor with a barring sanction that may bar on the day or later is among
    `sanctioned`, so the affiliations touching `asked` and `sanctioned` hold every pair
    through which a sanction can reach anyone here then. A sanction over by the day is left
    out: it bars no one that day nor after, so it changes no one's eligibility, upcoming bars
    and day eligible again included (`eligibility.evaluate`)."""
    touching = sorted(asked | sanctioned)
    if not touching:
        return {}, set()
    periods = periods_by_pair(
        await vendor_repository.affiliation_events(conn, touching, day.known_at)
    )
    reachable = sanctioned | {v for pair in periods if pair & sanctioned for v in pair}
    answers = await screen_within(
        conn,
        sorted(asked | reachable),
        periods,
        day.as_of,
        agency=day.agency,
        category=day.category,
        known_at=day.known_at,
        with_bars_from=with_bars_from,
    )
    return answers, reachable


def _answer(checked: CheckedBidder, known: _Known, matches: list[NameMatch]) -> BidderAnswer:
    ref = checked.bidder.ref
    if checked.error is not None:
        return BidderAnswer(ref, Status.INVALID, error=checked.error)
    if checked.bidder.name is not None:
        reviews = tuple(known.reviews.get(_key(checked), ()))
        confirmed = decisions.confirmed(reviews)
        if confirmed is not None:
            return _as_vendor(ref, confirmed.vendor_id, known, reviews)
        # Officers' "not the same firm" decisions in force drop their vendors, before the status.
        kept = decisions.not_flagged(reviews, matches)
        candidates = tuple(Candidate(m, known.eligibility[m.vendor_id]) for m in kept)
        status = Status.POSSIBLE_MATCH if candidates else Status.UNKNOWN
        return BidderAnswer(ref, status, candidates=candidates, reviews=reviews)
    vendor_id, former = checked.bidder.vendor_id, False
    if checked.identifier is not None:
        holder = known.holders.get(checked.identifier)
        vendor_id, former = (holder.vendor_id, holder.former) if holder else (None, False)
    if vendor_id is None or vendor_id not in known.eligibility:
        return BidderAnswer(ref, Status.UNKNOWN)
    return _as_vendor(ref, vendor_id, known, former_identifier=former)


def _as_vendor(
    ref: str,
    vendor_id: str,
    known: _Known,
    reviews: tuple[Review, ...] = (),
    *,
    former_identifier: bool = False,
) -> BidderAnswer:
    answer = known.eligibility[vendor_id]
    status = Status.ELIGIBLE if answer.eligible else Status.BARRED
    return BidderAnswer(
        ref,
        status,
        vendor_id=vendor_id,
        eligibility=answer,
        reviews=reviews,
        former_identifier=former_identifier,
    )
