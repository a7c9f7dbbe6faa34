"""What a browser test's page showed when the test failed, kept for whoever reads the failure:
the browser tests save screenshots only at their checkpoints, so a wait that ran out (or an
assertion that failed) between two of them left nothing to look at.

On any exception out of the test's body, `kept_on_failure` saves beside the checkpoints'
screenshots: a screenshot of the whole page, and a text file with the page's address and
visible text, the form fields' values (which the visible text leaves out), the requests
since the logs were last read (each with its GraphQL operation, when it was sent, and how
it ended: a request still unanswered is one the page is waiting on), the last GraphQL
answers' bodies (a receipt's errors), and the browser's console. The exception is re-raised
with a note naming the files; a page that can no longer be read (the browser gone) is said
in the file, never instead of the test's own failure."""

from __future__ import annotations

import base64
import datetime as dt
import glob
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium import webdriver

from tests.support.browser import log_entries

# The GraphQL answers whose bodies are kept (the newest), and how much of each.
ANSWERS_KEPT = 5
ANSWER_CHARACTERS = 4000
# The whole page down to this many CSS pixels (a long list would make a huge picture).
PAGE_HEIGHT = 8000
OPERATION = re.compile(r"\b(query|mutation|subscription)\s+(\w+)")
FIELDS = """
return [...document.querySelectorAll('input, textarea, select, button')].map((e) =>
  [e.id || e.name || e.tagName.toLowerCase(), e.type === 'checkbox' ? String(e.checked)
   : (e.value ?? ''), e.disabled ? 'disabled' : ''].join('\\t'));
"""


@dataclass
class _Request:
    request_id: str
    sent: float  # the browser's wall time, in seconds
    started: float  # the browser's monotonic time, in seconds (as its answer's is given)
    what: str  # method, address and GraphQL operation
    ended: str = "unanswered"
    graphql: bool = False


def _requests(chrome: webdriver.Chrome) -> list[_Request]:
    """The requests of the performance log (since it was last read), in the order sent."""
    requests: dict[str, _Request] = {}
    for entry in log_entries(chrome, "performance"):
        message: dict[str, Any] = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        method = message["method"]
        if method == "Network.requestWillBeSent":
            request = params["request"]
            operation = OPERATION.search(request.get("postData", ""))
            named = f" {operation[1]} {operation[2]}" if operation else ""
            what = f"{request['method']} {request['url']}{named}"
            graphql = request["url"].endswith("/graphql") and request["method"] == "POST"
            requests[params["requestId"]] = _Request(
                params["requestId"], params["wallTime"], params["timestamp"], what, graphql=graphql
            )
        elif method in ("Network.responseReceived", "Network.loadingFailed"):
            found = requests.get(params["requestId"])
            if found is None:
                continue  # sent before the log was last read
            after = f"after {params['timestamp'] - found.started:.1f} s"
            if method == "Network.responseReceived":
                found.ended = f"HTTP {params['response']['status']} {after}"
            else:
                found.ended = f"failed {after}: {params['errorText']}"
    return list(requests.values())


def _answers(chrome: webdriver.Chrome, requests: list[_Request]) -> list[str]:
    """The bodies of the newest GraphQL answers, as the browser received them."""
    answered = [r for r in requests if r.graphql and r.ended.startswith("HTTP")]
    kept = []
    for request in answered[-ANSWERS_KEPT:]:
        try:
            body = chrome.execute_cdp_cmd(
                "Network.getResponseBody", {"requestId": request.request_id}
            )
            text = str(body.get("body", ""))[:ANSWER_CHARACTERS]
        except Exception as error:  # evicted, or the browser gone: said, the rest kept
            text = f"(not kept: {type(error).__name__})"
        kept.append(f"{request.what} → {request.ended}\n{text}")
    return kept


def _at(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%H:%M:%S.%f")[:-3]


def _page(chrome: webdriver.Chrome) -> list[str]:
    """The text file's sections, each read on its own: one that fails says so."""
    sections: list[str] = []

    def section(title: str, read: Callable[[], object]) -> None:
        try:
            body = read()
        except Exception as error:  # the browser gone, say: said, the other sections kept
            body = f"(could not be read: {type(error).__name__}: {error})"
        sections.append(f"--- {title}\n{body}")

    requests: list[_Request] = []

    def listed() -> str:
        requests.extend(_requests(chrome))
        return "\n".join(f"{_at(r.sent)}Z  {r.what}  → {r.ended}" for r in requests)

    section("address", lambda: chrome.current_url)
    section("visible text", lambda: chrome.execute_script("return document.body.innerText"))
    section("fields (id, value, disabled)", lambda: "\n".join(chrome.execute_script(FIELDS)))
    section("requests since the logs were last read (UTC)", listed)
    section("last GraphQL answers", lambda: "\n\n".join(_answers(chrome, requests)))
    section(
        "browser console",
        lambda: "\n".join(f"{e['level']} {e['message']}" for e in log_entries(chrome, "browser")),
    )
    return sections


def _whole_page(chrome: webdriver.Chrome) -> bytes:
    size = chrome.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    height = min(size["height"], PAGE_HEIGHT)
    clip = {"x": 0, "y": 0, "width": size["width"], "height": height, "scale": 1}
    shot = chrome.execute_cdp_cmd(
        "Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip}
    )
    return base64.b64decode(shot["data"])


def _file_name() -> str:
    """The running test's id (pytest sets it for each test), made a file name."""
    running = os.environ.get("PYTEST_CURRENT_TEST", "browser").rsplit(" ", 1)[0]
    return re.sub(r"[^\w.-]+", "-", running.rsplit("/", 1)[-1]).strip("-")


@contextmanager
def kept_on_failure(chrome: webdriver.Chrome, folder: Path) -> Iterator[None]:
    """Saves what the page showed in `folder` if the body fails (see the module), then fails.
    What an earlier run of the same test kept goes first: files there are of the last run."""
    name = _file_name()
    for earlier in folder.glob(f"{glob.escape(name)}.*"):
        earlier.unlink()
    try:
        yield
    except Exception as failure:
        folder.mkdir(parents=True, exist_ok=True)
        text = folder / f"{name}.txt"
        picture = folder / f"{name}.png"
        when = _at(dt.datetime.now(dt.UTC).timestamp())
        failed = f"--- failed at {when}Z\n{type(failure).__name__}: {failure}"
        text.write_text("\n\n".join([failed, *_page(chrome)]) + "\n", encoding="utf-8")
        try:
            picture.write_bytes(_whole_page(chrome))
        except Exception as error:  # said in the text; the test's own failure goes on
            with text.open("a", encoding="utf-8") as file:
                file.write(f"\n--- no screenshot: {type(error).__name__}: {error}\n")
        failure.add_note(f"what the page showed: {text} and {picture}")
        raise
