"""GraphiQL works on a closed network: its page loads nothing from outside the API, and every
script and stylesheet it names is served (without a token) with the content its integrity
hash promises, so a browser runs it."""

from __future__ import annotations

import base64
import hashlib
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
