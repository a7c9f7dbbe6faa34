"""Re-importing an OCDS register (pure): a contract an earlier import recorded is amended to a
newer file's terms, not awarded again; nothing, counted unchanged, when the terms are the
same; refused when recorded under another vendor; left as it is when recorded terminated, or
when its terms were stated after the file's."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from services.cli.ocds_importing import Sent, print_report
from services.events.base import EventEnvelope
from services.events.contract import ContractAmended
from services.imports.ocds.outcomes import Outcome
from services.imports.ocds.recorded import RecordedContract
from tests.support.ocds_mapping import Mapped, awarded_of, mapped, small_process

BETA = "ocds:jp-cn:1234567890123"  # small_process's supplier, as a vendor
C1 = "ocds:ocds-test-1:C1"


# small_process's publication: when the award's terms were stated.
AWARDED_AT = dt.datetime(2024, 4, 1, 0, 0, tzinfo=dt.UTC)


def _recorded_c1(**changes: Any) -> dict[str, RecordedContract]:
    terms = RecordedContract(
        BETA, dt.date(2025, 3, 31), 1000000, "JPY", terminated=False, terms_as_of=AWARDED_AT
    )
    return {C1: dataclasses.replace(terms, **changes)}


def _extended(
    ends_on: str, release: str = "r2", date: str = "2024-10-01T09:00:00+09:00", **contract: Any
) -> dict[str, Any]:
    """_process's contract in a newer publication, its term ending on `ends_on`."""
    newer = small_process(id=release, date=date)
    newer["contracts"][0] |= {
        "period": {"startDate": "2024-04-01", "endDate": ends_on},
        "amendments": [{"date": "2024-09-15", "rationale": "extra lane"}],
        **contract,
    }
    return newer


def _amendments_of(result: Mapped) -> list[EventEnvelope]:
    return [e for e in result.events if isinstance(e.payload, ContractAmended)]


def test_a_contract_recorded_before_is_amended_to_a_newer_files_terms() -> None:
    # The publisher's newer file gives the process's current terms (its compiled release):
    # the recorded contract is amended to them, not awarded again (its award's id holds
    # other content: ingest refused it); the same terms again send nothing.
    result = mapped({"releases": [_extended("2025-09-30")]}, contracts=_recorded_c1())
    assert not result.refused and not awarded_of(result)
    [amended] = _amendments_of(result)
    assert amended.payload.model_dump(mode="json") == {
        "contract_id": C1,
        "effective_on": "2024-09-15",
        "ends_on": "2025-09-30",
        "amount": None,
        "reason": "extra lane",
    }
    same = mapped({"releases": [small_process()]}, contracts=_recorded_c1())
    assert [e.event_type for e in same.events] == ["vendor.registered"]
    # Counted as such: a file imported again does not say it applied what was recorded.
    assert _contract_outcomes(same) == [(Outcome.UNCHANGED, "")]
    assert [a.outcome for a in same.accounted if a.kind == "award"] == [Outcome.UNCHANGED]
    assert _contract_outcomes(result) == [(Outcome.APPLIED, "")]
    # Moved back by one publication, forward again by the next: three amendments, each its
    # own id (the same id with other content would be refused as a reused one).
    r2_at = dt.datetime(2024, 10, 1, 0, 0, tzinfo=dt.UTC)
    back = mapped(
        {"releases": [_extended("2025-03-31", "r3", "2024-11-01T09:00:00+09:00")]},
        contracts=_recorded_c1(ends_on=dt.date(2025, 9, 30), terms_as_of=r2_at),
    )
    again = mapped(
        {"releases": [_extended("2025-09-30", "r4", "2024-12-01T09:00:00+09:00")]},
        contracts=_recorded_c1(terms_as_of=dt.datetime(2024, 11, 1, 0, 0, tzinfo=dt.UTC)),
    )
    ids = {e.event_id for r in (result, back, again) for e in _amendments_of(r)}
    assert len(ids) == 3
    # A value of 0 is a value.
    nothing = mapped(
        {"releases": [_extended("2025-03-31", value={"amount": 0, "currency": "JPY"})]},
        contracts=_recorded_c1(),
    )
    assert [e.payload.model_dump()["amount"] for e in _amendments_of(nothing)] == [0]


