"""What every Relay-style connection shares: page info, page sizes, cursors."""

from __future__ import annotations

import strawberry

from services.gateway.errors import InvalidArgument


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
