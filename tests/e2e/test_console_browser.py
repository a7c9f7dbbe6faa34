"""The console in a real browser on a closed network, against a real `vendorwatch up`: signed
in by the link `up` prints or with a pasted token, in English and Japanese, a procurement
officer screens a pasted and an uploaded bidder list and reads vendor B's page, the admin reads
its timeline, and a token the API refuses is shown with the API's own reason (the risk board:
test_console_risk_board.py).

Each page shown is checked by axe-core (no serious accessibility violation) and saved as a
screenshot under test-artifacts/console/ (git-ignored)."""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from services.platform.security.auth import Role, issue_token
from tests.support import case_b, principals
from tests.support.browser import traffic
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    console_chromium,
    fill,
    in_japanese,
    origin,
    result_rows,
    screenshot,
    shown,
    sign_in_with,
    slow_answers,
    until,
)
from tests.support.console_registry_case import (
    B_NUMBER,
    C_NUMBER,
    D_LAST_DAY,
    D_RESUMED,
    D_SANCTION,
    E_AFFILIATED,
    recorded,
)
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

DURING_THE_SUSPENSION = "令和5年1月10日"  # 2023-01-10, as an officer may type it
SANCTION = "city-2022-001"
UPLOADED_BIDDERS = 300


def printed_sign_in_link(system: System) -> str:
    assert system.log_path is not None
    lines = system.log_path.read_text().splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith("Console for the local admin")]
    return lines[at + 1].strip()


def holds(script: str) -> Callable[[WebDriver], bool]:
    """A check that `script`, run in the page, returns true."""
    return lambda chrome: bool(chrome.execute_script(script))


def given(chrome: WebDriver) -> tuple[str, str] | None:
    """The one bidder's answer: what the officer gave (the "Given" cell) and its status."""
    found: list[str] | None = chrome.execute_script(
        "const row = document.querySelector('#one-title ~ .results tr[data-ref]');"
        "return row && [row.cells[1].innerText, row.dataset.status];"
    )
    return (found[0], found[1]) if found else None


def screen_one(chrome: WebDriver, by: str, value: str) -> tuple[str, str]:
    """One bidder screened by `by` (name, corporateNumber, vendorId): its answer."""
    Select(chrome.find_element(By.ID, "one-by")).select_by_value(by)
    fill(chrome, "one-value", value)
    chrome.find_element(By.CSS_SELECTOR, "#one-value ~ button[type=submit]").click()
    until(chrome, lambda c: (given(c) or ("",))[0] == value, f"the answer for {value}")
    answer = given(chrome)
    assert answer is not None
    return answer


def last_recorded(system: System, vendor_id: str) -> dt.datetime:
    query = """query ($id: ID!) { events(vendorId: $id, first: 500) {
      edges { node { recordedAt } } } }"""
    edges = system.client.data(query, id=vendor_id)["events"]["edges"]
    return max(dt.datetime.fromisoformat(edge["node"]["recordedAt"]) for edge in edges)


