"""`vendorwatch import exclusions` (pure): what `exclusion_formats.json_lines` writes, our own
JSON-lines export, read back as a list becomes the same vendor and sanctions through the
importer's ordinary path: an individual as an individual, a reason through an affiliate a
sanction of the vendor naming it, covering affiliates as the export says, every event about
the exported vendor with ids that depend on what it says (hashed when too long), and lines or
files that are no export refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from typing import Any

import pytest

from services.events.sanction import SanctionKind
from services.events.vendor import VendorKind
from services.imports.csv_rows import UnreadableFile
from services.imports.lists import exclusions
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.registry.domain.eligibility import Eligibility, Reason
from services.registry.domain.sanction_timeline import Decision
from services.registry.exports.exclusion_formats import json_lines
from services.registry.exports.exclusions import Exclusion, bar_of
from services.registry.storage.vendor_repository import VendorRow
from tests.support.exclusion_exports import DAY, OWN, TODAY, VENDOR, VIA, exported

LATER = Reason(
    sanction_id="jp_suspension:aa11bb22cc33dd44",
    kind=SanctionKind.BID_SUSPENSION,
    authority="北浜市",
    starts_on=dt.date(2024, 10, 1),
    ends_on=dt.date(2025, 1, 31),
    via_vendor_id=None,
    agencies=None,
    categories=None,
    decision=Decision(grounds=("breach_of_contract",), reason="契約違反"),
)


def _payloads(text: str, recorded: Recorded | None = None) -> list[tuple[str, dict[str, Any]]]:
    report = ImportReport()
    pending = planned_events("exclusions", io.StringIO(text), recorded or Recorded(), TODAY, report)
    return [
        (p.event.event_type, json.loads(p.event.payload.model_dump_json(exclude_none=True)))
        for p in pending
    ]


def test_the_export_of_a_vendor_becomes_the_same_vendor_and_sanctions() -> None:
    events = _payloads(exported(OWN, upcoming=(LATER,)))
    assert [t for t, _ in events] == ["vendor.registered", "sanction.imposed", "sanction.imposed"]
    assert events[0][1] == {
        "legal_name": "株式会社北浜建設",
        "name_kana": "キタハマケンセツ",
        "name_en": "Kitahama Construction Co., Ltd.",
        "identifiers": [{"scheme": "corporate_number", "value": "7999901000001"}],
        "aliases": ["北浜建設", "北浜土建株式会社"],  # the former name kept as an alias
        "country": "JP",
    }
    scoped = events[1][1].pop("sanction_id")  # the exported id, then a key of its scope
    assert scoped.startswith("exclusions:jp_suspension:0f1e2d3c4b5a6978.")
    assert events[1][1] == {
        "kind": "bid_suspension",
        "authority": "北浜市",
        "decided_on": "2024-04-01",
        "starts_on": "2024-04-01",
        "ends_on": "2024-09-30",
        "indefinite": False,
        "agencies": ["北浜市水道局"],
        "categories": ["土木一式工事", "舗装工事"],
        "covers_affiliates": False,
        "grounds": ["bribery"],
        "serious": False,
        "incident_ids": [],
        "reason": "贈賄",
        # The authority's period as recorded there: not refused by this registry's policy.
        "policy_override_reason": "as recorded by the exporting registry (its sanction"
        " jp_suspension:0f1e2d3c4b5a6978); not decided here",
    }
    # The sanction that bars it later (eligibleAgainOn counts it) is imposed too.
    # (every agency and category, no affiliates: the exported id alone)
    assert events[2][1]["sanction_id"] == "exclusions:jp_suspension:aa11bb22cc33dd44"
    assert events[2][1]["starts_on"] == "2024-10-01"
    assert events[2][1]["ends_on"] == "2025-01-31"


def test_an_individual_is_imported_as_an_individual() -> None:
    # The kind the exporting registry knows (the IDB's Entity column) goes with the vendor;
    # an export from before it, without `kind`, registers a vendor of no kind, as then.
    person = dataclasses.replace(
        VENDOR, legal_name="Abdulhamit Ademhan", kind=VendorKind.INDIVIDUAL
    )
    answer = Eligibility(VENDOR.vendor_id, DAY, False, (OWN,), dt.date(2024, 10, 1), ())
    text = json_lines(Exclusion(person, answer))
    assert json.loads(text)["kind"] == "individual"
    assert _payloads(text)[0][1]["kind"] == "individual"
    older = json.dumps({k: v for k, v in json.loads(text).items() if k != "kind"})
    assert "kind" not in _payloads(older)[0][1]


def test_every_event_is_about_the_exported_vendor_with_ids_that_depend_on_what_it_says() -> None:
    text = exported(OWN, upcoming=(LATER,))
    report = ImportReport()
    first = list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    again = list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    assert {p.event.vendor_id for p in first} == {"exclusions:jp_suspension:cn-7999901000001"}
    assert [p.event.event_id for p in first] == [p.event.event_id for p in again]
    assert [p.event.source for p in first] == ["import.exclusions"] * 3


def test_a_reason_through_an_affiliate_is_a_sanction_of_the_vendor_naming_the_affiliate() -> None:
    (_, _, (_, imposed)) = _payloads(exported(OWN, VIA))
    assert imposed["sanction_id"].startswith("exclusions:")
    assert imposed["sanction_id"] != "exclusions:city-2024-007"
    assert imposed["indefinite"] is True and imposed["kind"] == "debarment"
    assert imposed["reason"] == "through its affiliate parent-1 (city-2024-007)"
    assert imposed["covers_affiliates"] is False  # the affiliate's sanction reaches no further
    assert imposed["grounds"] == ["bid_rigging"]


def test_lines_that_are_not_an_exported_vendor_are_refused_with_their_line() -> None:
    good = exported(OWN)
    no_reasons = json.dumps({**json.loads(good), "reasons": []})
    text = f"{good}\nnot json\n{no_reasons}\n"
    report = ImportReport()
    list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    assert report.refused == [
        "line 3: not JSON: Expecting value at column 1",
        "line 4: event: reasons and upcoming are both empty: an exported vendor is barred",
    ]
    assert report.imposed == 1


@pytest.mark.parametrize("before", ["", f"{exported(OWN)}\n"])
def test_a_line_nested_too_deep_is_refused_with_its_line(before: str) -> None:
    # 6 KB: json met Python's recursion limit, and the import ended in a traceback.
    deep = '{"vendor_id": ' + "[" * 3_000 + "]" * 3_000 + "}"
    line = before.count("\n") + 1
    report = ImportReport()
    list(planned_events("exclusions", io.StringIO(before + deep), Recorded(), TODAY, report))
    assert report.refused == [
        f"line {line}: not JSON this reads: arrays and objects nested too deep"
    ]


def test_a_file_that_is_no_export_is_refused_whole() -> None:
    # A bank's CSV given as an export: each of its 1,286 lines was refused one by one and a
    # report of nothing else sent.
    text = "Firm Name,Additional Firm Info,Address,Country\nX LTD,,1 STREET,Chile\n"
    report = ImportReport()
    with pytest.raises(UnreadableFile, match=r"line 1: not JSON .* not an exclusions export"):
        list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    assert report.refused == [] and report.imposed == 0


def test_an_id_too_long_for_the_catalog_is_hashed() -> None:
    long = VendorRow(**{**VENDOR.__dict__, "vendor_id": "v" * 125})
    answer = Eligibility(long.vendor_id, DAY, False, (OWN,), None, ())
    (entry,) = exclusions.entries(io.StringIO(json_lines(Exclusion(long, answer))))
    assert isinstance(entry, exclusions.ExportedEntry)
    assert len(exclusions.vendor_id(entry)) <= 128
    assert exclusions.vendor_id(entry).startswith("exclusions:")


def test_a_sanction_covering_affiliates_covers_them_in_the_importing_registry() -> None:
    text = exported(OWN, VIA, covering=frozenset({bar_of(OWN), bar_of(VIA)}))
    assert [r["coversAffiliates"] for r in json.loads(text)["reasons"]] == [True, True]
    (_, own), (_, via) = _payloads(text)[1:]
    assert (own["covers_affiliates"], via["covers_affiliates"]) == (True, False)
