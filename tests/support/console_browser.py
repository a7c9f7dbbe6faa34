"""What the console's browser tests do alike: a browser that keeps what its page showed when the
test fails, wait for what the page shows, sign in, check a page with axe-core and save its
screenshot, read a screening's result table, an element's attribute or where focus is, and
check the page reached nothing but the API."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from tests.support.accessibility import violations
from tests.support.browser import closed_network_chromium, traffic
from tests.support.browser_evidence import kept_on_failure
from tests.support.processes import GraphQLClient

# A generous bound for a cold browser on a slow machine; the pages need far less.
PATIENCE_SECONDS = 60
SCREENSHOTS = Path(__file__).parents[2] / "test-artifacts" / "console"
SCREENSHOT_HEIGHT = 4000
# What a failed test's page showed (browser_evidence.py), one screenshot and text file a test.
FAILURES = SCREENSHOTS / "failures"


class Running(Protocol):
    """A running VendorWatch, as the tests' fixtures give it (its API's client)."""

    @property
    def client(self) -> GraphQLClient: ...


def origin(system: Running) -> str:
    return system.client.url.removesuffix("/graphql")


JAPANESE = "header button[lang=ja]"


@contextmanager
def console_chromium() -> Iterator[webdriver.Chrome]:
    """The closed network's Chromium, keeping under FAILURES what the page showed if the test
    fails in it (a wait that ran out, an assertion), before the browser is closed."""
    with closed_network_chromium() as chrome, kept_on_failure(chrome, FAILURES):
        yield chrome


def until(chrome: WebDriver, check: Callable[[WebDriver], object], what: str) -> None:
    WebDriverWait(chrome, PATIENCE_SECONDS).until(check, f"the console never showed {what}")


def in_japanese(chrome: WebDriver) -> None:
    """Switches the console to Japanese with its header's button, once the header is there:
    the console draws it after its first fetch, which may end after the page's load."""
    until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, JAPANESE), "the header")
    chrome.find_element(By.CSS_SELECTOR, JAPANESE).click()


def shown(chrome: WebDriver, css: str) -> str:
    """The text of the first element matching `css`, once it is there."""
    until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, css), css)
    return str(chrome.find_element(By.CSS_SELECTOR, css).text)


def screenshot(chrome: webdriver.Chrome, name: str) -> None:
    """The whole page (not only the window), up to SCREENSHOT_HEIGHT pixels down, once axe
    finds nothing serious on it."""
    assert violations(chrome) == [], name
    size = chrome.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    height = min(size["height"], SCREENSHOT_HEIGHT)
    clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
    shot = chrome.execute_cdp_cmd(
        "Page.captureScreenshot", {"captureBeyondViewport": True, "clip": {**clip, "scale": 1}}
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def assert_only_the_api_was_reached(
    chrome: webdriver.Chrome, system: Running, refused: int = 0
) -> None:
    """Nothing but the API was asked, and nothing failed but the `refused` requests the test
    made the API refuse (a variable it cannot read, a date that does not exist: a request
    error, 400 for a client asking application/graphql-response+json, as the console does,
    which shows it at its field)."""
    seen = traffic(chrome)
    graphql = system.client.url
    refusals = [f for f in seen.failed if f == (graphql, "HTTP 400")]
    assert len(refusals) == refused, seen.failed
    assert [f for f in seen.failed if f not in refusals] == [], seen.failed
    # Chrome reports each as a resource that did not load.
    logged = [e for e in seen.console_errors if e.startswith(f"{graphql} - Failed to load")]
    assert len(logged) <= refused, seen.console_errors
    assert [e for e in seen.console_errors if e not in logged] == [], seen.console_errors
    elsewhere = [u for u in seen.urls if not u.startswith((origin(system), "data:", "blob:"))]
    assert elsewhere == [], elsewhere


# Each field's text replaced and its input event sent, in one task of the page: no drawing
# comes in between, as autofill fills a form. Selenium's clear() empties a field without an
# input event, so a drawing between it and the keys typed (a live update's read, an answer)
# wrote the form's old text back, and the keys were typed after it.
FILL = """
for (const [id, text] of arguments[0]) {
  const field = document.getElementById(id);
  field.value = text;
  field.dispatchEvent(new Event("input", { bubbles: true }));
}"""


def fill_at_once(chrome: WebDriver, texts: dict[str, str]) -> None:
    """Text fields (input, textarea) by id given their texts, as typing over them would (a
    date-time field's text is typed in the browser's locale's order; its value is not)."""
    chrome.execute_script(FILL, list(texts.items()))


def fill(chrome: WebDriver, field_id: str, text: str) -> None:
    """One text field given its text (`fill_at_once`), once the console has drawn it."""
    shown(chrome, f"#{field_id}")
    fill_at_once(chrome, {field_id: text})


def sign_in_with(chrome: WebDriver, token: str) -> None:
    fill(chrome, "token", token)
    chrome.find_element(By.CSS_SELECTOR, ".signin button[type=submit]").click()


def viewport(chrome: webdriver.Chrome, width: int, height: int) -> None:
    """The page laid out as in a window of width×height CSS pixels (at one device pixel each),
    whatever the browser's own window."""
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


# Run in the page before the console: a request whose body holds `window.slow` (a vendor id
# in quotes, say) is answered two seconds late, as on a slow network; `window.lateAsked` and
# `window.lateAnswers` count those sent and answered. Pages must show only the answer for
# what their address names now.
SLOW_ANSWERS = """
const realFetch = window.fetch;
window.slow = null;
window.lateAsked = 0;
window.lateAnswers = 0;
window.fetch = async (url, init) => {
  const late = window.slow !== null && String(init?.body ?? "").includes(window.slow);
  if (late) window.lateAsked += 1;
  if (late) await new Promise((resolve) => setTimeout(resolve, 2000));
  const response = await realFetch(url, init);
  if (late) window.lateAnswers += 1;
  return response;
};
"""


def slow_answers(chrome: webdriver.Chrome) -> None:
    """Makes the console's requests slow on demand (SLOW_ANSWERS), for every page loaded after."""
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SLOW_ANSWERS})


