"""What every Relay-style connection shares: page info, page sizes, cursors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from services.platform.graphql.errors import InvalidArgument

Node = TypeVar("Node")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_size(first: int, maximum: int) -> int:
    """`first` as asked, or a clear refusal: a silently shortened page looks like the end."""
    if not 1 <= first <= maximum:
        raise InvalidArgument(f"first: {first} is outside 1–{maximum}")
    return first


def numeric_cursor(cursor: str | None) -> int | None:
    """A cursor that is a position (a log position, a version number)."""
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise InvalidArgument(f"after: {cursor!r} is not a cursor from this connection")
    return int(cursor)


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type(description="A page of a list: `first` after the cursor `after`.")
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many there are in all.")

    @classmethod
    def of(
        cls, nodes: list[Node], cursor: Callable[[Node], str], total: int, has_next: bool
    ) -> Connection[Node]:
        return cls.of_pairs([(cursor(n), n) for n in nodes], total, has_next)

    @classmethod
    def of_pairs(
        cls, pairs: list[tuple[str, Node]], total: int, has_next: bool
    ) -> Connection[Node]:
        """From (cursor, node) pairs, for nodes that do not carry their cursor."""
        edges = [Edge(cursor=cursor, node=node) for cursor, node in pairs]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
            total_count=total,
        )
