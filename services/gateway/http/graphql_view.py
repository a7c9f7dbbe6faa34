"""The GraphQL endpoint: strawberry's ASGI view with this API's context per request,
GraphiQL from the package, graphql-transport-ws only (websocket_auth.py), and GraphQL over
HTTP as the specification has it (graphql_over_http.py)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.execution import ExecutionResult

from services.gateway.execution.document_checks import DocumentChecks
from services.gateway.execution.known_queries import KnownQueries
from services.gateway.http.graphiql import (
    asks_for_the_page,
    content_security_policy,
    graphiql_page,
)
from services.gateway.http.graphql_over_http import (
    MEDIA_TYPE,
    SUBSCRIPTION_OVER_HTTP,
    PersistedQueries,
    RequestError,
    answers_in,
    is_request_error,
    request_error_status,
    runs_a_subscription,
)
from services.gateway.http.json_bodies import SaidWhy, read_json
from services.gateway.http.plain_posts import plain_post
from services.gateway.http.protection import Limits
from services.gateway.live.subscription_fanout import FanOutHandler
from services.gateway.live.websocket_auth import (
    refuse_handshake,
    speaks_our_protocol,
)
from services.gateway.schema import build_schema
from services.platform.error_codes import ErrorCode
from services.platform.graphql.context import RequestContext
from services.platform.http_errors import JSON, error_response
from services.platform.security.auth import TokenVerifier


class GraphQLView(GraphQL[RequestContext, None]):
    def __init__(
        self,
        context: RequestContext,
        limits: Limits,
        verifier: TokenVerifier,
        known_queries: bool = True,
    ) -> None:
        checks = DocumentChecks(limits.validation_rules())
        schema = build_schema(limits, checks)
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self._context = context
        self._limits = limits
        self._graphiql = graphiql_page()
        self._graphiql_policy = content_security_policy(self._graphiql)
        self._persisted = PersistedQueries()
        self._known = KnownQueries(schema, checks, enabled=known_queries)
        self.graphql_transport_ws_handler_class = FanOutHandler.for_view(verifier, limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not speaks_our_protocol(scope):
            await refuse_handshake(scope, receive, send)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media_type = answers_in(request.headers.get("accept"))
        response: Response
        try:
            response = await self._known_answer(request) or await self.run(request)
        except HTTPException as refused:  # strawberry's own refusals, as GraphQL JSON
            response = _refusal(refused, media_type)
        except RequestError as refused:
            response = error_response(
                request_error_status(media_type),
                refused.message,
                media_type=media_type,
                code=refused.code,
            )
        if request.method == "GET":
            # Its answer depends on Accept: the media type, or GraphiQL's page instead.
            response.headers.add_vary_header("Accept")
        await response(scope, receive, send)

    async def _known_answer(self, request: Request) -> Response | None:
        """The answer to a plain POST of a known query (plain_posts.py, known_queries.py), as
        the view makes it; None: the view's whole way answers."""
        post = await plain_post(request, self.decode_json)
        if post is None:
            return None
        request.state.known_tried = True
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        result = await self._known.execute(
            post.query, post.variables, context, None, post.operation_name, None
        )
        if result is None:
            return None
        return self.create_response(await self.process_result(request, result), sub_response)

    def decode_json(self, data: str | bytes) -> object:
        # A request's body (5,000 bidder ids) and WebSocket messages: orjson, with json where
        # it would not read as json does (json_bodies.py).
        return read_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return super().parse_json(data)
        except HTTPException as refused:
            if isinstance(refused.__cause__, SaidWhy):  # say why, not only "unable to parse"
                raise HTTPException(400, refused.__cause__.msg) from refused.__cause__
            raise

    def should_render_graphql_ide(self, request: Any) -> bool:
        # The gateway's own test (graphiql.py), which the authentication asks as well.
        accept: str = request.headers.get("accept", "")
        return asks_for_the_page(request.method, accept, request.query_params)

    def encode_json(self, data: object) -> str:
        # Every answer and WebSocket message: orjson is about ten times json.dumps, which took
        # 9 ms of a 5,000-bidder screen. A str, as graphql-transport-ws sends text frames.
        try:
            return orjson.dumps(data).decode()
        except TypeError:  # what orjson refuses (an integer beyond 64 bits): json's answer
            return json.dumps(data, separators=(",", ":"))

    @property
    def graphql_ide_html(self) -> str:
        return self._graphiql

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(
            self._graphiql, headers={"Content-Security-Policy": self._graphiql_policy}
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> RequestContext:
        # A fresh context per request (per connection for WebSockets): who is asking.
        return dataclasses.replace(
            self._context,
            principal=request.scope.get("state", {}).get("principal"),
            client=request.client.host if request.client else None,
            loaders={},
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        response = await super().get_sub_response(request)
        response.headers["content-type"] = answers_in(request.headers.get("accept"))
        request.state.sub_response = response
        return response

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        content_type, _ = parse_content_type(request.content_type or "")
        if request.method == "POST" and content_type != JSON:
            raise HTTPException(
                415, f"a POST body must be {JSON} (Content-Type: {content_type or 'none'})"
            )
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):
            # Before it is kept (as a persisted query) or parsed. A plain POST asked the known
            # queries first, which only look such a text up: it is never kept.
            if (too_long := self._limits.too_long(data.query)) is not None:
                raise RequestError(too_long, ErrorCode.REQUEST_TOO_LARGE)
            data.query = self._persisted.resolve(data.query, data.extensions)
        return data

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        if request_data.query and runs_a_subscription(
            request_data.query, request_data.operation_name, self._limits.max_tokens
        ):
            raise RequestError(SUBSCRIPTION_OVER_HTTP, ErrorCode.SUBSCRIPTION_OVER_HTTP)
        # A plain POST asked the known queries already (`_known_answer`): not twice.
        tried = getattr(request.state, "known_tried", False)
        known = (
            None
            if tried
            else await self._known.execute(
                request_data.query,
                request_data.variables,
                context,
                root_value,
                request_data.operation_name,
                request_data.extensions,
            )
        )
        if known is not None:
            return known
        return await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        sub_response: Response = request.state.sub_response
        if sub_response.headers["content-type"] == MEDIA_TYPE and is_request_error(result):
            # A request error: nothing ran, so there is no data entry, and a 4xx status.
            processed.pop("data", None)
            sub_response.status_code = 400
        return processed

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.headers.get("content-type", JSON)
        del sub_response.headers["content-type"]
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        return response


def _refusal(refused: HTTPException, media_type: str) -> Response:
    """strawberry's refusal of a request as GraphQL JSON, with the specification's status."""
    if isinstance(refused.__cause__, CannotGetOperationTypeError):
        # An unknown operationName, or several operations and none named: a request error,
        # the document's (the request's form is fine).
        status = request_error_status(media_type)
        return error_response(
            status, refused.reason, code=ErrorCode.BAD_REQUEST, media_type=media_type
        )
    status, allow = refused.status_code, "GET, POST"
    if isinstance(refused.__cause__, InvalidOperationTypeError):
        status, allow = 405, "POST"  # a mutation by GET: the specification's 405
    headers = {"allow": allow} if status == 405 else None
    # 400, 405, 415: the request's form (its body, method or media type).
    return error_response(
        status, refused.reason, code=ErrorCode.BAD_REQUEST, media_type=media_type, headers=headers
    )