def test_an_officer_screens_a_pasted_and_an_uploaded_list_and_reads_vendor_b(
    embedded: System, tmp_path: Path
) -> None:
    recorded(embedded, tmp_path)
    officer = principals.token(Role.PROCUREMENT_OFFICER)
    # A quote inside a name is the name's: read as opening a quoted cell, it ran the lines
    # after it into one bidder, and vendor C's number was never screened.
    pasted = [B_NUMBER, "びーしすてむ", "8000012050002", 'O"Neil Trading Co.', C_NUMBER]
    uploaded = tmp_path / "bidders.csv"
    with uploaded.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["法人番号", "名称"])
        for n in range(UPLOADED_BIDDERS - 1):
            writer.writerow(["", f"入札参加者{n:03d}建設株式会社"])
        writer.writerow([B_NUMBER, "株式会社ビーシステム"])
    with console_chromium() as chrome:
        chrome.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
        )
        # An officer in Tokyo: the browser's own zone is not the UTC every time is shown in.
        chrome.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
        slow_answers(chrome)
        chrome.get(f"{origin(embedded)}/")
        shown(chrome, "#token")
        screenshot(chrome, "sign-in")
        sign_in_with(chrome, officer)
        # The role decides: screening and vendors, and whose session it is.
        assert "Signed in as test-procurement_officer (procurement officer)" in shown(
            chrome, ".who"
        )
        nav = chrome.find_element(By.CSS_SELECTOR, "nav ul").text.splitlines()
        assert nav == [
            "Screening",
            "Vendors",
            "Risk board",
            "Incidents",
            "Migration plans",  # to read
            "Alerts",
            "Watchlists",
            "Event status",
        ]

        chrome.find_element(By.ID, "condition-asOf").send_keys(DURING_THE_SUSPENSION)
        # One bidder by name: its answer, and the vendors the name may be, ranked.
        chrome.find_element(By.ID, "one-value").send_keys("ビーシステム")
        chrome.find_element(By.CSS_SELECTOR, "#one-value ~ button[type=submit]").click()
        until(chrome, lambda c: result_rows(c, "#one-title ~ .results"), "the one bidder's answer")
        assert result_rows(chrome, "#one-title ~ .results")["1"][0] == "POSSIBLE_MATCH"
        ranked = shown(chrome, "#one-title ~ table.candidates tbody tr")
        assert ranked.startswith("vendor-b ") and "100.0" in ranked
        # By vendor id: the answer says what was given (the cell was left empty).
        assert screen_one(chrome, "vendorId", case_b.VENDOR) == (case_b.VENDOR, "BARRED")
        one = "#one-title ~ .results tr[data-ref] .reasons li"
        assert f"{case_b.SUSPENSION_START} – {case_b.LAST_SUSPENDED_DAY}" in shown(chrome, one)
        assert "sanction from" not in shown(chrome, one)  # the bar began with its sanction
        # A bar that began after its sanction's first day shows its own days, the sanction's
        # first day apart: after a gap (D's), and from an affiliation's start (E's).
        assert screen_one(chrome, "vendorId", "vendor-d") == ("vendor-d", "BARRED")
        reason = shown(chrome, one)
        assert (
            f"{D_SANCTION} · bid suspension · City procurement office · {D_RESUMED} –"
            f" {D_LAST_DAY} · resumed after a gap (sanction from {case_b.SUSPENSION_START})"
        ) in reason, reason
        assert screen_one(chrome, "vendorId", "vendor-e") == ("vendor-e", "BARRED")
        reason = shown(chrome, one)
        assert f"{E_AFFILIATED} – {D_LAST_DAY} (sanction from {case_b.SUSPENSION_START})" in reason
        assert "resumed" not in reason and "through affiliate vendor-d" in reason, reason

        # "As known at" is UTC, as the times the console shows: a moment just after B's
        # sanction was recorded finds B barred, whatever the browser's zone (read as Tokyo's
        # time it was nine hours earlier, before B was registered: UNKNOWN).
        assert "UTC" in shown(chrome, "label[for=condition-knownAt]")
        assert "UTC" in shown(chrome, "#condition-knownAt-hint")
        after = last_recorded(embedded, case_b.VENDOR).replace(microsecond=0) + dt.timedelta(
            seconds=1
        )
        wait_until(lambda: dt.datetime.now(dt.UTC) > after, "the moment asked to pass")
        known_at = after.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        fill(chrome, "condition-knownAt", known_at)
        assert screen_one(chrome, "corporateNumber", B_NUMBER) == (B_NUMBER, "BARRED")
        fill(chrome, "condition-knownAt", "")

        chrome.find_element(By.ID, "list-text").send_keys("\n".join(pasted))
        chrome.find_element(By.CSS_SELECTOR, "#list-text ~ button[type=submit]").click()
        until(chrome, lambda c: len(result_rows(c, "#list-title ~ .results")) == 5, "five rows")
        table = result_rows(chrome, "#list-title ~ .results")
        assert {ref: status for ref, (status, _) in table.items()} == {
            "line 1": "BARRED",
            "line 2": "POSSIBLE_MATCH",
            "line 3": "INVALID",
            "line 4": "UNKNOWN",
            "line 5": "ELIGIBLE",
        }
        barred = table["line 1"][1]
        assert "vendor-b" in barred and SANCTION in barred and case_b.ELIGIBLE_AGAIN in barred
        assert "scores 100 against its legal name '株式会社ビーシステム'" in table["line 2"][1]
        assert "fails its check digit (first digit should be 7)" in table["line 3"][1]
        assert "vendor-c" in table["line 5"][1]
        screenshot(chrome, "screening")

        # The result as CSV: one row per bidder, in order, as the table shows them.
        chrome.find_element(By.CSS_SELECTOR, "#list-title ~ .results button").click()
        download = tmp_path / "screening.csv"
        wait_until(download.exists, "the CSV download")
        with download.open(encoding="utf-8-sig", newline="") as file:
            lines = list(csv.DictReader(file))
        assert [(r["ref"], r["input"], r["status"]) for r in lines] == [
            (f"line {i + 1}", given, table[f"line {i + 1}"][0]) for i, given in enumerate(pasted)
        ]
        assert lines[0]["vendor_id"] == "vendor-b"
        assert lines[0]["eligible_again_on"] == case_b.ELIGIBLE_AGAIN
        # A possible match as the screen shows it: barred, by which sanction until when, and
        # the day it may bid again (the file had its name and score alone).
        candidate = lines[1]["candidates"]
        assert candidate.startswith("vendor-b 100 株式会社ビーシステム (LEGAL); barred; by ")
        assert SANCTION in candidate and f"..{case_b.LAST_SUSPENDED_DAY}" in candidate, candidate
        assert f"eligible again on {case_b.ELIGIBLE_AGAIN}" in candidate, candidate
        # Each answer says the day it is for, and says so no longer once the day is changed.
        assert {r["as_of"] for r in lines} == {"2023-01-10"}
        answered = "Answers for 2023-01-10"
        assert shown(chrome, "#list-title ~ .results .answered-for") == answered
        assert chrome.find_elements(By.CSS_SELECTOR, "#list-title ~ .results .stale") == []
        chrome.find_element(By.ID, "condition-asOf").send_keys(Keys.BACKSPACE)
        assert "screen again" in shown(chrome, "#list-title ~ .results .stale")
        assert shown(chrome, "#list-title ~ .results .answered-for") == answered
        chrome.find_element(By.ID, "condition-asOf").send_keys(DURING_THE_SUSPENSION[-1])
        fresh = "#list-title ~ .results .stale"
        until(chrome, lambda c: not c.find_elements(By.CSS_SELECTOR, fresh), "fresh")

        # A CSV file with a header row: 300 bidders screened in one request.
        chrome.find_element(By.ID, "list-file").send_keys(str(uploaded))
        button = "#list-text ~ button[type=submit]"
        until(chrome, lambda c: "300" in c.find_element(By.CSS_SELECTOR, button).text, "300")
        chrome.find_element(By.CSS_SELECTOR, button).click()
        until(
            chrome,
            lambda c: len(result_rows(c, "#list-title ~ .results")) == UPLOADED_BIDDERS,
            "300 rows",
        )
        statuses = {r: s for r, (s, _) in result_rows(chrome, "#list-title ~ .results").items()}
        barred_refs = [ref for ref, status in statuses.items() if status == "BARRED"]
        assert barred_refs == [f"line {UPLOADED_BIDDERS + 1}"]  # the header is line 1
        assert set(statuses.values()) == {"BARRED", "UNKNOWN"}

        # The API out of reach: the list says so (it was left busy, its button disabled, and
        # the answers gone), and screens again once it is back.
        chrome.execute_cdp_cmd("Network.enable", {})
        chrome.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/graphql*"]})
        chrome.find_element(By.CSS_SELECTOR, button).click()
        assert "The API could not be reached" in shown(chrome, "#list-title ~ .refusal")
        blocked = traffic(chrome).failed  # read now: the one failure is ours
        assert [url for url, _ in blocked] == [f"{origin(embedded)}/graphql"]
        chrome.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        chrome.find_element(By.CSS_SELECTOR, button).click()
        until(
            chrome,
            lambda c: len(result_rows(c, "#list-title ~ .results")) == UPLOADED_BIDDERS,
            "back",
        )

        # Vendor B's page from its row: the suspension, on the calendar bar too.
        chrome.find_element(By.CSS_SELECTOR, "tr[data-status=BARRED] a").click()
        sanction = shown(chrome, f"tr[data-sanction='{SANCTION}']")
        assert shown(chrome, "main h2").startswith("株式会社ビーシステム")
        assert case_b.SUSPENSION_START in sanction and case_b.LAST_SUSPENDED_DAY in sanction
        bar = chrome.find_element(By.CSS_SELECTOR, f".track[data-sanction='{SANCTION}'] .barred")
        span = f"{SANCTION}: {case_b.SUSPENSION_START} – {case_b.LAST_SUSPENDED_DAY}"
        assert bar.get_attribute("aria-label") == span
        assert B_NUMBER in shown(chrome, "dl.facts")
        affiliate = shown(chrome, f"li[data-affiliate='{case_b.SUBSIDIARY}']")
        assert "from 2020-04-01" in affiliate and "still standing" in affiliate
        # The log's timeline is for auditors and admins: an officer is not offered it.
        assert chrome.find_elements(By.CSS_SELECTOR, "ol.timeline") == []
        screenshot(chrome, "vendor-officer")

        # An affiliate's link answered slowly: the page says it is loading, not B as the sub.
        chrome.execute_script("window.slow = arguments[0];", f'"{case_b.SUBSIDIARY}"')
        chrome.find_element(By.LINK_TEXT, case_b.SUBSIDIARY).click()
        until(chrome, lambda c: c.find_element(By.TAG_NAME, "main").text == "Loading…", "loading")
        until(chrome, lambda c: case_b.SUBSIDIARY in shown(c, "main h2"), "the affiliate's page")
        # B asked, then a vendor that does not exist: B's late answer is not shown under it.
        ghost = "No vendor ghost is registered."
        for page in ("vendor", "risk-vendor"):
            chrome.execute_script("window.slow = arguments[0];", f'"{case_b.VENDOR}"')
            late = chrome.execute_script("return window.lateAnswers;")
            chrome.execute_script(f"location.hash = '#/{page}/{case_b.VENDOR}';")
            asked = f"return window.lateAsked > {late};"
            until(chrome, holds(asked), "B asked")
            chrome.execute_script(f"location.hash = '#/{page}/ghost';")
            until(chrome, lambda c: ghost in c.find_element(By.TAG_NAME, "main").text, ghost)
            answered = f"return window.lateAnswers > {late};"
            until(chrome, holds(answered), "B's answer")
            time.sleep(0.5)  # what the page would do with B's answer, done by now
            assert chrome.find_element(By.TAG_NAME, "main").text == ghost, page

        # Search scores as every score is shown: one decimal (92.3076923076923 was shown).
        chrome.execute_script("window.slow = null; location.hash = '#/vendors';")
        shown(chrome, "#vendor-search")  # the search screen drawn (the hash is taken later)
        chrome.find_element(By.ID, "vendor-search").send_keys("ビーシステムズ", Keys.ENTER)
        score = shown(chrome, "table.candidates tbody td.number")
        assert score == "92.3"
        assert_only_the_api_was_reached(chrome, embedded)


