"""Services' own parts of the request context: each comes back under the key that service
declared, and one the entrypoint did not provide is named rather than failing as an
AttributeError somewhere in a resolver."""

from __future__ import annotations

from typing import Any, cast

import pytest

from services.platform.graphql.broadcast import Broadcaster
from services.platform.graphql.context import ContextKey, MissingPart, Provided, RequestContext
from services.platform.settings import Settings


def context(*parts: Provided[Any]) -> RequestContext:
    # Reading parts touches neither the pool nor the log.
    unused = cast(Any, None)
    return RequestContext(
        unused, unused, Settings(database_url="unused"), Broadcaster(), parts=parts
    )


def test_keys_with_one_name_stay_apart() -> None:
    first: ContextKey[int] = ContextKey("example.count")
    second: ContextKey[int] = ContextKey("example.count")
    shared = context(first.given(1), second.given(2))
    assert (shared.part(first), shared.part(second)) == (1, 2)


def test_a_part_not_provided_is_named() -> None:
    absent: ContextKey[str] = ContextKey("absent part")
    with pytest.raises(MissingPart, match="absent part"):
        context().part(absent)
