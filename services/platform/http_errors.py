"""Refusals of HTTP requests in the shape every GraphQL client reads: a JSON body
`{"errors": [{"message": …, "extensions": {"code": …}}]}`, never plain text. One helper for
the middlewares (authentication, size and time limits), the GraphQL endpoint and the exports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

JSON = "application/json"


def error_response(
    status: int,
    message: str,
    *,
    media_type: str = JSON,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The refusal as a response; an ASGI middleware sends it with
    `await error_response(…)(scope, receive, send)`."""
    error: dict[str, Any] = {"message": message}
    if code is not None:
        error["extensions"] = {"code": code}
    body = json.dumps({"errors": [error]}, ensure_ascii=False)
    return Response(body, status_code=status, media_type=media_type, headers=headers)
