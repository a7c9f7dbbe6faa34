"""The plan exports: CSV, Gantt chart (SVG) and the diff between plan versions.

Snapshots are built by hand, so these tests say nothing about the solver: only about how a given
schedule is written down for people.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import xml.etree.ElementTree as ET

from services.events.contract import Criticality
from services.migration.planning.export_csv import COLUMNS, plan_csv, plan_rows, read_plan_csv
from services.migration.planning.gantt import plan_gantt_svg
from services.migration.planning.model import (
    Assignment,
    Blackout,
    PlanItem,
    PlanSettings,
    PlanSnapshot,
    Schedule,
    SchedulingProblem,
    SolverStatus,
)
from services.migration.planning.plan_diff import plan_diff

D = dt.date
NS = {"svg": "http://www.w3.org/2000/svg"}
FULL = "2023-05 is full: 2 of 2 cut-overs (C-01, C-07)"
CONFLICTS = (
    "C-03 must cut over by 2023-05-31 but needs 6 months of lead time",
    "2023-05 holds 3 cut-overs <over capacity & 2>",
)

SETTINGS = PlanSettings(
    starts_on=D(2023, 4, 1),
    blackouts=(Blackout(D(2023, 6, 20), D(2023, 7, 5), "tax season"),),
)
ITEMS = (
    PlanItem("C-07", "住民基本台帳システム", Criticality.INTERNAL, D(2023, 6, 30), ("C-01",)),
    PlanItem("C-03", "Tax system", Criticality.LEGALLY_MANDATED, D(2023, 5, 31)),
    PlanItem("C-01", 'Resident portal, "v2"', Criticality.RESIDENT_FACING, D(2023, 4, 30)),
    PlanItem("C-02", "Portal", Criticality.INTERNAL, D(2023, 3, 31), done_in_phase=0),
)
ASSIGNMENTS = (
    Assignment("C-01", 1, 1),
    Assignment("C-02", 0, 0),
    Assignment("C-03", 4, 2, ("2023-06 is a blackout: tax season",)),
    Assignment("C-07", 3, 3),
)


def make_snapshot(
    items: tuple[PlanItem, ...] = ITEMS,
    schedule: Schedule | None = None,
    statuses: dict[str, str] | None = None,
    version: int = 1,
) -> PlanSnapshot:
    return PlanSnapshot(
        plan_id="P-1",
        vendor_id="vendor-a",
        agency="Minato City",
        version=version,
        problem=SchedulingProblem(SETTINGS, items, today=D(2023, 3, 15)),
        schedule=Schedule(SolverStatus.OPTIMAL, ASSIGNMENTS, objective=9, gap=0.0)
        if schedule is None
        else schedule,
        statuses={"C-01": "planned", "C-02": "done", "C-03": "blocked", "C-07": "planned"}
        if statuses is None
        else statuses,
        blockers={"C-03": ("replacement vendor not chosen", "data migration not rehearsed")},
        replacements={"C-01": "vendor-c", "C-07": "vendor-d"},
    )


def infeasible() -> Schedule:
    return Schedule(SolverStatus.INFEASIBLE, conflicts=CONFLICTS)


def replanned(*changed: Assignment) -> Schedule:
    """The base schedule with the assignments of some items replaced."""
    by_id = {a.contract_id: a for a in (*ASSIGNMENTS, *changed)}
    return Schedule(SolverStatus.OPTIMAL, tuple(by_id.values()), objective=12, gap=0.0)


def read_csv(text: str) -> list[dict[str, str]]:
    """The rows as a spreadsheet reads the file: its bytes as UTF-8, byte-order mark dropped."""
    read = text.encode("utf-8").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(read, newline="")))


# -- ordering and CSV --------------------------------------------------------------------------


def test_rows_are_ordered_by_phase_then_contract_id_unassigned_last() -> None:
    tie = Schedule(
        SolverStatus.OPTIMAL,
        (Assignment("C-07", 1, 3), Assignment("C-01", 1, 1), Assignment("C-03", 4, 2)),
    )
    order = [row.item.contract_id for row in plan_rows(make_snapshot(schedule=tie))]
    assert order == ["C-01", "C-07", "C-03", "C-02"]  # C-02 has no assignment: last
    unscheduled = [r.item.contract_id for r in plan_rows(make_snapshot(schedule=infeasible()))]
    assert unscheduled == ["C-01", "C-02", "C-03", "C-07"]


def test_csv_has_the_header_and_one_row_per_item_in_order() -> None:
    rows = read_csv(plan_csv(make_snapshot()))
    assert plan_csv(make_snapshot()).splitlines()[0] == "\ufeff" + ",".join(COLUMNS)
    assert [row["contract_id"] for row in rows] == ["C-02", "C-01", "C-07", "C-03"]
    assert rows[3] == {
        "contract_id": "C-03",
        "title": "Tax system",
        "criticality": "legally_mandated",
        "contract_ends_on": "2023-05-31",
        "natural_phase": "2023-06",
        "phase": "2023-08",
        "phase_starts_on": "2023-08-01",
        "phase_ends_on": "2023-08-31",
        "status": "blocked",
        "replacement_vendor_id": "",
        "depends_on": "",
        "blockers": "replacement vendor not chosen; data migration not rehearsed",
        "reasons": "2023-06 is a blackout: tax season",
    }
    assert rows[2]["depends_on"] == "C-01"
    # Who takes each contract over: what a person filing the plan asks first.
    assert {row["contract_id"]: row["replacement_vendor_id"] for row in rows} == {
        "C-01": "vendor-c",
        "C-02": "",
        "C-03": "",
        "C-07": "vendor-d",
    }


def test_csv_opens_with_utf8s_byte_order_mark_so_spreadsheets_read_japanese() -> None:
    """As the screening and exclusions CSVs do: without it, a spreadsheet reads the file in
    the machine's code page and shows 住民基本台帳システム as mojibake."""
    text = plan_csv(make_snapshot())
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text.count("\ufeff") == 1
    # The plan's own reader takes the file back as written, first column's name included.
    assert [row["contract_id"] for row in read_plan_csv(text)] == ["C-02", "C-01", "C-07", "C-03"]


