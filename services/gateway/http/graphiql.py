"""GraphiQL served whole from the installed package, for closed networks.

Strawberry's page loads React, GraphiQL and its explorer plugin from a public CDN; the same
files (same versions, byte for byte: the page's integrity hashes still hold) are vendored in
static/graphiql with their licences, and the page is pointed at them. When strawberry moves to
other versions this refuses to start rather than serve a page that would load nothing.

Two changes to strawberry's page, for the bearer tokens typed into it:

- nothing it keeps outlives the browser tab: strawberry's sets `shouldPersistHeaders:
  true`, so a token typed in the Headers tab stayed in localStorage on the API's origin,
  which the console shares and keeps its own token out of (sessionStorage only). The flag is
  off, and GraphiQL's storage is sessionStorage, since GraphiQL 3 also keeps the headers in
  its query history and tabs whatever the flag says;
- it is served with a Content-Security-Policy, as the console's pages are: its files from
  the origin only (all are vendored; its fonts are data: URIs in the stylesheet), its two
  inline blocks by their hashes, requests to the origin only (queries, the WebSocket), and
  no frames, so no other site can frame the page and read a token typed into it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Container

from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

STATIC_PATH = "/static/graphiql"

_VENDORED = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "plugin-explorer.umd.js"
    ),
}


def asks_for_the_page(method: str, accept: str, params: Container[str]) -> bool:
    """A browser asking for the GraphiQL page: a GET accepting `text/html` with nothing to
    run, no `query` and no `extensions` (a persisted query's hash). strawberry's own test
    also took `*/*`, which curl, httpx and requests send by default: their hashed queries
    by GET were answered with the page. The page needs no token (authentication.py), a
    query does: both ask this."""
    return (
        method == "GET"
        and "text/html" in accept
        and "query" not in params
        and "extensions" not in params
    )


def graphiql_page() -> str:
    html = get_graphql_ide_html(graphql_ide="graphiql")
    for url, name in _VENDORED.items():
        if url not in html:
            raise RuntimeError(
                f"strawberry's GraphiQL page no longer loads {url}: "
                "vendor its new assets into services/gateway/static/graphiql"
            )
        html = html.replace(url, f"{STATIC_PATH}/{name}")
    if _PERSISTED not in html:
        raise RuntimeError(
            f"strawberry's GraphiQL page no longer says {_PERSISTED!r}: find how it keeps"
            " headers and keep them from localStorage again"
        )
    # GraphiQL 3 keeps the headers in its history and tabs whatever that flag says: all it
    # keeps goes to sessionStorage instead, as the console's token does (gone with the tab).
    return html.replace(
        _PERSISTED, "shouldPersistHeaders: false,\n          storage: window.sessionStorage"
    )


def content_security_policy(page: str) -> str:
    """What the page may load and run: see above. Its inline script and style by hash; the
    style may be inline too (GraphiQL's editors set theirs), scripts not."""
    scripts = _hashes(_INLINE_SCRIPT.findall(page))
    styles = _hashes(_INLINE_STYLE.findall(page))
    if not scripts:
        raise RuntimeError("strawberry's GraphiQL page has no inline script to allow")
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' {scripts}",
            f"style-src 'self' 'unsafe-inline' {styles}".rstrip(),
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


_PERSISTED = "shouldPersistHeaders: true"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _hashes(blocks: list[str]) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks
    )


def static_files() -> StaticFiles:
    return StaticFiles(packages=[("services.gateway", "static/graphiql")])
