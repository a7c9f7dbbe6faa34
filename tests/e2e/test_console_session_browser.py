"""How a console session ends and how it rides out the server, in a real browser on a closed
network against a real `vendorwatch up`: a token that expires while the console is open (on a
screen that sends nothing) signs the user out, saying why in the user's language; the risk
board's live subscriptions, when the server restarts under them, reconnect and carry on
pushing updates.

Each page shown is checked by axe-core and saved as a screenshot under test-artifacts/console/
(git-ignored), as in test_console_browser.py, whose helpers these tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from services.platform.security.auth import Role
from tests.support import principals
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
)
from tests.support.console_risk_case import (
    LEAKING,
    board,
    leaking_vendor_breached,
    leaking_vendor_scored,
)
from tests.support.processes import (
    GraphQLClient,
    Service,
    System,
    cli_publisher,
    free_port,
    wait_until,
)

pytestmark = pytest.mark.postgres

# Long enough to sign in on a slow machine; the test checks it was signed in before.
TOKEN_SECONDS = 20
EXPIRED_JA = (
    "トークンの有効期限が切れたため、セッションを終了しました。新しいトークンでサインインしてください"
    " — token expired"
)

# The same token pasted once expired: no session began, so none ended.
EXPIRED_AT_SIGN_IN = (
    "このトークンは有効期限が切れています。新しいトークンでサインインしてください — token expired"
)


def test_a_token_expiring_while_the_console_is_open_signs_out_saying_why_in_japanese(
    embedded: System,
) -> None:
    brief = principals.short_lived(TOKEN_SECONDS, Role.VIEWER)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        in_japanese(chrome)
        sign_in_with(chrome, brief)
        # Signed in, on the vendor search: a screen with no subscription, which sends nothing.
        until(chrome, lambda c: "事業者" in c.find_element(By.TAG_NAME, "nav").text, "ja")
        assert chrome.find_elements(By.ID, "token") == []
        assert chrome.execute_script("return sessionStorage.length") == 1

        # At the token's end the API refuses it, and the console ends the session with why.
        refusal = shown(chrome, ".signin .refusal li[data-code=TOKEN_EXPIRED]")
        assert refusal == EXPIRED_JA
        assert chrome.find_elements(By.TAG_NAME, "nav") == []
        assert chrome.execute_script("return sessionStorage.length") == 0
        screenshot(chrome, "session-expired-ja")
        # The expired token pasted again: no session began, so none is said to have ended.
        sign_in_with(chrome, brief)
        until(chrome, lambda c: shown(c, ".signin .refusal li") != EXPIRED_JA, "the sign-in's")
        assert shown(chrome, ".signin .refusal li[data-code=TOKEN_EXPIRED]") == EXPIRED_AT_SIGN_IN
        # Only the API was reached; what it refused was the expired token, and nothing else.
        seen = traffic(chrome)
        assert seen.failed and all(
            url == f"{origin(embedded)}/graphql" and reason == "HTTP 401"
            for url, reason in seen.failed
        ), seen.failed
        assert all(" 401 " in error for error in seen.console_errors), seen.console_errors
        elsewhere = [u for u in seen.urls if not u.startswith((origin(embedded), "data:"))]
        assert elsewhere == []


class RestartableUp:
    """`vendorwatch up` on a port and database of its own, which a test stops and starts again
    (the fixtures' `up` lives as long as its test)."""

    def __init__(self, database_url: str, work: Path) -> None:
        self.port = free_port()
        self.args = ["up", "--database-url", database_url, "--port", str(self.port)]
        self.work = work
        self.client = GraphQLClient(f"http://127.0.0.1:{self.port}/graphql")
        self.publish = cli_publisher("--database-url", database_url)
        self.starts = 0
        self.service: Service | None = None

    def start(self) -> None:
        self.starts += 1
        self.service = Service(f"up-{self.starts}", self.args, self.work)
        wait_until(self.client.serving, "the API to answer")

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None


@pytest.fixture
def restartable(database_url: str, tmp_path: Path) -> Iterator[RestartableUp]:
    up = RestartableUp(database_url, tmp_path)
    up.start()
    try:
        yield up
    finally:
        up.client.close()
        up.stop()


def test_the_board_s_subscriptions_resume_when_the_server_restarts(
    restartable: RestartableUp, tmp_path: Path
) -> None:
    system = System(restartable.client, restartable.publish)
    d_score = leaking_vendor_scored(system, tmp_path)
    before = d_score()
    with console_chromium() as chrome:
        chrome.get(f"{origin(system)}/#/risk")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        until(chrome, lambda c: board(c) and f"{before:.1f}" in board(c)[0][3], "D's score")
        until(chrome, lambda c: shown(c, ".live") == "Live updates: on", "live")
        assert_only_the_api_was_reached(chrome, system)

        # The server goes away under the open subscriptions, and comes back on the same port.
        restartable.stop()
        until(chrome, lambda c: "reconnecting" in shown(c, ".live"), "the connection lost")
        restartable.start()
        until(chrome, lambda c: shown(c, ".live") == "Live updates: on", "live again")
        assert shown(chrome, ".feed li") == "No change announced since the board was opened."

        # A change made after the restart reaches the board through the resumed subscription:
        # D's row moves in place and the feed, which only subscriptions fill, names it.
        after = leaking_vendor_breached(system, tmp_path, d_score, before)
        until(chrome, lambda c: f"{after:.1f}" in board(c)[0][3], "D's new score, live")
        ((_, _, kind, text),) = board(chrome)
        assert kind == "moved" and f"↑ {before:.1f} → {after:.1f}" in text
        assert LEAKING in shown(chrome, ".feed li[data-kind=risk]")
        screenshot(chrome, "risk-board-after-restart")
        # What failed is the reconnection attempts while the server was down.
        seen = traffic(chrome)
        assert seen.failed == [], seen.failed
        assert all("/graphql" in error for error in seen.console_errors), seen.console_errors
