"""The exclusions export over HTTP: GET /exports/exclusions.{csv|json|ftm}?asOf=YYYY-MM-DD (or
an era date), streamed (a page of vendors at a time), for the roles that may check
eligibility."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from services.platform.clock import Clock
from services.platform.error_codes import ErrorCode
from services.platform.http_errors import error_response
from services.platform.query_parameters import parameters_refusal
from services.platform.security.access import ELIGIBILITY_CHECKERS
from services.platform.streaming import primed
from services.registry.domain.era_dates import InvalidDate, parse_day
from services.registry.exports.exclusion_formats import FORMATS, WITH_LATER_BARS, exported
from services.registry.exports.exclusions import exclusions


def exclusions_endpoint(
    pool: asyncpg.Pool, clock: Clock
) -> Callable[[Request], Awaitable[Response]]:
    async def export(request: Request) -> Response:
        principal = request.scope.get("state", {}).get("principal")
        if principal is None or principal.role not in ELIGIBILITY_CHECKERS:
            role = principal.role.value if principal else "none"
            return error_response(
                403, f"role {role} may not export exclusions", code=ErrorCode.FORBIDDEN
            )
        format_ = request.path_params["format"]
        if format_ not in FORMATS:
            return error_response(
                404,
                f"unknown format {format_!r}: {', '.join(FORMATS)}",
                code=ErrorCode.NOT_FOUND,
            )
        if refused := parameters_refusal(request.query_params, ("asOf",)):
            return refused
        asked = request.query_params.get("asOf")
        try:
            # Read as the API's `Date` is: ISO, or a Japanese era date (令和4年11月28日, R4.11.28),
            # in the years the registry reads (9999-12-31 overflowed the day after it).
            as_of = parse_day(asked) if asked else clock.today()
        except InvalidDate as error:
            return error_response(400, f"asOf: {error}", code=ErrorCode.BAD_USER_INPUT)
        filename = f"exclusions-{as_of.isoformat()}{FORMATS[format_].extension}"
        # The first page read before the status is sent: the database out of reach is then
        # refused with 503 (gateway/http/outage_answers.py), not a body cut short.
        barred = await primed(exclusions(pool, as_of, later=format_ in WITH_LATER_BARS))
        return StreamingResponse(
            exported(format_, barred),
            media_type=FORMATS[format_].media_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return export
