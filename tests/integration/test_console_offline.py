"""The console works on a closed network and runs nothing it was not built with: its page and
every file the page and its modules load are served by the API itself, without a token, with
the media type a browser needs to run them and a strict Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.console import pages
from services.gateway.execution.permissions import MUTATIONS, QUERIES
from tests.support.in_process_api import asgi_client

pytestmark = pytest.mark.postgres

STATIC = Path(pages.__file__).parent / "static"
VENDORED_LIMIT_BYTES = 500_000
# A module's static imports (`import "x"`, `import … from "x"`, `export … from "x"`, each
# starting a line: not the words in a string, like graphql-ws's "import WebSocket from 'ws'"
# hint) and the files it fetches by absolute path.
IMPORTS = re.compile(
    r"""^(?:import\s*|(?:import|export)\b[^;'"]*?\bfrom\s*)["']([^"']+)["']""", re.MULTILINE
)
FETCHED = re.compile(r"""fetch\(\s*["'](/console/[^"']+)["']""")
STRICT_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'none'"],
}


class _Page(HTMLParser):
    """The page's src and href references, and the text of its inline scripts by type."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.inline: list[tuple[str, str]] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.references += [str(values[a]) for a in ("src", "href") if values.get(a)]
        if tag == "script" and not values.get("src"):
            self._script_type = values.get("type") or "text/javascript"

    def handle_data(self, data: str) -> None:
        if self._script_type is not None:
            self.inline.append((self._script_type, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_type = None


def policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.fixture
async def api(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(pool) as client:
        yield client


async def loaded_page(api: httpx.AsyncClient) -> tuple[httpx.Response, _Page]:
    page = await api.get("/")  # no token: the console holds no data
    assert page.status_code == 200
    parsed = _Page()
    parsed.feed(page.text)
    return page, parsed


def assert_locked_down(response: httpx.Response, inline_script: str) -> None:
    """The console's policy: scripts from the API's origin and the one import map (by its
    hash), nothing inline, no eval, requests to the API's origin only."""
    rules = policy(response.headers["content-security-policy"])
    digest = base64.b64encode(hashlib.sha256(inline_script.encode()).digest()).decode()
    assert rules.pop("script-src") == ["'self'", f"'sha256-{digest}'"]
    assert rules == STRICT_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_page_and_every_file_it_loads_are_served_offline_with_their_media_types(
    api: httpx.AsyncClient,
) -> None:
    page, parsed = await loaded_page(api)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    ((kind, import_map),) = parsed.inline  # one inline script, the import map
    assert kind == "importmap"
    assert_locked_down(page, import_map)
    external = [url for url in parsed.references if not url.startswith(("/", "data:"))]
    assert external == []
    mapped: dict[str, str] = json.loads(import_map)["imports"]
    # Every module reached from the page through its imports, and every file they fetch.
    pending = [url for url in parsed.references if url.startswith("/")]
    pending += list(mapped.values())
    served: dict[str, str] = {}
    while pending:
        url = pending.pop()
        if url in served:
            continue
        response = await api.get(url)
        assert response.status_code == 200, url
        assert_locked_down(response, import_map)
        served[url] = response.headers["content-type"]
        if url.endswith(".js"):
            for name in IMPORTS.findall(response.text):
                assert name in mapped or name.startswith("./"), f"{url} imports {name}"
                pending.append(mapped.get(name) or str(Path(url).parent / name))
            pending += FETCHED.findall(response.text)
    media = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}
    for url, content_type in served.items():
        assert content_type.split(";")[0] == media[Path(url).suffix], url
    # Nothing in the package's console goes unused, and nothing used is missing.
    files = {f"/console/{p.relative_to(STATIC)}" for p in STATIC.rglob("*") if p.is_file()}
    documents = {f for f in files if f.endswith((".md", ".txt", ".html"))}
    assert set(served) - {pages.ACCESS_PATH, pages.CURRENCIES_PATH} == files - documents


async def test_the_console_is_told_which_roles_may_use_the_queries_the_api_restricts(
    api: httpx.AsyncClient,
) -> None:
    access = (await api.get(pages.ACCESS_PATH)).json()
    queries, mutations = access["queries"], access["mutations"]
    assert queries == {name: sorted(roles) for name, roles in QUERIES.items()}
    assert "procurement_officer" in queries["screenBidders"]
    assert "viewer" not in queries["screenBidders"]
    # The forms: a system owner may tick a plan's checklist, not impose a sanction.
    assert mutations == {name: sorted(roles) for name, roles in MUTATIONS.items()}
    assert "system_owner" in mutations["updateMigrationChecklist"]
    assert mutations["imposeSanction"] == ["admin", "sanction_authority"]


async def test_only_the_console_files_are_served(api: httpx.AsyncClient) -> None:
    for url in ("/console/nope.js", "/console/../pyproject.toml", "/console/vendor/"):
        assert (await api.get(url)).status_code in (401, 404), url
    # The rest of the API still wants a token.
    assert (await api.get("/migration-plans/x.csv")).status_code == 401


def test_the_vendored_libraries_are_small_and_carry_their_versions_and_licences() -> None:
    folder = STATIC / "vendor"
    vendored = list(folder.rglob("*.js"))
    assert sum(p.stat().st_size for p in vendored) < VENDORED_LIMIT_BYTES
    readme = (folder / "README.md").read_text()
    licences = (folder / "LICENSES.txt").read_text()
    for file in vendored:
        assert f"`{file.relative_to(folder)}`" in readme
        assert hashlib.sha256(file.read_bytes()).hexdigest() in readme, file.name
    assert "=== preact 10.29.8 (MIT)" in licences
    assert "=== htm 3.1.1 (Apache-2.0)" in licences
    assert "=== graphql-ws 6.4.2 (MIT)" in licences
