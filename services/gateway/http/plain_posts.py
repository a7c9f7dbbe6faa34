"""The request of a plain POST, read without strawberry's view: the known queries' way in.

strawberry's view handles every form of request (GET, batches, uploads, streams, persisted
queries, the IDE) and, for each, works out its context, response, content type and body
through a dozen steps; for a small query that was a fifth of the API process's time. A POST
whose content type is JSON, whose accept header asks for no stream, and whose body is one
object of `query` (a string), `variables` (an object or null) and `operationName` (a string
or null) only, is read here; the view then asks the known queries for its answer
(graphql_view.py). Any other request, and any that the known queries do not answer, takes
the view's whole way from the start, which reads the same body again (starlette keeps it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

# What such a POST says its body is (as clients send it, and `; charset=utf-8` with it).
JSON_TYPES = frozenset({"application/json", "application/json; charset=utf-8"})
KEYS = frozenset({"query", "variables", "operationName"})
# What asks for a streamed answer (incremental delivery, server-sent events).
STREAMS = ("multipart/", "text/event-stream")


@dataclass(frozen=True)
class PlainPost:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


async def plain_post(request: Request, decode: Callable[[bytes], object]) -> PlainPost | None:
    """The request's query, if it is a plain POST (the module's list); else None."""
    headers = request.headers
    if request.method != "POST" or headers.get("content-type", "").lower() not in JSON_TYPES:
        return None
    accept = headers.get("accept", "")
    if any(stream in accept for stream in STREAMS):
        return None
    try:
        body = decode(await request.body())
    except ValueError:  # not JSON: the view's 400
        return None
    if not isinstance(body, dict) or not body.keys() <= KEYS:
        return None
    query, variables, name = body.get("query"), body.get("variables"), body.get("operationName")
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(name, str | None)
    ):
        return None
    return PlainPost(query, variables, name)
