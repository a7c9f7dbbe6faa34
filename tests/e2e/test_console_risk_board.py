"""The risk board in a real browser on a closed network, against a real `vendorwatch up`: a risk
analyst sees the riskiest vendors as the API ranks them, filters them by agency and band, reads
a vendor's breakdown (each factor, its points, the events behind it) and its score history, and
sees a vendor's row change in place, highlighted, when another client imposes a sanction on it
through the API; then reads the board in Japanese. A board whose connection drops says so,
reconnects, and shows (highlighted) what moved while it was away.

Each page shown is checked by axe-core (no serious accessibility violation) and saved as a
screenshot under test-artifacts/console/ (git-ignored)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from services.platform.security.auth import Role
from services.risk.domain.risk_score import FACTOR_NAMES
from tests.support import case_b, case_risk, principals
from tests.support.browser import traffic
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    console_chromium,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
    viewport,
)
from tests.support.console_risk_case import (
    C_LATE_REPORT,
    LEAKING,
    RISKIEST,
    board,
    incident_today,
    leaking_vendor_breached,
    leaking_vendor_scored,
    risky,
)
from tests.support.event_examples import sanction_input
from tests.support.migration_checks import TOKYO, operation, publish_events
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres


JAPANESE_BANDS = {"LOW": "低", "MEDIUM": "中", "HIGH": "高", "CRITICAL": "重大"}
# Where the history chart's plot starts (riskchart.js's MARGIN.left): no point left of it.
CHART_LEFT = 40


def filtered(chrome: WebDriver, agency: str, band: str) -> None:
    field = chrome.find_element(By.ID, "risk-agency")
    # Typed over, as a person does (clear() would change the value without an input event).
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE, agency)
    Select(chrome.find_element(By.ID, "risk-band")).select_by_value(band)
    chrome.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()


def test_a_risk_analyst_filters_the_board_reads_why_and_sees_a_sanction_move_a_row_live(
    embedded: System, tmp_path: Path
) -> None:
    usb_events = risky(embedded, tmp_path)
    ranked = embedded.client.data(RISKIEST)["riskiestVendors"]
    d_band = next(r["band"] for r in ranked if r["vendorId"] == LEAKING)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        assert shown(chrome, "nav ul").splitlines() == [
            "Vendors",
            "Risk board",
            "Incidents",  # investigated and closed there
            "Migration plans",  # to read: a risk analyst records nothing there
            "Event status",
        ]
        chrome.find_element(By.LINK_TEXT, "Risk board").click()
        # The riskiest vendors as the API ranks them, each with its score and band.
        until(chrome, lambda c: len(board(c)) == len(ranked), "the ranked vendors")
        shown_rows = board(chrome)
        assert [(v, b) for v, b, _, _ in shown_rows] == [(r["vendorId"], r["band"]) for r in ranked]
        for (_, _, _, text), row in zip(shown_rows, ranked, strict=True):
            assert f"{row['score']:.1f}" in text
        assert "株式会社ビーシステム" in shown_rows[[r[0] for r in shown_rows].index("vendor-b")][3]
        until(chrome, lambda c: "on" in c.find_element(By.CSS_SELECTOR, ".live").text, "live")

        filtered(chrome, case_risk.AGENCY, "")  # B's contracting agency
        until(chrome, lambda c: [r[0] for r in board(c)] == [case_b.VENDOR], "市民課's vendors")
        assert shown(chrome, "table.risk-board caption") == "The riskiest vendor (the only one)"
        filtered(chrome, "", d_band)
        in_band = embedded.client.data(RISKIEST, band=d_band)["riskiestVendors"]
        expected = [r["vendorId"] for r in in_band]
        until(chrome, lambda c: [r[0] for r in board(c)] == expected, f"the {d_band} vendors")
        filtered(chrome, "", "")
        until(chrome, lambda c: len(board(c)) == len(ranked), "every vendor again")
        screenshot(chrome, "risk-board")

        # B's breakdown: each factor with its points and the events behind them; its history.
        chrome.find_element(By.CSS_SELECTOR, "tr[data-vendor='vendor-b'] a").click()
        incidents = shown(chrome, "tr[data-factor=incidents]")
        assert all(event_id in incidents for event_id in usb_events)
        factors = chrome.find_elements(By.CSS_SELECTOR, "table.factors tbody tr")
        names = [f.get_attribute("data-factor") for f in factors]
        assert names and set(names) <= set(FACTOR_NAMES)
        points = len(chrome.find_elements(By.CSS_SELECTOR, ".history-chart circle"))
        assert points == len(case_risk.the_case())
        screenshot(chrome, "risk-vendor")
        # The vendor's page and its risk page link to each other.
        chrome.find_element(By.CSS_SELECTOR, "main h2 small a").click()
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "dl.facts"), "B's page")
        chrome.find_element(By.LINK_TEXT, "Its risk: score, why, and history").click()
        shown(chrome, "tr[data-factor=incidents]")
        # C's history in date order, though its 2021 incident was recorded after 2022's: every
        # point on the chart, and the caption's range starting with the earliest day.
        chrome.get(f"{origin(embedded)}/#/risk-vendor/{case_risk.SUBCONTRACTOR}")
        caption = shown(chrome, ".history-chart figcaption")
        assert caption.startswith(
            f"The score after each of its 2 recorded changes, {C_LATE_REPORT}"
        )
        circles = "return [...document.querySelectorAll('.history-chart circle')]"
        xs = [float(x) for x in chrome.execute_script(f"{circles}.map(c => c.getAttribute('cx'));")]
        assert len(xs) == 2 and min(xs) >= CHART_LEFT and xs == sorted(xs), xs
        # A mistyped id: no vendor, not a vendor scored 0, low (the API scores any id so).
        chrome.get(f"{origin(embedded)}/#/risk-vendor/vendor-bb")
        until(chrome, lambda c: "No vendor vendor-bb is registered." in c.page_source, "unknown")
        assert chrome.find_elements(By.CSS_SELECTOR, ".risk-now") == []
        chrome.back()
        shown(chrome, "tr[data-factor=incidents]")

        # Back on the board, another client imposes a suspension on B from today: B's row
        # changes in place, highlighted, with its move and its new eligibility, no reload.
        chrome.find_element(By.LINK_TEXT, "Risk board").click()
        until(chrome, lambda c: len(board(c)) == len(ranked), "the board again")
        until(chrome, lambda c: "on" in c.find_element(By.CSS_SELECTOR, ".live").text, "live")
        chrome.execute_script("window.sameDocument = true;")
        before = next(r for r in ranked if r["vendorId"] == case_b.VENDOR)["score"]
        today = dt.datetime.now(TOKYO).date()
        suspension = case_b.suspended(
            sanction_id="city-live-001",
            decided_on=(today - dt.timedelta(days=1)).isoformat(),
            starts_on=today.isoformat(),
        )["payload"]
        imposed = embedded.client.data(
            operation("impose-sanction"),
            vendorId=case_b.VENDOR,
            sanction=sanction_input(suspension) | {"kind": "BID_SUSPENSION"},
        )
        assert imposed["imposeSanction"]["accepted"], imposed

        def b_now() -> dict[str, Any]:
            return next(
                r
                for r in embedded.client.data(RISKIEST)["riskiestVendors"]
                if r["vendorId"] == case_b.VENDOR
            )

        wait_until(lambda: b_now()["score"] > before, "B's score raised by the suspension")
        after = b_now()

        def b_moved(c: WebDriver) -> bool:
            row = next(r for r in board(c) if r[0] == case_b.VENDOR)
            return "moved" in row[2] and f"{after['score']:.1f}" in row[3] and "barred" in row[3]

        until(chrome, b_moved, "B's row moved")
        (b_row,) = [r for r in board(chrome) if r[0] == case_b.VENDOR]
        assert f"→ {after['score']:.1f}" in b_row[3] and "↑" in b_row[3]
        assert f"barred from {today.isoformat()}" in b_row[3]
        assert [r[2] for r in board(chrome) if r[0] != case_b.VENDOR] == [""] * (len(ranked) - 1)
        assert chrome.execute_script("return window.sameDocument") is True
        assert case_b.VENDOR in shown(chrome, ".feed li[data-kind=risk]")
        screenshot(chrome, "risk-board-moved")

        # C, low and never announced, leaks data today: the API's move has no old score, and
        # the row moves from the score it showed (it said "new").
        c_before = next(r for r in board(chrome) if r[0] == case_risk.SUBCONTRACTOR)[3]
        c_score = next(r["score"] for r in ranked if r["vendorId"] == case_risk.SUBCONTRACTOR)
        assert f"{c_score:.1f}" in c_before
        publish_events(
            embedded.publish,
            tmp_path / "c-leak.jsonl",
            incident_today(case_risk.SUBCONTRACTOR, "inc-c-leak", "data_leak"),
        )

        def c_moved(c: WebDriver) -> str | None:
            row = next(r for r in board(c) if r[0] == case_risk.SUBCONTRACTOR)
            return row[3] if "moved" in row[2] and "→" in row[3] else None

        until(chrome, c_moved, "C's row moved")
        assert f"↑ {c_score:.1f} → " in (c_moved(chrome) or "")

        # In Japanese, still highlighted: the labels, B's band, the day it is barred from
        # with its era date beside it.
        in_japanese(chrome)
        until(chrome, lambda c: "リスク一覧" in c.find_element(By.TAG_NAME, "nav").text, "ja")
        assert shown(chrome, ".live") == "リアルタイム更新: 受信中"
        headers = chrome.find_elements(By.CSS_SELECTOR, "table.risk-board th")
        assert [h.text for h in headers[:4]] == ["順位", "事業者", "スコア", "区分"]
        (b_row,) = [r for r in board(chrome) if r[0] == case_b.VENDOR]
        era = f"令和{today.year - 2018}年{today.month}月{today.day}日"
        assert f"参加不可: 開始 {today.isoformat()} {era}" in b_row[3] and "moved" in b_row[2]
        assert f"\t{JAPANESE_BANDS[after['band']]}\t" in b_row[3]  # its own cell
        # At 1280 px a band's label keeps one line: 重大 broke onto two, the band column being
        # as narrow as its cells allow (no vendor of the case is critical: a row's label is
        # written as that one, in place, to measure it).
        viewport(chrome, 1280, 800)
        assert chrome.execute_script(BROKEN_BANDS, JAPANESE_BANDS["CRITICAL"]) == []
        screenshot(chrome, "risk-board-ja")
        assert_only_the_api_was_reached(chrome, embedded)


# The board's band labels whose text runs over more than one line once the first is written
# as `arguments[0]`.
BROKEN_BANDS = """
const bands = [...document.querySelectorAll('table.risk-board .band')];
bands[0].textContent = arguments[0];
return bands.filter((band) => {
  const text = document.createRange();
  text.selectNodeContents(band);
  return new Set([...text.getClientRects()].map((line) => Math.round(line.top))).size > 1;
}).map((band) => band.textContent);
"""


# Run in the page before the console: its WebSockets are kept where the test can close them,
# and while `cutOff` is set new ones go to an address that refuses them (a network that drops).
DROPPABLE_SOCKETS = """
const Real = window.WebSocket;
window.sockets = [];
window.cutOff = false;
window.WebSocket = class extends Real {
  constructor(url, protocols) {
    super(window.cutOff ? url.replace("/graphql", "/unreachable") : url, protocols);
    window.sockets.push(this);
  }
};
"""


# True once a socket opened while cut off has been refused and closed.
REFUSED_ATTEMPT = (
    "return window.sockets.some(s => s.url.includes('/unreachable') && s.readyState === 3);"
)


def test_the_board_reconnects_after_a_drop_and_shows_what_moved_meanwhile(
    embedded: System, tmp_path: Path
) -> None:
    d_score = leaking_vendor_scored(embedded, tmp_path)
    before = d_score()
    with console_chromium() as chrome:
        chrome.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": DROPPABLE_SOCKETS}
        )
        chrome.get(f"{origin(embedded)}/#/risk")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        until(chrome, lambda c: board(c) and f"{before:.1f}" in board(c)[0][3], "D's score")
        until(chrome, lambda c: shown(c, ".live") == "Live updates: on", "live")
        assert_only_the_api_was_reached(chrome, embedded)

        chrome.execute_script("window.cutOff = true; window.sockets.at(-1).close(4000, 'drop');")
        until(chrome, lambda c: "reconnecting" in shown(c, ".live"), "the connection lost")
        # A second incident while the board cannot hear: the API has it, the row does not.
        after = leaking_vendor_breached(embedded, tmp_path, d_score, before)
        ((_, _, kind, text),) = board(chrome)
        assert kind == "" and f"{before:.1f}" in text
        # The console's first retry waits a second: the cut lasts until one attempt was refused
        # (the breach above may take less when the machine is idle).
        until(chrome, lambda c: c.execute_script(REFUSED_ATTEMPT), "a reconnection attempt")

        chrome.execute_script("window.cutOff = false;")
        until(chrome, lambda c: shown(c, ".live") == "Live updates: on", "live again")
        until(chrome, lambda c: f"{after:.1f}" in board(c)[0][3], "D's score read again")
        ((_, _, kind, text),) = board(chrome)
        assert kind == "moved" and f"↑ {before:.1f} → {after:.1f}" in text
        screenshot(chrome, "risk-board-reconnected")
        # Nothing failed but the attempts to the address that refused them.
        seen = traffic(chrome)
        assert seen.failed == [], seen.failed
        assert seen.console_errors, "the attempts while cut off"
        assert all("/unreachable" in error for error in seen.console_errors), seen.console_errors


FACTORS = """query ($id: ID!) {
  vendor(vendorId: $id) { riskScore { score factors { name contribution } } } }"""


def test_the_board_says_when_its_figures_were_read_and_reads_unannounced_factors_again(
    embedded: System, tmp_path: Path
) -> None:
    """D's score held at the cap of 100: another incident moves its incidents' points but not
    its score, so risk announces nothing (risk.changed means a band change or a large move).
    The board cannot hear of it: it says when its figures were read, that factors can move
    unannounced, no longer that nothing changed, and reads them again on request."""
    d_score = leaking_vendor_scored(embedded, tmp_path)
    leaking_vendor_breached(embedded, tmp_path, d_score, d_score())
    publish_events(
        embedded.publish, tmp_path / "third.jsonl", incident_today(LEAKING, "inc-d-3", "data_leak")
    )
    wait_until(lambda: d_score() == 100.0, "D at the cap")

    def incidents() -> float:
        score = embedded.client.data(FACTORS, id=LEAKING)["vendor"]["riskScore"]
        return float(next(f["contribution"] for f in score["factors"] if f["name"] == "incidents"))

    held = incidents()
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/risk")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        until(chrome, lambda c: board(c) and f"Incidents {held:.1f}" in board(c)[0][3], "D's row")
        until(chrome, lambda c: shown(c, ".live") == "Live updates: on", "live")
        publish_events(
            embedded.publish, tmp_path / "fourth.jsonl", incident_today(LEAKING, "inc-d-4", "other")
        )
        wait_until(lambda: incidents() > held, "D's incidents' points moved under its cap")
        assert d_score() == 100.0
        # Nothing was announced: the row still shows what was read, and the board says so.
        ((_, _, kind, text),) = board(chrome)
        assert kind == "" and f"Incidents {held:.1f}" in text
        note = shown(chrome, ".freshness")
        assert note.startswith("Figures as read at ") and "without one" in note, note
        assert shown(chrome, ".feed li") == "No change announced since the board was opened."
        chrome.find_element(By.CSS_SELECTOR, ".freshness button").click()
        now = incidents()
        until(chrome, lambda c: f"Incidents {now:.1f}" in board(c)[0][3], "D's points read again")
        # Its risk page says the same and reads again alike.
        chrome.get(f"{origin(embedded)}/#/risk-vendor/{LEAKING}")
        assert shown(chrome, ".freshness").startswith("Figures as read at ")
        screenshot(chrome, "risk-board-read-again")


def test_a_live_move_says_the_day_its_score_is_of(embedded: System, tmp_path: Path) -> None:
    """RiskUpdate.asOf, risk's today (Tokyo's) when it scored D's leak of today, on D's row and
    in the feed, in both languages: the day a move's score is of, which `riskScore(asOf:)` and
    the vendor's history name it by."""
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/risk")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        until(chrome, lambda c: shown(c, ".live") == "Live updates: on", "live")
        today = dt.datetime.now(TOKYO).date()
        leaking_vendor_scored(embedded, tmp_path)
        feed = ".feed li[data-kind=risk]"
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, feed), "D's move")
        assert LEAKING in shown(chrome, feed)
        assert f"(score of {today.isoformat()})" in shown(chrome, feed), shown(chrome, feed)
        until(chrome, lambda c: board(c) and "moved" in board(c)[0][2], "D's row marked")
        assert f"(score of {today.isoformat()})" in board(chrome)[0][3]
        in_japanese(chrome)
        era = f"令和{today.year - 2018}年{today.month}月{today.day}日"
        until(chrome, lambda c: "基準日" in shown(c, feed), "the feed in Japanese")
        assert f"(基準日 {today.isoformat()} {era})" in shown(chrome, feed)
        screenshot(chrome, "risk-board-move-day-ja")
        assert_only_the_api_was_reached(chrome, embedded)