def test_csv_values_round_trip_through_dictreader() -> None:
    titles = ['Resident portal, "v2"', "住民基本台帳システム", "line one\nline two", " padded ; x "]
    items = tuple(
        dataclasses.replace(item, title=title) for item, title in zip(ITEMS, titles, strict=True)
    )
    snapshot = make_snapshot(items=items)
    rows = read_csv(plan_csv(snapshot))
    assert {row["contract_id"]: row["title"] for row in rows} == {
        item.contract_id: item.title for item in items
    }
    assert plan_csv(snapshot).endswith("\r\n")  # RFC 4180 line endings


def test_csv_cells_never_start_a_formula_and_read_back_unchanged() -> None:
    titles = ['=HYPERLINK("http://evil.example","open")', "+cmd|' /C calc'!A0", "-1", "'quoted"]
    items = tuple(
        dataclasses.replace(item, title=title) for item, title in zip(ITEMS, titles, strict=True)
    )
    text = plan_csv(make_snapshot(items=items))
    raw = {row["contract_id"]: row["title"] for row in read_csv(text)}
    assert all(title.startswith("'") for title in raw.values())
    restored = {row["contract_id"]: row["title"] for row in read_plan_csv(text)}
    assert restored == {item.contract_id: item.title for item in items}


def test_csv_of_an_infeasible_plan_leaves_the_phase_columns_empty_but_the_natural_phase() -> None:
    rows = read_csv(plan_csv(make_snapshot(schedule=infeasible())))
    assert [row["contract_id"] for row in rows] == ["C-01", "C-02", "C-03", "C-07"]
    phase_columns = ("phase", "phase_starts_on", "phase_ends_on")
    assert all(row[column] == "" for row in rows for column in phase_columns)
    # Each row says why it has no phase: blank, it read as "not planned yet" (an exploratory
    # tester's finding).
    said = "no feasible schedule: " + "; ".join(CONFLICTS)
    assert [row["reasons"] for row in rows] == [said] * 4
    assert rows[0]["contract_ends_on"] == "2023-04-30"
    # Each contract's end is known without a schedule: its natural phase is said, as the
    # scheduled plan's CSV says it (its assignments' natural phases).
    natural = {row["contract_id"]: row["natural_phase"] for row in rows}
    assert natural == {"C-01": "2023-05", "C-02": "2023-04", "C-03": "2023-06", "C-07": "2023-07"}
    scheduled = read_csv(plan_csv(make_snapshot()))
    assert {row["contract_id"]: row["natural_phase"] for row in scheduled} == natural


def test_csv_of_a_plan_the_time_limit_left_unscheduled_says_none_was_found() -> None:
    timed_out = make_snapshot(schedule=Schedule(SolverStatus.UNKNOWN))
    rows = read_csv(plan_csv(timed_out))
    assert {row["reasons"] for row in rows} == {
        "no schedule: the time limit passed before any schedule was found"
    }


# -- Gantt chart -------------------------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def rows_of(root: ET.Element) -> dict[str, ET.Element]:
    return {g.attrib["data-contract-id"]: g for g in root.iterfind(".//svg:g[@class='row']", NS)}


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iterfind(".//svg:text", NS)]


