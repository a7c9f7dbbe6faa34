"""The console's files, served from the installed package with a strict Content-Security-Policy.

The console is static: an HTML shell, ES modules (its own and three vendored libraries) and a
stylesheet, read once when the app is built. It holds no data and needs no token: everything
it shows it asks of the GraphQL API with the user's token, like any other client. No build
step, so `pip install` users get the pages without Node.

Only the files in `static/` are served, each with a media type named here (not guessed from
the machine's mime.types: a module script served as anything but JavaScript does not run).
The one inline script, the import map, is allowed by its hash; nothing else inline runs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.events.currencies import MINOR_DIGITS

PAGE_PATH = "/"
ASSETS_PREFIX = "/console/"
# What the console reads to decide which screens a role sees (generated, not a file).
ACCESS_PATH = f"{ASSETS_PREFIX}access.json"
# The digits of each currency's minor unit (ISO 4217, as the API's amounts count in it), so
# that an amount is shown in its currency's units (generated, not a file: one source).
CURRENCIES_PATH = f"{ASSETS_PREFIX}currencies.json"

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

_IMPORT_MAP = re.compile(rb'<script type="importmap">(.*?)</script>', re.DOTALL)


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str


def _walk(folder: Traversable, prefix: str) -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for entry in folder.iterdir():
        if entry.is_dir():
            found.update(_walk(entry, f"{prefix}{entry.name}/"))
            continue
        suffix = entry.name[entry.name.rfind(".") :]
        if suffix not in MEDIA_TYPES:
            raise RuntimeError(f"services/console/static: no media type for {entry.name}")
        found[f"{prefix}{entry.name}"] = Asset(entry.read_bytes(), MEDIA_TYPES[suffix])
    return found


def assets() -> dict[str, Asset]:
    """Every file of `static/` by the path it is served at."""
    return _walk(resources.files("services.console").joinpath("static"), ASSETS_PREFIX)


def content_security_policy(page: bytes) -> str:
    """Scripts and styles from this origin only, the page's import map by its hash, requests
    to this origin only (the API; its WebSocket too), no frames, forms, plugins or base URL."""
    import_map = _IMPORT_MAP.search(page)
    if import_map is None:
        raise RuntimeError("services/console/static/index.html has no import map")
    digest = base64.b64encode(hashlib.sha256(import_map.group(1)).digest()).decode()
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' 'sha256-{digest}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def minor_units() -> str:
    """The currencies of payment with the digits of their minor unit, as JSON: {"JPY": 0,
    "USD": 2, "KWD": 3, …} (events/currencies.py: the codes no amount may be in are left out,
    and shown in the unit given)."""
    return json.dumps(dict(MINOR_DIGITS), sort_keys=True)


def console_routes(
    queries: Mapping[str, Collection[str]], mutations: Mapping[str, Collection[str]]
) -> list[Route]:
    """The console's page at /, its files under /console/, and /console/access.json: the
    roles that may use each query the API restricts (`queries`; a query not named is open
    to every role) and each mutation (`mutations`: every one the API has), so that the
    console shows a role only the screens the API will answer, and the forms it will take."""
    files = assets()
    page = files[f"{ASSETS_PREFIX}index.html"]
    headers = {
        "Content-Security-Policy": content_security_policy(page.body),
        "X-Content-Type-Options": "nosniff",
        # The sign-in link's token is in the fragment, never sent; no page address leaves.
        "Referrer-Policy": "no-referrer",
        # A new version of the package serves new files under the same names.
        "Cache-Control": "no-cache",
    }
    access = json.dumps(
        {
            kind: {name: sorted(roles) for name, roles in matrix.items()}
            for kind, matrix in (("queries", queries), ("mutations", mutations))
        }
    )
    files[ACCESS_PATH] = Asset(access.encode(), MEDIA_TYPES[".json"])
    files[CURRENCIES_PATH] = Asset(minor_units().encode(), MEDIA_TYPES[".json"])

    async def serve_page(_: Request) -> Response:
        return Response(page.body, media_type=page.media_type, headers=headers)

    async def serve_file(request: Request) -> Response:
        asset = files.get(request.url.path)
        if asset is None:
            return Response("not found", status_code=404, media_type=MEDIA_TYPES[".txt"])
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    return [
        Route(PAGE_PATH, serve_page),
        Route(ASSETS_PREFIX + "{path:path}", serve_file),
    ]
