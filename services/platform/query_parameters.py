"""The query parameters an HTTP endpoint reads, checked before it reads them: a misspelled one
(`?as_of=`) or one given twice (`?asOf=…&asOf=…`) would otherwise be ignored, or one of the two
taken, and the answer given for what the caller did not ask (today's exclusions for a past
day). So would one given empty (`?asOf=`), read as left out."""

from __future__ import annotations

from collections.abc import Collection

from starlette.datastructures import QueryParams
from starlette.responses import Response

from services.platform.error_codes import ErrorCode
from services.platform.http_errors import error_response


def parameters_refusal(given: QueryParams, known: Collection[str]) -> Response | None:
    """The 400 refusal naming the first parameter not among `known` (names compare exactly),
    given more than once, or given empty; None when every parameter is one of them, once,
    with a value."""
    for name in dict.fromkeys(given.keys()):
        if name not in known:
            reads = f"it reads {', '.join(sorted(known))}" if known else "it reads none"
            message = f"unknown query parameter {name!r}: {reads}"
            return error_response(400, message, code=ErrorCode.BAD_REQUEST)
        if len(given.getlist(name)) > 1:
            message = f"{name}: given {len(given.getlist(name))} times; give it once"
            return error_response(400, message, code=ErrorCode.BAD_REQUEST)
        if not given[name].strip():
            message = f"{name}: given empty; give a value, or leave the parameter out"
            return error_response(400, message, code=ErrorCode.BAD_REQUEST)
    return None