def test_gantt_has_one_labelled_row_per_item_in_csv_order() -> None:
    root = parse(plan_gantt_svg(make_snapshot()))
    assert list(rows_of(root)) == ["C-02", "C-01", "C-07", "C-03"]
    labels = [row.findtext("svg:text", namespaces=NS) for row in rows_of(root).values()]
    assert labels == [
        "C-02 Portal",
        'C-01 Resident portal, "v2"',
        "C-07 住民基本台帳システム",
        "C-03 Tax system",
    ]
    assert int(root.attrib["width"]) > 0 and int(root.attrib["height"]) > 0


def test_gantt_axis_runs_to_one_phase_past_the_last_used() -> None:
    axis = [t for t in texts(parse(plan_gantt_svg(make_snapshot()))) if t.startswith("2023-")]
    assert axis == ["2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09"]


def test_gantt_shades_blackout_phases_with_the_reason() -> None:
    root = parse(plan_gantt_svg(make_snapshot()))
    shades = root.findall(".//svg:rect[@class='blackout']", NS)
    assert len(shades) == 2  # 20 June to 5 July touches the June and July phases
    assert [s.findtext("svg:title", namespaces=NS) for s in shades] == ["blackout: tax season"] * 2


def test_gantt_bars_carry_reasons_and_blockers_and_mark_the_natural_phase_only_if_moved() -> None:
    rows = rows_of(parse(plan_gantt_svg(make_snapshot())))
    tooltip = rows["C-03"].findtext(".//svg:title", namespaces=NS) or ""
    assert "cut over in 2023-08" in tooltip
    assert "reasons: 2023-06 is a blackout: tax season" in tooltip
    assert "blockers: replacement vendor not chosen; data migration not rehearsed" in tooltip
    naturals = {
        cid for cid, g in rows.items() if g.find(".//svg:line[@class='natural']", NS) is not None
    }
    assert naturals == {"C-03"}
    assert all(g.find(".//svg:polygon[@class='cut-over']", NS) is not None for g in rows.values())


def test_gantt_colours_by_criticality_and_greys_done_items() -> None:
    root = parse(plan_gantt_svg(make_snapshot()))
    fills = {cid: g.find(".//svg:rect", NS) for cid, g in rows_of(root).items()}
    assert {cid: r.attrib["fill"] for cid, r in fills.items() if r is not None} == {
        "C-02": "url(#done)",
        "C-01": "#D55E00",
        "C-07": "#009E73",
        "C-03": "#0072B2",
    }
    assert {"resident-facing", "legally mandated", "internal", "done"} <= set(texts(root))


def test_gantt_truncates_long_titles_and_escapes_markup() -> None:
    long_title = "Integrated <records> & archives management system for all departments"
    items = (dataclasses.replace(ITEMS[1], title=long_title), *ITEMS[2:])
    root = parse(plan_gantt_svg(make_snapshot(items=items)))
    label = rows_of(root)["C-03"].findtext("svg:text", namespaces=NS) or ""
    assert label.startswith("C-03 Integrated <records> &") and label.endswith("…")
    assert len(label) < len(long_title)
    assert long_title in (rows_of(root)["C-03"].findtext(".//svg:title", namespaces=NS) or "")


def test_gantt_of_an_infeasible_plan_lists_the_conflicts() -> None:
    root = parse(plan_gantt_svg(make_snapshot(schedule=infeasible())))
    all_text = texts(root)
    assert all_text[1:3] == [f"no schedule: {CONFLICTS[0]}", CONFLICTS[1]]
    assert "solver: infeasible" in all_text[0]
    assert len(rows_of(root)) == 4
    assert root.find(".//svg:g[@class='bar']", NS) is None


def test_gantt_title_gives_the_gap_when_not_optimal() -> None:
    feasible = dataclasses.replace(
        make_snapshot().schedule, status=SolverStatus.FEASIBLE, gap=0.031
    )
    title = texts(parse(plan_gantt_svg(make_snapshot(schedule=feasible))))[0]
    assert "P-1" in title and "vendor-a" in title and "Minato City" in title
    assert title.endswith("version 1 — solver: feasible (gap 3.1%)")


def test_gantt_is_deterministic() -> None:
    assert plan_gantt_svg(make_snapshot()) == plan_gantt_svg(make_snapshot())
    reordered = dataclasses.replace(
        make_snapshot().schedule, assignments=tuple(reversed(ASSIGNMENTS))
    )
    assert plan_gantt_svg(make_snapshot(schedule=reordered)) == plan_gantt_svg(make_snapshot())


# -- plan diff ---------------------------------------------------------------------------------

CAUSE = "C-03's replacement vendor vendor-x became ineligible"