def test_a_recorded_contract_under_another_vendor_or_terminated_is_not_amended() -> None:
    # Recorded under another vendor: refused, nothing sent (the registry would refuse the
    # amendment while migration and risk applied it). Terminated on record: its new terms
    # are not applied, and it is not terminated again.
    elsewhere = mapped(
        {"releases": [_extended("2025-09-30")]},
        contracts=_recorded_c1(vendor_id="ocds:jp-cn:9999999999999"),
    )
    assert [a.reason for a in elsewhere.refused if a.kind == "contract"] == [
        f"{C1} is recorded under vendor ocds:jp-cn:9999999999999; the file names {BETA}"
    ]
    assert not _amendments_of(elsewhere)
    ended = mapped(
        {"releases": [_extended("2025-09-30", status="terminated")]},
        contracts=_recorded_c1(terminated=True),
    )
    assert [e.event_type for e in ended.events] == ["vendor.registered"]
    assert [(a.outcome, a.reason) for a in ended.accounted if a.kind == "contract"] == [
        (Outcome.NOT_IMPORTED, f"{C1} is terminated on record: its new terms are not applied")
    ]


def test_an_older_file_read_after_a_newer_one_keeps_the_recorded_terms() -> None:
    # The register's file of April read again after October's extended the contract: the
    # extension was stated later than anything in it, so it stands; nothing is sent.
    extended_at = dt.datetime(2024, 10, 1, 0, 0, tzinfo=dt.UTC)
    older = mapped(
        {"releases": [small_process()]},
        contracts=_recorded_c1(ends_on=dt.date(2025, 9, 30), terms_as_of=extended_at),
    )
    assert [e.event_type for e in older.events] == ["vendor.registered"]
    assert [(a.outcome, a.reason) for a in older.accounted if a.kind == "contract"] == [
        (
            Outcome.NOT_IMPORTED,
            f"{C1}'s recorded terms were stated at 2024-10-01T00:00:00+00:00, after this"
            " file's at 2024-04-01T09:00:00+09:00: the record stands, its terms and whether it"
            " runs",
        )
    ]
    # A file stated after the extension amends it, even back to the earlier end.
    later = mapped(
        {"releases": [small_process(date="2024-10-02T09:00:00+09:00")]},
        contracts=_recorded_c1(ends_on=dt.date(2025, 9, 30), terms_as_of=extended_at),
    )
    assert [a.payload.model_dump()["ends_on"] for a in _amendments_of(later)] == [
        dt.date(2025, 3, 31)
    ]


def test_an_older_file_changes_nothing_and_an_undated_one_still_amends() -> None:
    extended_at = dt.datetime(2024, 10, 1, 0, 0, tzinfo=dt.UTC)
    extended = _recorded_c1(ends_on=dt.date(2025, 9, 30), terms_as_of=extended_at)
    # Older than the extension, and saying the contract has come to a close on its earlier
    # end: the record, stated later, says it runs on; nothing is sent.
    ended = small_process()
    ended["contracts"][0]["status"] = "terminated"
    closed = mapped({"releases": [ended]}, contracts=extended)
    assert [e.event_type for e in closed.events] == ["vendor.registered"]
    assert [a.outcome for a in closed.accounted if a.kind == "contract"] == [Outcome.NOT_IMPORTED]
    # A file that says when nothing was stated (no release date, no publishedDate) cannot
    # be told older: its terms are applied, as before the registry kept the time.
    undated = small_process()
    del undated["date"]
    assert [
        a.payload.model_dump()["ends_on"]
        for a in _amendments_of(mapped({"releases": [undated]}, contracts=extended))
    ] == [dt.date(2025, 3, 31)]


def _contract_outcomes(result: Mapped) -> list[tuple[Outcome, str]]:
    return [(a.outcome, a.reason) for a in result.accounted if a.kind == "contract"]


