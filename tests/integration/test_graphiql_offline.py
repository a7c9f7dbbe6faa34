"""GraphiQL works on a closed network: its page loads nothing from outside the API, and every
script and stylesheet it names is served (without a token) with the content its integrity
hash promises, so a browser runs it."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import asyncpg
import httpx
import pytest

from tests.support.in_process_api import asgi_client

pytestmark = pytest.mark.postgres


class _References(HTMLParser):
    """Every src and href of the page, with the integrity hash it carries (if any)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for attribute in ("src", "href"):
            if values.get(attribute):
                self.found.append((str(values[attribute]), values.get("integrity")))


@pytest.fixture
async def api(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(pool) as client:
        yield client


async def test_the_graphiql_page_loads_only_what_the_api_serves(api: httpx.AsyncClient) -> None:
    page = await api.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text
    parser = _References()
    parser.feed(page.text)
    external = [url for url, _ in parser.found if not url.startswith(("/", "data:"))]
    assert external == []
    assets = [(url, integrity) for url, integrity in parser.found if url.startswith("/")]
    assert len(assets) == 7  # React, ReactDOM, js-cookie, GraphiQL (JS, CSS), explorer (JS, CSS)
    for url, integrity in assets:
        served = await api.get(url)  # no token: the page's assets are public code
        assert served.status_code == 200, url
        assert integrity is not None and integrity.startswith("sha384-"), url
        digest = base64.b64encode(hashlib.sha384(served.content).digest()).decode()
        assert integrity == f"sha384-{digest}", f"{url} is not the file the page expects"


async def test_the_vendored_assets_carry_their_licences(api: httpx.AsyncClient) -> None:
    licences = await api.get("/static/graphiql/LICENSES.txt")
    assert licences.status_code == 200
    for package in ("graphiql", "react", "react-dom", "js-cookie", "@graphiql/plugin-explorer"):
        assert f"=== {package} " in licences.text


async def test_the_page_keeps_no_header_and_allows_only_what_it_loads(
    api: httpx.AsyncClient,
) -> None:
    """A bearer token typed in its Headers tab stayed in localStorage on the API's origin,
    which the console shares; and the page had no Content-Security-Policy, unlike the
    console's, so any site could frame it."""
    page = await api.get("/graphql", headers={"Accept": "text/html"})
    assert "shouldPersistHeaders: false" in page.text
    assert "storage: window.sessionStorage" in page.text
    assert "shouldPersistHeaders: true" not in page.text
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    (script,) = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["font-src"] == policy["img-src"] == "'self' data:"
