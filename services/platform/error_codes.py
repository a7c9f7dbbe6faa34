"""The codes of the API's refusals: `extensions.code` of every GraphQL error and of every HTTP
refusal's JSON body (`http_errors.py`). A client says them in its user's language (the web
console does, in Japanese and English) and keeps the message, which is English and gives the
details (which field, which value, why). services/gateway/README.md, "Error codes", lists
them; a code is never renamed, only added.

A receipt's field errors carry their own, lower-case codes (`EventReceipt.errors.code`,
pydantic's error types and the rules'): they say what is wrong with one field of an event,
these say why a whole request was refused."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # No bearer token, or one the API does not accept (not a JWT, a bad signature, an
    # unknown role…): HTTP 401, and WebSocket close 4401.
    UNAUTHENTICATED = "UNAUTHENTICATED"
    # The token was accepted until its `exp`: HTTP 401, and WebSocket close 4403.
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    # The caller's role may not use that field or export, or the agency named is not its own.
    FORBIDDEN = "FORBIDDEN"
    # No such export format, or no such plan to export (HTTP 404).
    NOT_FOUND = "NOT_FOUND"
    # The request itself is wrong: its body, method or media type, a document that does not
    # parse or validate (the API's depth, alias, token and introspection limits included), more
    # items of the batch fields than a request may give, an unknown operationName.
    BAD_REQUEST = "BAD_REQUEST"
    # A value the API refused: a variable missing or not of its type, a date that does not
    # exist, a date-time without its UTC offset, an unknown vendor, a ground the policy does
    # not have, a page size out of range…
    BAD_USER_INPUT = "BAD_USER_INPUT"
    # A body over the size limit (HTTP 413); a document over the length limit (a request
    # error; over the WebSocket, an `error` message).
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    # A request over the time limit (HTTP 504).
    TIMEOUT = "TIMEOUT"
    # A fault of ours, logged with the id given in `extensions.errorId`.
    INTERNAL = "INTERNAL"
    # PostgreSQL or the broker out of reach (restarting, a failover): the same request later
    # will do; a mutation may have been recorded, so with the same idempotency key.
    UNAVAILABLE = "UNAVAILABLE"
    # Automatic persisted queries (graphql_over_http.py): send the query with its hash once.
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_INVALID = "PERSISTED_QUERY_INVALID"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    # A subscription sent over HTTP: subscribe over the WebSocket.
    SUBSCRIPTION_OVER_HTTP = "SUBSCRIPTION_OVER_HTTP"
