"""GraphiQL in a real browser on a closed network: `vendorwatch up` serves the page, headless
Chromium can resolve no host but 127.0.0.1 (so anything fetched from a CDN would fail), and
the page must still render, load its schema and run a query signed in with a bearer token."""

from __future__ import annotations

import json
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.support.browser import Traffic, closed_network_chromium, traffic
from tests.support.processes import System

QUERY = "{ deadLetters { totalCount } }"  # auditors' and admins' only: the token was sent
# A generous bound for a cold browser on a slow machine; the page needs far less.
PATIENCE_SECONDS = 60


def graphiql_url(system: System, **parameters: str) -> str:
    """The page, with what its own URL parameters prefill (q: the query, headers). The page
    decodes them with decodeURIComponent, which leaves `+` alone: spaces must be %20."""
    return f"{system.client.url}?{urllib.parse.urlencode(parameters, quote_via=urllib.parse.quote)}"


def signed_in(system: System) -> str:
    return json.dumps({"Authorization": f"Bearer {system.client.token}"})


def wait_for(chrome: WebDriver, css: str) -> None:
    WebDriverWait(chrome, PATIENCE_SECONDS).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css)),
        f"GraphiQL never showed {css}",
    )


def response_text(chrome: WebDriver) -> str:
    """What GraphiQL's response pane shows (its CodeMirror editor's whole value)."""
    value = chrome.execute_script(
        "const pane = document.querySelector('.graphiql-response .CodeMirror');"
        "return pane ? pane.CodeMirror.getValue() : '';"
    )
    return str(value)


def assert_only_the_api_was_reached(seen: Traffic, system: System) -> None:
    origin = system.client.url.removesuffix("/graphql")
    assert seen.failed == [], seen.failed
    assert seen.console_errors == [], seen.console_errors
    elsewhere = [url for url in seen.urls if not url.startswith((origin, "data:", "blob:"))]
    assert elsewhere == [], elsewhere


def test_graphiql_renders_and_loads_its_schema_from_the_api_alone(embedded: System) -> None:
    with closed_network_chromium() as chrome:
        chrome.get(graphiql_url(embedded, headers=signed_in(embedded)))
        for part in (
            ".graphiql-container",
            ".graphiql-query-editor .CodeMirror",
            ".graphiql-toolbar",
            ".graphiql-execute-button",
            ".graphiql-response",
        ):
            wait_for(chrome, part)
        # The schema, introspected with the token, is what the explorer plugin lists.
        chrome.find_element(By.CSS_SELECTOR, "[aria-label='Show GraphiQL Explorer']").click()
        WebDriverWait(chrome, PATIENCE_SECONDS).until(
            lambda c: "deadLetters" in c.find_element(By.CSS_SELECTOR, ".graphiql-plugin").text,
            "the explorer never listed the schema's fields",
        )
        seen = traffic(chrome)
    assert_only_the_api_was_reached(seen, embedded)
    assets = [url for url in seen.urls if "/static/graphiql/" in url]
    assert len(assets) == 7, assets  # React, ReactDOM, js-cookie, GraphiQL, explorer (JS, CSS)
    assert embedded.client.url in seen.urls  # the introspection query


def test_a_query_run_in_graphiql_with_the_token_shows_its_result(embedded: System) -> None:
    with closed_network_chromium() as chrome:
        chrome.get(graphiql_url(embedded, q=QUERY, headers=signed_in(embedded)))
        wait_for(chrome, ".graphiql-execute-button")
        chrome.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
        WebDriverWait(chrome, PATIENCE_SECONDS).until(
            lambda c: "totalCount" in response_text(c), "GraphiQL never showed a result"
        )
        shown = json.loads(response_text(chrome))
        seen = traffic(chrome)
        # The console shares the origin and keeps its own token out of localStorage.
        stored = str(chrome.execute_script("return JSON.stringify(localStorage)"))
    assert shown == {"data": {"deadLetters": {"totalCount": 0}}}
    assert_only_the_api_was_reached(seen, embedded)  # its policy refused nothing it loads
    assert embedded.client.token not in stored
