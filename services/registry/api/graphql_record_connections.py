"""The registry's records in the API as connections (`first`/`after`, `totalCount`, filters):
each vendor's, loaded for a whole page of vendors at once, and the lists across vendors; the
nodes they hold are graphql_record_nodes.py's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from services.platform.graphql.context import Info
from services.platform.graphql.loaders import batched
from services.platform.graphql.pagination import (
    Connection,
    cursor_key,
    key_cursor,
    page_size,
    total_count_asked,
)
from services.registry.api.graphql_record_nodes import (
    certificate,
    claim,
    contract,
    incident,
    sanction,
    subcontract,
)
from services.registry.storage import record_repository as records
from services.registry.storage.record_repository import Page

MAX_PAGE = 100

Record = TypeVar("Record")
Item = TypeVar("Item")


# A record_repository page function: (connection, vendor ids or None for all, first=, after=,
# its filters as keywords) -> each vendor's page (None's: the page across vendors).
RecordPages = Callable[..., Awaitable[dict[str | None, Page[Record]]]]


@dataclass(frozen=True)
class RecordKind(Generic[Record, Item]):
    """How one kind of record is paged and shown: its repository's page function, its node,
    and the node's field that is its cursor."""

    pages: RecordPages[Record]
    node: Callable[[Record], Item]
    cursor: str


CONTRACTS = RecordKind(records.contracts, contract, "contract_id")
SUBCONTRACTS = RecordKind(records.subcontracts, subcontract, "subcontract_id")
INCIDENTS = RecordKind(records.incidents, incident, "incident_id")
CLAIMS = RecordKind(records.claims, claim, "claim_id")
CERTIFICATES = RecordKind(records.certificates, certificate, "certificate_id")
SANCTIONS = RecordKind(records.sanctions, sanction, "sanction_id")


async def vendor_connection(
    info: Info,
    vendor_id: str,
    kind: RecordKind[Record, Item],
    first: int,
    after: str | None,
    /,
    **filters: Any,
) -> Connection[Item]:
    """A vendor's records of one kind (with `filters`) as a connection, loaded in one
    statement with the same field of every other vendor in the answer. (Positional
    parameters: a filter may be called `kind` too.)"""
    n, after_key = limit(first), cursor_key(kind.cursor, after)
    fetch = partial(kind.pages, first=n, after=after_key, **filters)
    # Fields of other vendors with the same arguments share a loader (and so the statement).
    key = (kind.cursor, n, after_key, *filters.items())
    empty: Page[Record] = Page([], 0, False)
    page = await batched(info, key, fetch, empty).load(vendor_id)
    return _connection(page, kind, after)


async def root_connection(
    info: Info, kind: RecordKind[Record, Item], first: int, after: str | None, /, **filters: Any
) -> Connection[Item]:
    """Records of one kind across vendors (with `filters`) as a connection, read by key after
    the cursor; counted (every matching record) only when `totalCount` is asked."""
    count = total_count_asked(info)
    async with info.context.pool.acquire() as conn:
        after_key = cursor_key(kind.cursor, after)
        pages = await kind.pages(
            conn, None, first=limit(first), after=after_key, count=count, **filters
        )
    return _connection(pages[None], kind, after)


def _connection(
    page: Page[Record], kind: RecordKind[Record, Item], after: str | None
) -> Connection[Item]:
    nodes = [kind.node(r) for r in page.records]
    keys = kind.cursor
    # Not counted (None) only when `totalCount` is not asked: no total is shown then.
    total = page.total if page.total is not None else 0
    return Connection.of(
        nodes, lambda n: key_cursor(keys, str(getattr(n, keys))), total, page.has_next, after
    )


def limit(first: int) -> int:
    return page_size(first, MAX_PAGE)