def browser_clock_at(chrome: webdriver.Chrome, moment: dt.datetime) -> None:
    """The pages' Date.now() as if the browser's clock read `moment` now (and ran on), for every
    page loaded after: a browser whose UTC day is not the registry's."""
    shift = f"{moment.timestamp() * 1000:.0f} - Date.now()"
    source = f"const shift = {shift}; const realNow = Date.now; Date.now = () => realNow() + shift;"
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})


def result_rows(chrome: WebDriver, section: str) -> dict[str, tuple[str, str]]:
    """A screening's result table under `section` (a CSS selector): ref → (status, the row's
    text), read in one script (a table being replaced cannot be read half old, half new)."""
    found: list[list[str]] = chrome.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".map(row => [row.dataset.ref, row.dataset.status, row.innerText]);",
        f"{section} tr[data-ref]",
    )
    return {ref: (status, text) for ref, status, text in found}


def focused(chrome: WebDriver) -> str:
    """The id of the element that has focus, a submit button's as `<its form's id>-submit`
    ("impose-submit"), "" for the page's body."""
    script = """const e = document.activeElement;
      return e?.matches('button[type=submit]') ? `${e.form.id}-submit` : e?.id ?? '';"""
    return str(chrome.execute_script(script))


def attribute(chrome: WebDriver, css: str, name: str) -> str | None:
    """An attribute of the first element matching `css`, read in one script (an element
    Preact re-renders between finding and reading it cannot go stale)."""
    value: str | None = chrome.execute_script(
        "return document.querySelector(arguments[0])?.getAttribute(arguments[1]) ?? null;",
        css,
        name,
    )
    return value


# Beyond the viewport's right edge: the elements that stick out, to say where a layout fails
# (not those inside a box that scrolls or clips them: a wide table scrolls in its own box).
OVERFLOW = """
const width = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth <= width) return [];
const inBox = e => {
  for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible') return true;
  return false;
};
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && !inBox(e))
  .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= width + 1)
  .map(e => `${e.tagName.toLowerCase()}.${e.className} (right edge ${
    Math.round(e.getBoundingClientRect().right)} > ${width})`);
"""


def sticking_out(chrome: WebDriver) -> list[str]:
    """The elements that make the page wider than its window (none: nothing to scroll sideways)."""
    found: list[str] = chrome.execute_script(OVERFLOW)
    return found
