"""A real headless Chromium for tests of the pages the API serves, driven by Selenium through
the system's chromedriver (never a driver or browser downloaded at test time), on a closed
network: every host but 127.0.0.1 is unresolvable, so a page that reaches for a CDN fails.

What the page asked for and what failed is read from Chromium's own logs (the DevTools
network events and the console), not from the page, so a request the page never mentions
(a font a stylesheet loads, a script another script adds) is seen too.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

# Debian's package installs `chromium`; other systems name the same browser otherwise.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAME = "chromedriver"
CLOSED_NETWORK = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


@dataclass(frozen=True)
class Traffic:
    """The requests a page made since the logs were last read, and what went wrong."""

    urls: list[str]
    # (url, reason): the network refused (net::ERR_…), or the server answered 4xx/5xx.
    failed: list[tuple[str, str]]
    console_errors: list[str]


def _installed() -> tuple[str, str]:
    """The browser and driver on PATH, or a failure saying what is missing and how to get it:
    these tests are never skipped, a machine without Chromium fails them."""
    browser = next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)
    driver = shutil.which(DRIVER_NAME)
    missing = [
        what
        for what, found in (("a Chromium browser (chromium)", browser), (DRIVER_NAME, driver))
        if found is None
    ]
    if browser is None or driver is None:
        pytest.fail(
            f"the browser tests need {' and '.join(missing)} on PATH: on Debian or Ubuntu,"
            " `apt-get install chromium chromium-driver` (./scripts/test does it when run as"
            " root)",
            pytrace=False,
        )
    return browser, driver


@contextmanager
def closed_network_chromium() -> Iterator[webdriver.Chrome]:
    """Headless Chromium that resolves 127.0.0.1 only, logging its network and console."""
    browser, driver = _installed()
    options = Options()
    options.binary_location = browser
    options.add_argument("--headless=new")
    options.add_argument(CLOSED_NETWORK)
    options.add_argument("--window-size=1400,1000")
    # Containers: /dev/shm is often 64 MB, too small for Chromium's renderer.
    options.add_argument("--disable-dev-shm-usage")
    # Chromium refuses to start as root (CI containers) with its sandbox on.
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        yield chrome
    finally:
        chrome.quit()


def log_entries(chrome: webdriver.Chrome, kind: str) -> list[dict[str, Any]]:
    """The entries of one of Chromium's logs since it was last read (reading empties it)."""
    # Selenium declares no types for get_log; its entries are JSON objects.
    entries: list[dict[str, Any]] = chrome.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


def traffic(chrome: webdriver.Chrome) -> Traffic:
    """What the browser fetched and what failed since the logs were last read (reading them
    empties them)."""
    urls: list[str] = []
    failed: list[tuple[str, str]] = []
    url_of: dict[str, str] = {}
    for entry in log_entries(chrome, "performance"):
        message: dict[str, Any] = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            url_of[params["requestId"]] = params["request"]["url"]
            urls.append(params["request"]["url"])
        elif message["method"] == "Network.loadingFailed":
            failed.append((url_of.get(params["requestId"], "?"), params["errorText"]))
        elif message["method"] == "Network.responseReceived":
            response = params["response"]
            if response["status"] >= 400:
                failed.append((response["url"], f"HTTP {response['status']}"))
    console_errors = [
        str(entry["message"])
        for entry in log_entries(chrome, "browser")
        if entry["level"] == "SEVERE"
    ]
    return Traffic(urls, failed, console_errors)