def test_the_admin_signs_in_by_the_link_in_japanese_and_a_refused_token_says_why(
    embedded: System, tmp_path: Path
) -> None:
    recorded(embedded, tmp_path)
    link = printed_sign_in_link(embedded)
    assert link.startswith(f"{origin(embedded)}/#signin=")
    with console_chromium() as chrome:
        chrome.get(link)
        assert "Signed in as local-admin (administrator)" in shown(chrome, ".who")
        # The token left the address bar (and the history entry) at once.
        assert chrome.current_url == f"{origin(embedded)}/"
        token = link.split("#signin=", 1)[1]
        assert chrome.execute_script("return Object.values(sessionStorage)") == [token]

        in_japanese(chrome)
        until(chrome, lambda c: "入札参加者の確認" in c.find_element(By.TAG_NAME, "nav").text, "ja")
        chrome.refresh()
        # Remembered: still Japanese after a reload, and still signed in (this tab).
        assert "local-admin（管理者）でサインイン中" in shown(chrome, ".who")
        assert chrome.find_element(By.TAG_NAME, "nav").text.splitlines()[:2] == [
            "入札参加者の確認",
            "事業者",
        ]
        assert chrome.execute_script("return document.documentElement.lang") == "ja"
        screenshot(chrome, "screening-ja")

        # A suspension longer than the policy allows, sent raw: in the log, refused by the
        # registry; the timeline says it had no effect.
        too_long = case_b.suspended(sanction_id="too-long", duration_months=24)
        raw = tmp_path / "too-long.jsonl"
        raw.write_bytes(case_b.line(too_long) + b"\n")
        embedded.publish(raw)
        status = "query ($id: ID!) { eventStatus(eventId: $id) { refusedBy } }"
        until(
            chrome,
            lambda _: (
                embedded.client.data(status, id=too_long["event_id"])["eventStatus"]["refusedBy"]
                == ["REGISTRY"]
            ),
            "the registry's verdict",
        )
        # Recorded through the API by another client (the tests' admin): the timeline says who.
        updated = embedded.client.data(
            'mutation { updateVendor(vendorId: "vendor-b", payload: {nameEn: "B-System Co., Ltd."},'
            " waitForProcessing: true) { accepted } }"
        )
        assert updated["updateVendor"]["accepted"]
        chrome.get(f"{origin(embedded)}/#/vendor/{case_b.VENDOR}")
        sanction = shown(chrome, f"tr[data-sanction='{SANCTION}']")
        # ISO with the era date beside it.
        assert "2022-07-09 令和4年7月9日" in sanction
        assert "2024-01-08 令和6年1月8日" in sanction
        assert "指名停止" in sanction
        # The calendar's caption names its window (a month either side), not the sanction's
        # period, which it gave a month too long each way.
        caption = shown(chrome, "figure.calendar figcaption")
        assert (
            caption
            == "措置のカレンダー（表示期間） 2022-06-09 令和4年6月9日 – 2024-02-07 令和6年2月7日"
        )
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "ol.timeline li"), "timeline")
        events = chrome.find_elements(By.CSS_SELECTOR, "ol.timeline li")
        kinds = [event.get_attribute("data-event-type") for event in events]
        assert kinds == [
            "vendor.registered",
            "sanction.imposed",
            "sanction.imposed",
            "vendor.updated",
        ]  # log order
        assert "措置" in events[1].text and "送信元: city.procurement" in events[1].text
        refused = [event.get_attribute("data-refused") for event in events]
        assert refused == ["false", "false", "true", "false"], refused
        assert "登録簿が受け付けず、そこでは何の効果もありません" in events[2].text
        assert "API 経由で test-admin（管理者）が記録" in events[3].text
        assert "B-System Co., Ltd." in shown(chrome, "dl.facts")
        screenshot(chrome, "vendor-admin-ja")
        # A link cut inside an escape: the screen says there is no such vendor (it stopped
        # the navigation dead, the screen before left in place).
        chrome.get(f"{origin(embedded)}/#/vendor/%E0%A4%A")
        cut = "事業者 %E0%A4%A は登録されていません。"
        until(chrome, lambda c: cut in c.find_element(By.TAG_NAME, "main").text, "no such vendor")
        # No id at all: no vendor was named (it said none was registered).
        chrome.get(f"{origin(embedded)}/#/vendor/")
        none = "アドレスに事業者が指定されていません"
        until(chrome, lambda c: none in c.find_element(By.TAG_NAME, "main").text, "none named")
        assert_only_the_api_was_reached(chrome, embedded)

        # Signed out, then a token the API does not accept: its refusal, as it says it.
        chrome.find_element(By.CSS_SELECTOR, ".who button").click()
        shown(chrome, "#token")
        assert chrome.execute_script("return sessionStorage.length") == 0
        forged = issue_token(b"not the server's secret, 32 bytes+", subject="x", role=Role.ADMIN)
        refusal = httpx.post(
            embedded.client.url,
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {forged}"},
        )
        assert refusal.status_code == 401
        reason = refusal.json()["errors"][0]["message"]
        sign_in_with(chrome, forged)
        alert = shown(chrome, ".refusal")
        assert "API が拒否しました" in alert and reason in alert
        assert chrome.find_elements(By.CSS_SELECTOR, "nav") == []
        screenshot(chrome, "refused-token-ja")

        # The link opened again in this tab, where the console is open: only the address's
        # fragment changes, no page loads, and it signed nobody in, the token left in sight.
        chrome.get(link)
        assert "local-admin（管理者）でサインイン中" in shown(chrome, ".who")
        assert chrome.current_url == f"{origin(embedded)}/"
        assert chrome.execute_script("return Object.values(sessionStorage)") == [token]
