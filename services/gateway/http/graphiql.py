"""GraphiQL served whole from the installed package, for closed networks.

Strawberry's page loads React, GraphiQL and its explorer plugin from a public CDN; the same
files (same versions, byte for byte: the page's integrity hashes still hold) are vendored in
static/graphiql with their licences, and the page is pointed at them. When strawberry moves to
other versions this refuses to start rather than serve a page that would load nothing.
"""

from __future__ import annotations

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
    return html


def static_files() -> StaticFiles:
    return StaticFiles(packages=[("services.gateway", "static/graphiql")])