def test_a_value_in_another_currency_is_left_as_kept_and_said_so() -> None:
    dollars = {"amount": 9000, "currency": "USD"}
    kept = (
        f"{C1}'s value is kept in JPY: this file gives it in USD, and a contract's value is"
        " amended in its own currency only"
    )
    # Only the value moved, into dollars: nothing can say it, and the report does.
    same_end = mapped(
        {"releases": [_extended("2025-03-31", value=dollars)]}, contracts=_recorded_c1()
    )
    assert [e.event_type for e in same_end.events] == ["vendor.registered"]
    assert _contract_outcomes(same_end) == [(Outcome.NOT_IMPORTED, kept)]
    # The end moved too: amended, but for its value, and the report says what was left out.
    longer = mapped(
        {"releases": [_extended("2025-09-30", value=dollars)]}, contracts=_recorded_c1()
    )
    [amended] = _amendments_of(longer)
    assert isinstance(amended.payload, ContractAmended)
    assert (amended.payload.ends_on, amended.payload.amount) == (dt.date(2025, 9, 30), None)
    assert _contract_outcomes(longer) == [(Outcome.APPLIED, kept)]
    assert [str(a) for a in longer.noted] == [f"releases[0].contracts[0] (ocds-test-1): {kept}"]
    # First imported, its later release in dollars: awarded in yen, the end amended alone.
    both = mapped({"releases": [small_process(), _extended("2025-09-30", value=dollars)]})
    assert [a.currency for _, a in awarded_of(both).values()] == ["JPY"]
    assert [
        (a.payload.model_dump()["ends_on"], a.payload.model_dump()["amount"])
        for a in _amendments_of(both)
    ] == [(dt.date(2025, 9, 30), None)]
    assert _contract_outcomes(both) == [(Outcome.APPLIED, kept)]


def test_a_value_in_another_currency_is_said_on_a_terminated_record_and_an_older_file() -> None:
    dollars = {"amount": 9000, "currency": "USD"}
    # Terminated on record, the file changing only the value's currency: said, as its other
    # new terms would be.
    ended = mapped(
        {"releases": [_extended("2025-03-31", value=dollars)]},
        contracts=_recorded_c1(terminated=True),
    )
    assert [e.event_type for e in ended.events] == ["vendor.registered"]
    assert _contract_outcomes(ended) == [
        (
            Outcome.NOT_IMPORTED,
            f"{C1}'s value is kept in JPY: this file gives it in USD, and a contract's value"
            " is amended in its own currency only",
        )
    ]
    # An older file differing only by its value's currency: the record stands, and says so.
    extended_at = dt.datetime(2024, 10, 1, 0, 0, tzinfo=dt.UTC)
    older = small_process()
    older["contracts"][0]["value"] = dollars
    held = mapped({"releases": [older]}, contracts=_recorded_c1(terms_as_of=extended_at))
    assert [e.event_type for e in held.events] == ["vendor.registered"]
    [(outcome, reason)] = _contract_outcomes(held)
    assert outcome is Outcome.NOT_IMPORTED and "the record stands" in reason


def test_a_value_in_the_recorded_currency_is_amended_whatever_the_first_versions() -> None:
    # The process's first release gave the value in dollars, its last in yen, as recorded:
    # the last yen value is the one the record takes.
    first = small_process()
    first["contracts"][0]["value"] = {"amount": 9000, "currency": "USD"}
    last = _extended("2025-03-31", value={"amount": 2000000, "currency": "JPY"})
    result = mapped({"releases": [first, last]}, contracts=_recorded_c1())
    assert [a.payload.model_dump()["amount"] for a in _amendments_of(result)] == [2000000]
    assert _contract_outcomes(result) == [(Outcome.APPLIED, "")]


def test_a_party_whose_vendor_the_registry_has_is_counted_unchanged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The same file again said "parties: 1 applied" beside "0 registered, 1 already known",
    # its award and contract unchanged: nothing is sent for a vendor the registry has.
    first = mapped({"releases": [small_process()]})
    again = mapped({"releases": [small_process()]}, vendors=frozenset({BETA}))
    for result, outcome in ((first, Outcome.APPLIED), (again, Outcome.UNCHANGED)):
        parties = [a.outcome for a in result.accounted if a.kind == "party"]
        assert parties == [Outcome.NOT_IMPORTED, outcome]  # the buyer, the supplier
    assert "vendor.registered" not in {e.event_type for e in again.events}
    print_report(again, Sent(), [], dry_run=True, compared=True)
    assert "parties: 0 applied, 1 unchanged, 1 not imported, 0 refused;" in capsys.readouterr().out
