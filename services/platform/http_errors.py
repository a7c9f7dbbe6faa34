"""Refusals of HTTP requests in the shape every GraphQL client reads: a JSON body
`{"errors": [{"message": …, "extensions": {"code": …}}]}`, never plain text. One helper for
the middlewares (authentication, size and time limits), the GraphQL endpoint and the exports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from services.platform.error_codes import ErrorCode

JSON = "application/json"


def error_response(
    status: int,
    message: str,
    *,
    code: ErrorCode,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The refusal as a response; an ASGI middleware sends it with
    `await error_response(…)(scope, receive, send)`. Every refusal has its code
    (`error_codes.py`), which a client says in its user's language."""
    error: dict[str, Any] = {"message": message, "extensions": {"code": code.value}}
    body = json.dumps({"errors": [error]}, ensure_ascii=False)
    return Response(body, status_code=status, media_type=media_type, headers=headers)
