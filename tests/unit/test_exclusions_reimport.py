"""`vendorwatch import exclusions` over what an earlier import recorded (pure): the same export
again changes nothing, a newer one amends and lifts; a scope changed is lifted and imposed
anew, and imposed again (a new generation of its id) when it comes back, on the vendor its
first was recorded on; a bar lifted by hand stays lifted, and the import says so."""

from __future__ import annotations

import datetime as dt
import io

from services.events.sanction import SanctionImposed
from services.imports.deltas import RecordedSanction
from services.imports.entries import RowProblem
from services.imports.entry_ids import again
from services.imports.lists import exclusions
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.imports.resolution import Known
from services.registry.domain.eligibility import Reason
from tests.support.exclusion_exports import OWN, TODAY, VENDOR, VIA, exported, imported

# As the registry that imported it holds it: its names (the former one an alias), its aliases.
VENDOR_NAMES = (
    "株式会社北浜建設",
    "キタハマケンセツ",
    "Kitahama Construction Co., Ltd.",
    "北浜建設",
    "北浜土建株式会社",
)


def test_the_same_export_again_changes_nothing_and_a_newer_one_amends_and_lifts() -> None:
    entries = list(exclusions.entries(io.StringIO(exported(OWN, VIA))))
    assert not any(isinstance(e, RowProblem) for e in entries)
    vendor = "exclusions:jp_suspension:cn-7999901000001"
    recorded = Recorded(
        sanctions={
            exclusions.sanction_id(e): RecordedSanction(
                vendor, e.last_day, lifted=False, authority=e.authority
            )
            for e in entries
            if isinstance(e, exclusions.ExportedEntry)
        }
    )
    report = ImportReport()
    again = planned_events("exclusions", io.StringIO(exported(OWN, VIA)), recorded, TODAY, report)
    assert list(again) == []
    assert (report.unchanged, report.imposed) == (2, 0)

    longer = Reason(**{**OWN.__dict__, "ends_on": dt.date(2024, 12, 31)})
    report = ImportReport()
    newer = list(
        planned_events("exclusions", io.StringIO(exported(longer)), recorded, TODAY, report)
    )
    assert [p.event.event_type for p in newer] == ["sanction.amended", "sanction.lifted"]
    assert (report.amended, report.lifted) == (1, 1)
    assert all(p.event.vendor_id == vendor for p in newer)


def test_a_scope_changed_in_a_newer_export_is_lifted_and_imposed_anew() -> None:
    (entry,) = exclusions.entries(io.StringIO(exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    vendor = exclusions.vendor_id(entry)
    recorded = Recorded(
        known=(Known(vendor, "JP", tuple(VENDOR_NAMES), VENDOR_NAMES[3:], VENDOR.identifiers),),
        sanctions={
            exclusions.sanction_id(entry): RecordedSanction(
                vendor, entry.last_day, False, authority=entry.authority
            )
        },
    )
    wider = Reason(**{**OWN.__dict__, "categories": None})
    report = ImportReport()
    during = dt.date(2024, 7, 1)  # OWN in force: one that ended is left as it ended
    newer = list(
        planned_events("exclusions", io.StringIO(exported(wider)), recorded, during, report)
    )
    assert [p.event.event_type for p in newer] == ["sanction.imposed", "sanction.lifted"]
    assert (report.imposed, report.lifted, report.amended) == (1, 1, 0)
    assert {p.event.vendor_id for p in newer} == {vendor}


def test_a_scope_narrowed_and_widened_back_is_imposed_again() -> None:
    # A scope of A, then A and B (another id: A's lifted), then A again (A's id is back).
    (entry,) = exclusions.entries(io.StringIO(exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    first = exclusions.sanction_id(entry)
    wider = Reason(**{**OWN.__dict__, "categories": None})
    recorded: dict[str, RecordedSanction] = {}
    during = dt.date(2024, 7, 1)
    imported(exported(OWN), during, recorded)
    imported(exported(wider), during, recorded)
    assert recorded[first].lifted
    sent = imported(exported(OWN), during, recorded)
    assert [(kind, sid) for kind, sid, *_ in sent] == [
        ("imposed", again(first, 2)),
        ("lifted", sent[1][1]),
    ]
    assert sent[1][1] != first and not recorded[again(first, 2)].lifted


def test_a_bar_lifted_by_hand_stays_lifted_and_the_import_says_so() -> None:
    (entry,) = exclusions.entries(io.StringIO(exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    sid, vendor = exclusions.sanction_id(entry), exclusions.vendor_id(entry)
    by_hand = RecordedSanction(vendor, entry.last_day, lifted=True, authority=entry.authority)
    report = ImportReport()
    recorded = Recorded(sanctions={sid: by_hand})
    during = dt.date(2024, 7, 1)
    assert (
        list(planned_events("exclusions", io.StringIO(exported(OWN)), recorded, during, report))
        == []
    )
    assert any("stays lifted" in note for note in report.notes)


def test_a_generation_id_too_long_for_the_catalog_is_hashed() -> None:
    first = "exclusions:" + "x" * 117
    assert again(first, 2).startswith("exclusions:")
    assert len(again(first, 2)) <= 128 and again(first, 3) != again(first, 2)


def test_a_bar_imposed_again_goes_on_the_vendor_its_first_was_recorded_on() -> None:
    # The first bar sits on a vendor the entity joined at its first import, one that no
    # longer answers to the entity's names or identifiers (renamed since): resolved afresh,
    # a new vendor was registered and barred, and the vendor itself left free to bid.
    (entry,) = exclusions.entries(io.StringIO(exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    renamed = Known("hand:v1", "JP", ("北浜ホールディングス株式会社",), ())
    lifted = RecordedSanction(
        "hand:v1",
        entry.last_day,
        lifted=True,
        lifted_by_list=True,
        starts_on=entry.starts_on,
        authority=entry.authority,
    )
    recorded = Recorded(known=(renamed,), sanctions={exclusions.sanction_id(entry): lifted})
    sent = list(
        planned_events(
            "exclusions", io.StringIO(exported(OWN)), recorded, dt.date(2024, 7, 1), ImportReport()
        )
    )
    imposed = [
        (p.event.vendor_id, p.event.payload.sanction_id)
        for p in sent
        if isinstance(p.event.payload, SanctionImposed)
    ]
    assert imposed == [("hand:v1", again(exclusions.sanction_id(entry), 2))]
    assert "vendor.registered" not in {p.event.event_type for p in sent}
