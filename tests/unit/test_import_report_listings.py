"""An import's review candidates beyond its report's first LISTED go into the log as listings
(`import.candidates_listed`): every candidate exactly once and in order, each listing a valid
event under the report's key, their ids the same when the same report is sent again, and no
listing too large to be an event however long the names."""

from __future__ import annotations

import datetime as dt

from services.events.base import EventEnvelope
from services.events.catalog import parse_event, size_problem
from services.events.imports import LISTED, PART, ImportCandidatesListed, ImportReported
from services.imports.report import ImportedFile, ImportReport, candidate_listings, report_event
from services.imports.resolution import Candidate

STARTED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
FILE = ImportedFile("idb", "idb.csv", "ab" * 32, STARTED, STARTED + dt.timedelta(minutes=2), True)


def _report(count: int, name: str = "FIRM {n} S.A.") -> ImportReport:
    report = ImportReport()
    for n in range(count):
        candidate = Candidate(f"worldbank:firm-{n}", f"FIRM {n} SA", 91.0, "a weaker name match")
        report.propose(n + 2, name.format(n=n), f"idb:firm-{n}", candidate)
    return report


def _listed(events: list[EventEnvelope]) -> list[ImportCandidatesListed]:
    payloads = []
    for event in events:
        payload = event.payload
        assert isinstance(payload, ImportCandidatesListed)
        payloads.append(payload)
    return payloads


def test_every_candidate_beyond_the_report_is_listed_once_in_order() -> None:
    report = _report(1234)
    reported = report_event(report, FILE)
    assert isinstance(reported.payload, ImportReported)
    assert reported.payload.review_count == 1234 and len(reported.payload.review) == LISTED

    listings = candidate_listings(report, reported)
    payloads = _listed(listings)
    parts = [(p.offset, len(p.candidates)) for p in payloads]
    assert parts == [(100, 500), (600, 500), (1100, 134)]
    every = list(reported.payload.review) + [c for p in payloads for c in p.candidates]
    assert every == report.candidates and len(every) == 1234
    assert {(p.source, p.report_id) for p in payloads} == {("idb", reported.event_id)}
    # Under the report's key, so after it on its partition; each a valid event of the catalog.
    assert {e.vendor_id for e in listings} == {"import:idb"}
    for event in listings:
        raw = event.model_dump_json(exclude_none=True)
        assert size_problem(raw) is None and parse_event(raw) == event
    # The same report sent again: the same listings, which ingest takes once.
    assert candidate_listings(report, report_event(report, FILE)) == listings


def test_a_report_of_at_most_listed_candidates_has_no_listing() -> None:
    report = _report(LISTED)
    assert candidate_listings(report, report_event(report, FILE)) == []


def test_long_escaped_names_cut_a_listing_short_of_an_events_limit() -> None:
    # 300 characters JSON writes as six bytes each: about 2 KB of name per candidate.
    report = _report(LISTED + PART, name="\x01" * 290 + " {n}")
    listings = candidate_listings(report, report_event(report, FILE))
    assert len(listings) > 1
    assert all(size_problem(e.model_dump_json(exclude_none=True)) is None for e in listings)
    assert sum(len(p.candidates) for p in _listed(listings)) == PART