def test_diff_of_a_first_schedule() -> None:
    assert plan_diff(None, make_snapshot(), CAUSE) == ("first schedule: 4 items, optimal",)
    assert plan_diff(None, make_snapshot(schedule=infeasible()), CAUSE) == (
        "first schedule: 4 items, infeasible",
        "no schedule: " + "; ".join(CONFLICTS),
    )


def test_diff_without_change_is_a_single_line() -> None:
    assert plan_diff(make_snapshot(), make_snapshot(version=2), CAUSE) == (
        f"no change to the schedule ({CAUSE})",
    )


def test_diff_explains_moves_with_the_cause_and_the_new_reasons() -> None:
    schedule = replanned(Assignment("C-07", 2, 3), Assignment("C-03", 5, 2, (FULL,)))
    assert plan_diff(make_snapshot(), make_snapshot(schedule=schedule), CAUSE) == (
        f"C-03 'Tax system' moved from 2023-08 to 2023-09 because {CAUSE}; now: {FULL}",
        f"C-07 '住民基本台帳システム' moved from 2023-07 to 2023-06 because {CAUSE}",
    )


def test_diff_compares_phases_by_their_days_not_their_numbers() -> None:
    later_start = dataclasses.replace(SETTINGS, starts_on=D(2023, 5, 1))
    shifted = tuple(dataclasses.replace(a, phase=a.phase - 1) for a in ASSIGNMENTS)
    new = dataclasses.replace(
        make_snapshot(schedule=Schedule(SolverStatus.OPTIMAL, shifted, gap=0.0)),
        problem=SchedulingProblem(later_start, ITEMS, today=D(2023, 4, 15)),
    )
    assert plan_diff(make_snapshot(), new, CAUSE) == (f"no change to the schedule ({CAUSE})",)


def test_diff_lists_added_and_removed_items_by_contract_id() -> None:
    library = PlanItem("C-11", "Library system", Criticality.INTERNAL, D(2023, 7, 31))
    items = (*ITEMS[:2], library, ITEMS[3])  # C-01 leaves the plan, C-11 joins
    schedule = Schedule(
        SolverStatus.OPTIMAL,
        (*(a for a in ASSIGNMENTS if a.contract_id != "C-01"), Assignment("C-11", 4, 4)),
        gap=0.0,
    )
    assert plan_diff(make_snapshot(), make_snapshot(items=items, schedule=schedule), CAUSE) == (
        "C-11 'Library system' added in 2023-08",
        """C-01 'Resident portal, "v2"' removed from the plan""",
    )


def test_diff_reports_the_solver_status() -> None:
    feasible = dataclasses.replace(
        make_snapshot().schedule, status=SolverStatus.FEASIBLE, gap=0.031
    )
    old = make_snapshot(schedule=feasible)
    assert plan_diff(old, make_snapshot(), CAUSE) == (
        "solver status: feasible (gap 3.1%) → optimal",
    )


def test_diff_reports_losing_and_finding_a_schedule() -> None:
    lost = plan_diff(make_snapshot(), make_snapshot(schedule=infeasible()), CAUSE)
    assert lost == ("no schedule any more: " + "; ".join(CONFLICTS),)
    # Found again, it says where each item went (it said only "schedule found again").
    assert plan_diff(make_snapshot(schedule=infeasible()), make_snapshot(), CAUSE) == (
        "schedule found again",
        """C-01 'Resident portal, "v2"' planned in 2023-05""",
        "C-02 'Portal' planned in 2023-04",
        "C-03 'Tax system' planned in 2023-08",
        "C-07 '住民基本台帳システム' planned in 2023-07",
    )
    other_conflict = make_snapshot(schedule=Schedule(SolverStatus.INFEASIBLE, conflicts=("x",)))
    assert plan_diff(make_snapshot(schedule=infeasible()), other_conflict, CAUSE) == (
        "still no schedule: x",
    )
    timed_out = make_snapshot(schedule=Schedule(SolverStatus.UNKNOWN))
    assert plan_diff(make_snapshot(), timed_out, CAUSE) == (
        "no schedule any more: the time limit passed before any schedule was found",
    )


def test_diff_reports_item_status_changes_after_the_schedule() -> None:
    """A version changing statuses alone says them, not "no change to the schedule" beside
    them (a tester's finding: read as if nothing had changed)."""
    statuses = {"C-01": "done", "C-02": "done", "C-03": "in_progress", "C-07": "planned"}
    assert plan_diff(make_snapshot(), make_snapshot(statuses=statuses), CAUSE) == (
        """C-01 'Resident portal, "v2"' status: planned → done""",
        "C-03 'Tax system' status: blocked → in_progress",
    )
