"""What `vendorwatch import` tells of the rows it refuses, on a real PostgreSQL through the
command: every refused row's line and reason can be had (`--refusals FILE`, and the rows past
the first 20 counted by cause), two rows giving one debarment with other periods are a
conflict refused with both lines, a file that is not the list is refused whole with its header
cut short, and a refused row's sanction is not counted as no longer listed. Found importing
the real public lists: the 151st refusal of a file was nowhere, a row's period was dropped in
silence, an OCDS package given as an export left a report of one refused row, a package's
15 KB first line was printed whole, and a refused row was "no longer listed"."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.support.list_imports import eligible, imported, worldbank_vendor
from tests.support.postgres import count_now
from tests.support.worldbank_csv import HEADER

pytestmark = pytest.mark.postgres

STORED = "SELECT count(*) FROM event_store"
REPORTS = "SELECT count(*) FROM registry_import_reports"
ENDED = "SELECT (report->>'sanctions_ended')::int FROM registry_import_reports ORDER BY"
JP_HEADER = "番号,措置機関,業者名,所在地,法人番号,停止期間,措置理由,対象範囲\n"
JP_GOOD = (
    "1,北浜市,株式会社北浜建設,北浜市中央区本町一丁目2番3号,7999901000001,"
    "令和6年4月1日から令和9年9月30日まで,贈賄,全部門\n"
)


def _jp_file(path: Path) -> Path:
    """One good row (line 2), 150 with a month 13 (lines 3–152), a last row with a wrong
    check digit (line 153): its reason like none of the 150 before it."""
    bad_dates = "".join(
        f"{n},北浜市,株式会社誤記{n},北浜市中央区,,令和8年13月1日から令和9年3月31日まで,談合,全部門\n"
        for n in range(2, 152)
    )
    wrong_digit = (
        "152,北浜市,株式会社末尾,北浜市西区,8999901000001,"
        "令和6年4月1日から令和9年3月31日まで,談合,全部門\n"
    )
    path.write_text(JP_HEADER + JP_GOOD + bad_dates + wrong_digit, encoding="utf-8")
    return path


def test_every_refused_row_can_be_had_and_the_rest_are_counted_by_cause(
    database_url: str, tmp_path: Path
) -> None:
    file, refusals = _jp_file(tmp_path / "指名停止.csv"), tmp_path / "refused.csv"
    # A dry run says where the rows past the first 20 are: counted by cause, the last row's
    # cause among them with its line (it said "… and 131 more refused", and no more).
    code, said = imported("jp_suspension", file, database_url, "--dry-run")
    assert code == 1, said
    assert "… and 131 more refused; all 151 by cause: 停止期間: 150 (first line 3, last" in said
    assert "法人番号: 1 (line 153)" in said, said
    assert "import with --refusals FILE" in said
    # Given a file, every refused row is in it with its line and reason, in the file's order.
    code, said = imported("jp_suspension", file, database_url, "--refusals", str(refusals))
    assert code == 1 and "refused 151;" in said, said
    assert f"every refused row's line and reason: {refusals} (line,reason CSV)" in said
    with refusals.open(encoding="utf-8", newline="") as written:
        rows = list(csv.reader(written))
    assert rows[0] == ["line", "reason"] and len(rows) == 152
    assert [int(line) for line, _ in rows[1:]] == list(range(3, 154))
    assert rows[-1][1].startswith("法人番号: ") and "停止期間: " in rows[1][1]
    # The report the registry keeps counts them all and lists the first 100.
    assert count_now(database_url, "SELECT (report->>'refused_count')::int FROM"
                     " registry_import_reports") == 151  # fmt: skip
    listed = "SELECT jsonb_array_length(report->'refused') FROM registry_import_reports"
    assert count_now(database_url, listed) == 100


def _row(firm: str, first: str, last: str) -> str:
    return f'{firm},,"1 MAIN STREET, BAKU",Azerbaijan,{first},{last},Fraud\n'


def test_two_rows_of_one_debarment_with_other_periods_are_a_conflict_said_with_both_lines(
    database_url: str, tmp_path: Path
) -> None:
    rows = [_row(f"FIRM {n} LLC", "2024-12-10", "2028-02-28") for n in range(1, 6)]
    other_period = rows[1].replace("2028-02-28", "2030-12-31")
    file = tmp_path / "wb.csv"
    file.write_text(HEADER + "".join(rows) + other_period + rows[2], encoding="utf-8")
    code, said = imported("worldbank", file, database_url)
    # Line 7 gives line 3's debarment another last day: refused, naming both lines and both
    # days (it was "counted once", line 3's period kept without a word, exit 0). Line 8
    # repeats line 4 exactly: counted once, as before.
    assert code == 1, said
    assert (
        "line 7: repeated with other terms: the same sanction as line 3, with last day"
        " 2030-12-31 where line 3 has 2028-02-28" in said
    ), said
    assert "this row is refused, line 3's terms taken" in said
    assert "1 row(s) repeat an earlier row's debarment (line 8 = line 4): counted once" in said
    assert "refused 1; sanctions: 5 imposed" in said
    firm = worldbank_vendor(rows[1], HEADER)
    assert not eligible(database_url, firm, "2028-02-28") and eligible(
        database_url, firm, "2028-03-01"
    )


def _exported(vendor: str, ends_on: str) -> str:
    return json.dumps(
        {
            "vendorId": vendor,
            "legalName": f"{vendor} KK",
            "country": "JP",
            "reasons": [
                {
                    "sanctionId": f"s-{vendor}",
                    "kind": "debarment",
                    "authority": "Kitahama City",
                    "startsOn": "2025-01-01",
                    "endsOn": ends_on,
                }
            ],
        }
    )


def test_an_export_repeating_a_vendor_with_another_end_is_a_conflict(
    database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "barred.jsonl"
    lines = [_exported("v-1", "2027-06-30"), _exported("v-2", "2027-06-30")]
    file.write_text("\n".join([*lines, _exported("v-1", "2029-06-30")]) + "\n", encoding="utf-8")
    code, said = imported("exclusions", file, database_url)
    assert code == 1, said
    assert (
        "line 3: repeated with other terms: the same sanction as line 1, with last day"
        " 2029-06-30 where line 1 has 2027-06-30" in said
    ), said
    assert "refused 1; sanctions: 2 imposed" in said


@pytest.mark.parametrize(
    "content", ['{"a": 1}', '{"version": "1.1", "uri": "x", "releases": [{"ocid": "ocds-1"}]}']
)
def test_json_that_is_not_an_export_is_refused_whole(
    database_url: str, tmp_path: Path, content: str
) -> None:
    file = tmp_path / "package.json"
    file.write_text(content + "\n", encoding="utf-8")
    code, said = imported("exclusions", file, database_url)
    # It was imported as a file of one refused row, its report left among the imports.
    assert code == 1, said
    assert "line 1: JSON, but not an exported vendor" in said
    assert "not an exclusions export" in said and "nothing was sent" in said
    assert (count_now(database_url, STORED), count_now(database_url, REPORTS)) == (0, 0)


@pytest.mark.parametrize(
    "first_line",
    [
        ",".join(f"column {n}" for n in range(100_000)),  # a 1.3 MB line of a CSV
        json.dumps({"uri": "x" * 20_000, "records": [{"ocid": f"o-{n}"} for n in range(500)]}),
    ],
)
def test_a_file_that_is_not_the_list_is_said_with_its_header_cut_short(
    database_url: str, tmp_path: Path, first_line: str
) -> None:
    file = tmp_path / "other.csv"
    file.write_text(first_line + "\n", encoding="utf-8")
    code, said = imported("worldbank", file, database_url)
    [error] = [line for line in said.splitlines() if line.startswith("Error:")]
    # It printed the whole line as the column list (a 2 MB Error line).
    assert code == 1 and "the header has no Firm Name" in error, said
    assert "nothing was sent" in error and len(error) < 1_000, error[:2_000]


def test_a_refused_row_s_sanction_is_not_counted_as_no_longer_listed(
    database_url: str, tmp_path: Path
) -> None:
    over = _row("FIRM OVER LLC", "2020-01-10", "2021-01-09")  # ended before the import's day
    others = [_row(f"FIRM {n} LLC", "2024-12-10", "2028-02-28") for n in range(1, 4)]
    first, newer = tmp_path / "wb-1.csv", tmp_path / "wb-2.csv"
    first.write_text(HEADER + over + "".join(others), encoding="utf-8")
    code, said = imported("worldbank", first, database_url)
    assert code == 0 and "4 imposed" in said, said
    # The newer file lists it still, with its last day before its first: refused. It said
    # "ended: 1 sanction(s) no longer listed, already over", and counted it as ended.
    newer.write_text(HEADER + over.replace("2021-01-09", "2019-01-09") + "".join(others))
    code, said = imported("worldbank", newer, database_url)
    assert code == 1 and "line 2: ineligibility period: the last day 2019-01-09" in said, said
    assert "ended:" not in said and "refused 1; sanctions: 0 imposed" in said
    assert count_now(database_url, f"{ENDED} finished_at DESC LIMIT 1") == 0
    # Corrected, the row is listed as recorded; dropped, its sanction is over, not lifted.
    newer.write_text(HEADER + "".join(others))
    code, said = imported("worldbank", newer, database_url)
    assert code == 0 and "ended: 1 sanction(s) no longer listed, already over" in said, said
