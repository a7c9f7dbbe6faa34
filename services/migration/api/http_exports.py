"""The plan exports served over HTTP: CSV for spreadsheets, an SVG Gantt chart for people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from services.migration.planning.export_csv import plan_csv
from services.migration.planning.gantt import plan_gantt_svg
from services.migration.planning.model import PlanSnapshot
from services.migration.storage import plan_repository
from services.platform.error_codes import ErrorCode
from services.platform.http_errors import error_response
from services.platform.query_parameters import parameters_refusal
from services.platform.security.access import sees_agency

FORMATS: dict[str, tuple[Callable[[PlanSnapshot], str], str]] = {
    "csv": (plan_csv, "text/csv; charset=utf-8"),
    "svg": (plan_gantt_svg, "image/svg+xml"),
}


async def latest_snapshot(pool: asyncpg.Pool, plan_id: str) -> PlanSnapshot | None:
    async with pool.acquire() as conn:
        version = await plan_repository.latest_version(conn, plan_id)
    return version.snapshot if version else None


def export_endpoint(pool: asyncpg.Pool) -> Callable[[Request], Awaitable[Response]]:
    """GET /migration-plans/{plan_id}.{csv|svg}: the plan's latest version."""

    async def export(request: Request) -> Response:
        plan_id, fmt = request.path_params["plan_id"], request.path_params["format"]
        if fmt not in FORMATS:
            unknown = f"unknown format {fmt!r}: csv or svg"
            return error_response(404, unknown, code=ErrorCode.NOT_FOUND)
        if refused := parameters_refusal(request.query_params, ()):
            return refused
        snapshot = await latest_snapshot(pool, plan_id)
        principal = request.scope.get("state", {}).get("principal")
        if snapshot is None or not sees_agency(principal, snapshot.agency):
            # Another agency's plan is answered as one that does not exist
            # (services/gateway/README.md, "Agencies").
            unknown = f"no scheduled plan {plan_id!r}"
            return error_response(404, unknown, code=ErrorCode.NOT_FOUND)
        render, media_type = FORMATS[fmt]
        filename = f"{plan_id}-v{snapshot.version}.{fmt}"
        return Response(
            render(snapshot),
            media_type=media_type,
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )

    return export
