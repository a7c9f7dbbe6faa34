"""What every Relay-style connection shares: page info, page sizes, cursors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.nodes import InvalidNodeId, decode, encode
from services.platform.postgres.whole_numbers import BIGINT_MAX, is_count
from services.platform.wording import echoed

Node = TypeVar("Node")


@strawberry.type(description="Where a page is in its list (Relay's PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More come after this page.")
    has_previous_page: bool = strawberry.field(
        description="Items come before this page: it was asked after a cursor, or, asked as"
        " the `last` items (where a list offers it), more precede it."
    )
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor (for an empty page, the cursor asked before, or"
        " null): where a list offers `last`, ask `before` it for the page before."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor (for an empty page, the cursor asked after): "
        "ask `after` it for the next page."
    )

    @classmethod
    def of(cls, cursors: Sequence[str], has_next: bool, after: str | None) -> PageInfo:
        """For the page with these edges' cursors, asked after `after`."""
        return cls(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else after,
        )

    @classmethod
    def backward(cls, cursors: Sequence[str], has_previous: bool, before: str | None) -> PageInfo:
        """For the page with these edges' cursors, asked as the last items before `before`
        (null: the list's end)."""
        return cls(
            has_next_page=before is not None,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else before,
            end_cursor=cursors[-1] if cursors else None,
        )


def page_size(first: int, maximum: int, argument: str = "first") -> int:
    """`first` (or `last`: `argument`) as asked, or a clear refusal: a silently shortened
    page looks like the end."""
    if not 1 <= first <= maximum:
        raise InvalidArgument(f"{argument}: {first} is outside 1–{maximum}")
    return first


def foreign_cursor(cursor: str, argument: str = "after") -> InvalidArgument:
    """The refusal of an `after` (or `before`) not of the connection's form (another
    connection's cursor, an id): taken as a place in it, it would answer an empty page, or one
    that skips what sorts before it, as if that were all. A cursor of its form is a place in
    its order, whoever wrote it (ARCHITECTURE.md, "Cursors")."""
    return InvalidArgument(
        f"{argument}: {echoed(cursor)} is not a cursor from this connection; ask again from the"
        f" {'first' if argument == 'after' else 'last'} page"
    )


def key_cursor(keys: str, key: str) -> str:
    """The cursor of the item with this key in a connection paged in key order, `keys` naming
    what the keys are (`contract_id`, `plan_id`): encoded with that name as a global id is
    (`nodes.encode`), so that `cursor_key` can tell a cursor of the connection's form from any
    other string, a key of another connection's included."""
    return encode(keys, (key,))


def cursor_key(keys: str, cursor: str | None) -> str | None:
    """The key a cursor of `key_cursor(keys, …)` names; refused as not from this connection
    otherwise (an id of the API, another connection's cursor, a bare key)."""
    if cursor is None:
        return None
    try:
        named, key = decode(cursor, "after")
    except InvalidNodeId:
        raise foreign_cursor(cursor) from None
    if named != keys or len(key) != 1:
        raise foreign_cursor(cursor)
    return key[0]


def position_cursor(positions: str, position: int) -> str:
    """The cursor of the item at this position in a connection paged by position, `positions`
    naming the list (`dead_letters`, `audit_trail`): a `key_cursor`, so that a number another
    list gave is no place in this one."""
    return key_cursor(positions, str(position))


def cursor_position(positions: str, cursor: str | None, maximum: int = BIGINT_MAX) -> int | None:
    """The position a cursor of `position_cursor(positions, …)` names (at most `maximum`: a
    version number is an `INTEGER_MAX`); refused as not from this connection otherwise."""
    key = cursor_key(positions, cursor)
    if key is None:
        return None
    if not is_count(key, maximum):
        raise foreign_cursor(key)
    return int(key)


def total_count_asked(info: strawberry.Info[Any, Any]) -> bool:
    """Whether the connection field being resolved selects `totalCount`, directly or in a
    fragment, so that a total whose count reads every matching row (a million alerts or dead
    letters: 0.2 s, where a page is a few rows by an index) is counted only when it is
    shown. A `totalCount` under @skip or @include counts as asked (a count too many, never a
    total missing); a connection whose total is not asked may give any, since none is shown."""

    def asks(selections: list[Selection]) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == "totalCount":
                    return True
            elif asks(selection.selections):  # a fragment's selections are the field's too
                return True
        return False

    return any(
        asks(field.selections) for field in info.selected_fields if isinstance(field, SelectedField)
    )


@strawberry.type(description="One item of a page, with the cursor that marks its place.")
class Edge(Generic[Node]):
    cursor: str = strawberry.field(
        description="Opaque: pass it as `after` to get the items after this one."
    )
    node: Node = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list: `first` after the cursor `after`.")
class Connection(Generic[Node]):
    edges: list[Edge[Node]] = strawberry.field(description="The page's items, in list order.")
    page_info: PageInfo = strawberry.field(
        description="Where the page is in the list, and the cursors to move on from it."
    )
    total_count: int = strawberry.field(description="How many there are in all.")

    @classmethod
    def of(
        cls,
        nodes: list[Node],
        cursor: Callable[[Node], str],
        total: int,
        has_next: bool,
        after: str | None,
    ) -> Connection[Node]:
        return cls.of_pairs([(cursor(n), n) for n in nodes], total, has_next, after)

    @classmethod
    def of_pairs(
        cls, pairs: list[tuple[str, Node]], total: int, has_next: bool, after: str | None
    ) -> Connection[Node]:
        """From (cursor, node) pairs, for nodes that do not carry their cursor."""
        edges = [Edge(cursor=cursor, node=node) for cursor, node in pairs]
        return cls(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], has_next, after),
            total_count=total,
        )

    @classmethod
    def of_last_pairs(
        cls, pairs: list[tuple[str, Node]], total: int, has_previous: bool, before: str | None
    ) -> Connection[Node]:
        """From (cursor, node) pairs in list order, the last items before `before`."""
        edges = [Edge(cursor=cursor, node=node) for cursor, node in pairs]
        return cls(
            edges=edges,
            page_info=PageInfo.backward([e.cursor for e in edges], has_previous, before),
            total_count=total,
        )
