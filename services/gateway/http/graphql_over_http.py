"""GraphQL over HTTP as the specification has it, and automatic persisted queries.

- Every refusal is a GraphQL JSON body (`{"errors": [{"message": …}]}`), never plain text:
  an unreadable body, a batch (not served: one operation per request), no query; a POST body
  that is not JSON is 415 (Unsupported Media Type), a mutation by GET 405 (Method Not
  Allowed, `Allow: POST`), as the specification has them; a subscription sent over HTTP is
  a request error saying to subscribe over the WebSocket (strawberry would run it as a query
  and fail inside, an "internal error").
- A client accepting `application/graphql-response+json` gets that media type, and a
  request error (nothing executed: unparsable, invalid, refused, its variables refused, no
  operation chosen: an unknown name, or several operations and none named) answers 400
  without a `data` entry; a client asking for `application/json` only gets 200 for every well-formed
  request, as the specification keeps for older clients.
- Automatic persisted queries (Apollo's protocol): a request may name its document by the
  SHA-256 of its text (`extensions.persistedQuery.sha256Hash`). A hash this process has not
  seen is answered with the error `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND),
  and the client sends the hash with the text, which is checked and kept. Each API process
  keeps its own (bounded by count and by the texts' total size), so a client may have to
  register again with another replica.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from strawberry.types.execution import ExecutionResult, PreExecutionError

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from services.platform.error_codes import ErrorCode
from services.platform.http_errors import JSON
from services.platform.weighed_cache import WeighedCache

MEDIA_TYPE = "application/graphql-response+json"
NOT_FOUND = "PersistedQueryNotFound"
# Documents kept by hash (as many as the parses kept: document_checks.DOCUMENTS), and the
# bytes their texts may hold in all (some 10,000 of the API's own documents).
PERSISTED = 1024
PERSISTED_BYTES = 16_000_000


def answers_in(accept: str | None) -> str:
    """The media type of the answer: the specification's when the client accepts it (alone,
    first, or with a higher weight than plain JSON), else plain JSON."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        weight = next((float(p[2:]) for p in params if p.startswith("q=")), 1.0)
        weights[media.lower()] = weight
    ours = weights.get(MEDIA_TYPE, 0.0)
    return MEDIA_TYPE if ours > 0 and ours >= weights.get(JSON, 0.0) else JSON


def request_error_status(media_type: str) -> int:
    """The status of a request error (nothing run): 400 in the specification's media type,
    200 for clients of plain JSON."""
    return 400 if media_type == MEDIA_TYPE else 200


def is_request_error(result: ExecutionResult) -> bool:
    """Whether nothing ran: an error before execution (the document, the caller), or the
    request's variables refused (one missing, `"2019-02-30"` for a Date), which graphql-core
    reports as a result without data whose errors have no path; an error of a field always
    has one, and a field's error leaves the request's status 200."""
    if isinstance(result, PreExecutionError):
        return True
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


SUBSCRIPTION_OVER_HTTP = (
    "subscriptions are served over a WebSocket at this URL (graphql-transport-ws), not over HTTP"
)


def runs_a_subscription(query: str, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation a request names is a subscription. Only a document that mentions
    one is parsed (within the token limit; none of the API's queries and mutations does, so
    this costs only a mistaken request a second parse); one that does not parse is left for
    execution to report."""
    if "subscription" not in query:
        return False
    try:
        operation = get_operation_ast(parse(query, max_tokens=max_tokens), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


class RequestError(Exception):
    """A request refused before execution, answered as GraphQL JSON."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.message, self.code = message, code


class PersistedQueries:
    def __init__(self, size: int = PERSISTED, budget: int = PERSISTED_BYTES) -> None:
        self._known: WeighedCache[str, str] = WeighedCache(size, budget)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run: `query` itself, or the one its persisted-query hash names."""
        persisted = (extensions or {}).get("persistedQuery")
        if not isinstance(persisted, dict):
            return query
        wanted = persisted.get("sha256Hash")
        if persisted.get("version", 1) != 1 or not isinstance(wanted, str):
            raise RequestError(
                "extensions.persistedQuery: version 1 and a sha256Hash string are needed",
                ErrorCode.PERSISTED_QUERY_INVALID,
            )
        if query is None:
            known = self._known.get(wanted)
            if known is None:
                raise RequestError(NOT_FOUND, ErrorCode.PERSISTED_QUERY_NOT_FOUND)
            return known
        if hashlib.sha256(query.encode()).hexdigest() != wanted:
            raise RequestError(
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query",
                ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
            )
        self._known.put(wanted, query, sys.getsizeof(query))
        return query
