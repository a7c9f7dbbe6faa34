"""Bidder lists as officers paste and upload them, in a real Chromium against a real
`vendorwatch up`: a pasted list is one bidder a line, the whole line, so a name with a comma
(a sixth of the World Bank's debarred firms have one) is screened whole; a list whose first
line names its columns, and an uploaded .csv file, are read as CSV. Each cut a pasted name at
its first comma: the debarred firm below was screened as "WATER". In Japanese, the refs and
the day answered are said as the screen says the rest (they showed `line 1`, and the day
asked as typed where the registry gave none but as ISO where it did)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    console_chromium,
    fill,
    in_japanese,
    origin,
    result_rows,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.event_examples import DROP, envelope, example
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

DEBARRED = "WATER, ELECTRIC AND MECHANICAL INSTALLATION AND CONSTRUCTION JSC (VIWASEEN.4)"
COMMA_LTD = "B Solutions Co., Ltd."
DURING = "2023-01-10"  # within the firm's sanction
LIST = "#list-title ~ .results"
BUTTON = "#list-text ~ button[type=submit]"


def recorded(system: System, tmp_path: Path) -> None:
    """The debarred firm (sanctioned 2022-07-09 to 2024-01-08) and a firm never sanctioned,
    each with a comma in its name."""
    sanction = example("sanction.imposed", sanction_id="wb-viwaseen", incident_ids=DROP)
    lines = [
        envelope("vendor.registered", {"legal_name": DEBARRED}, "wb-viwaseen"),
        envelope("vendor.registered", {"legal_name": COMMA_LTD}, "b-solutions"),
        envelope("sanction.imposed", sanction, "wb-viwaseen"),
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events)
    query = """query { v: bidEligibility(vendor: {vendorId: "wb-viwaseen"}, asOf: "2023-01-10") {
      eligible } b: vendor(vendorId: "b-solutions") { vendorId } }"""

    def both() -> bool:
        data = system.client.data(query)
        return data["v"]["eligible"] is False and data["b"] is not None

    wait_until(both, "the debarred firm barred and the other registered")


def screened(chrome: WebDriver, count: int) -> dict[str, tuple[str, str]]:
    """The list's answer, once it has `count` rows."""
    until(chrome, lambda c: len(result_rows(c, LIST)) == count, f"{count} rows")
    return result_rows(chrome, LIST)


def test_a_pasted_list_is_one_bidder_a_line_and_a_csv_is_read_as_csv(
    embedded: System, tmp_path: Path
) -> None:
    recorded(embedded, tmp_path)
    uploaded = tmp_path / "bidders.csv"  # no header row: each row's first cell
    uploaded.write_text(f'"{DEBARRED}",VN\n"{COMMA_LTD}",JP\n', encoding="utf-8")
    with console_chromium() as chrome:
        chrome.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
        )
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        fill(chrome, "condition-asOf", DURING)

        # Pasted: each line whole, the commas the names'.
        fill(chrome, "list-text", f"{DEBARRED}\n\n  {COMMA_LTD}  \n")
        chrome.find_element(By.CSS_SELECTOR, BUTTON).click()
        table = screened(chrome, 2)
        assert sorted(table) == ["line 1", "line 3"]  # the blank line skipped, still counted
        status, row = table["line 1"]
        assert status == "POSSIBLE_MATCH" and "wb-viwaseen" in row, row
        assert DEBARRED in row.split("\t")[1], row  # what was given, whole
        assert COMMA_LTD in table["line 3"][1].split("\t")[1], table["line 3"]
        assert shown(chrome, "#list-read-as") == "Read as one bidder a line."
        screenshot(chrome, "bidder-list-commas")
        # The downloaded result says what was given, whole.
        chrome.find_element(By.CSS_SELECTOR, f"{LIST} button").click()
        download = tmp_path / "screening.csv"
        wait_until(download.exists, "the CSV download")
        with download.open(encoding="utf-8-sig", newline="") as file:
            given = [(row["ref"], row["input"]) for row in csv.DictReader(file)]
        assert given == [("line 1", DEBARRED), ("line 3", COMMA_LTD)]

        # Pasted with a header row: a CSV, its quoted names whole and its columns read.
        fill(chrome, "list-text", f'名称,country\n"{DEBARRED}",VN\n"{COMMA_LTD}",JP\n')
        assert shown(chrome, "#list-read-as") == "Read as a CSV: its first line names the columns."
        chrome.find_element(By.CSS_SELECTOR, BUTTON).click()
        until(chrome, lambda c: "line 2" in result_rows(c, LIST), "the CSV's rows")
        table = screened(chrome, 2)
        assert DEBARRED in table["line 2"][1] and COMMA_LTD in table["line 3"][1], table

        # An uploaded .csv file without a header row: each row's first cell.
        chrome.find_element(By.ID, "list-file").send_keys(str(uploaded))
        until(chrome, lambda c: "CSV file" in shown(c, "#list-read-as"), "read as the file")
        chrome.find_element(By.CSS_SELECTOR, BUTTON).click()
        until(chrome, lambda c: "line 3" not in result_rows(c, LIST), "the file's rows")
        table = screened(chrome, 2)
        assert table["line 1"][1].split("\t")[1] == DEBARRED, table
        assert table["line 2"][1].split("\t")[1] == COMMA_LTD, table
        # Typed in, the text is a pasted list again: one bidder a line.
        chrome.find_element(By.ID, "list-text").send_keys("x")
        assert shown(chrome, "#list-read-as") == "Read as one bidder a line."


def test_in_japanese_a_list_says_its_refs_and_days_as_the_screen_says_dates(
    embedded: System, tmp_path: Path
) -> None:
    recorded(embedded, tmp_path)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        in_japanese(chrome)
        until(chrome, lambda c: "入札参加者" in c.find_element(By.TAG_NAME, "nav").text, "ja")
        fill(chrome, "condition-asOf", "令和5年1月10日")
        # A bidder judged: the registry's day, ISO with its era date, as every date is shown.
        Select(chrome.find_element(By.ID, "one-by")).select_by_value("vendorId")
        fill(chrome, "one-value", "wb-viwaseen")
        chrome.find_element(By.CSS_SELECTOR, "#one-value ~ button[type=submit]").click()
        answered = shown(chrome, "#one-title ~ .results .answered-for")
        assert answered == "2023-01-10 令和5年1月10日 時点の回答", answered
        # None judged: the registry gave no day; the day asked is said apart, as typed.
        fill(chrome, "list-text", "存在しない架空商事株式会社")
        chrome.find_element(By.CSS_SELECTOR, BUTTON).click()
        table = screened(chrome, 1)
        assert table["line 1"][0] == "UNKNOWN"
        assert table["line 1"][1].startswith("1 行目\t"), table  # it said `line 1`
        answered = shown(chrome, f"{LIST} .answered-for")
        assert answered == "判定できた入札参加者はいません（指定した日: 令和5年1月10日）", answered
        # The exclusions export's day takes an era date as every date field does, and says so.
        assert "和暦（令和4年11月28日）" in shown(chrome, "#exclusions-asOf-hint")
