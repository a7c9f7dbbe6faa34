"""Global ids and Relay's `Node`: every object a client would cache has an `id` unique across
the whole API, and `node(id:)` / `nodes(ids:)` fetch it again by that id alone.

An id is the object's GraphQL type name and its key in the owning service (a vendor id; a
vendor id and an incident id, since incidents are numbered per vendor; a plan id and a
version…), written `Type:key/key` and encoded base64url without padding:
`Vendor:vendor-b` → `VmVuZG9yOnZlbmRvci1i`. So it is

- unique across types (the type is part of it) and stable (it depends only on what names the
  object in its own service, never on a row's position or a process): the same object has the
  same id in every answer, on every replica, after a rebuild;
- opaque to clients, as Relay asks, and safe in a URL path: a client that never parses it is
  not broken if a type's key ever changes shape. It is not secret (anyone may decode it), and
  holds nothing a client could not read from the object's other fields;
- checked strictly when it comes back: only the canonical encoding of a known type's key of
  the right shape is an id; anything else is refused, saying so, not looked up.

Each key part is an identifier of the event contract (`services.events.base.Identifier`),
which cannot hold `/`, so the parts of a key separate unambiguously.

The platform knows no service's types. A type takes part by implementing `Node` (below): it
names its key (`node_key_names`, `node_key`) and fetches objects back by key
(`resolve_nodes`), with the same checks as the query that normally serves it (a system owner
does not get another agency's plan by id either), through that service's own queries.
`node(id:)` finds the type by the name in the id, in the schema the gateway composed, and
batches the keys of one type asked in one request into one `resolve_nodes` call.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Annotated, Any, ClassVar, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types.base import StrawberryObjectDefinition

from services.platform.eventstore import event_queries
from services.platform.eventstore.event_queries import RecordedEvent
from services.platform.graphql.context import Info
from services.platform.graphql.errors import InvalidArgument, RoleRefused
from services.platform.postgres.whole_numbers import INTEGER_MAX, is_count
from services.platform.security.auth import Role
from services.platform.wording import echoed

Key = tuple[str, ...]
N = TypeVar("N")

# The longest id a key of the contract's identifiers can make (three parts of 128), with room.
MAX_ID_CHARS = 1024
# `nodes(ids:)` fetches at most this many in one field.
MAX_IDS = 100

_ENCODED = re.compile(r"[A-Za-z0-9_-]+")
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# services.events.base.Identifier (every key part is one, or a date, number or UUID, which are).
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

ID_DESCRIPTION = (
    "A global id: unique across every type of this API and stable (the same object always has"
    " it), for client caches and `node(id:)`. Opaque: pass it back as it is, do not parse it."
)


class InvalidNodeId(InvalidArgument):
    """An id this API did not issue (garbled, forged, or of a type without ids)."""


class NodeRefused(RoleRefused):
    """An id of a type the caller's role may not read at all (as its root query refuses)."""


def encode(type_name: str, key: Key) -> strawberry.ID:
    """The global id of the `type_name` object with this key."""
    text = f"{type_name}:{'/'.join(key)}"
    return strawberry.ID(base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode())


def decode(value: str, argument: str = "id") -> tuple[str, Key]:
    """The type name and key a global id names; InvalidNodeId, naming `argument`, for any
    string that is not the canonical id of some key."""
    refusal = InvalidNodeId(
        f"{argument}: {echoed(value)} is not an id of this API (take ids from an object's `id`"
        " field, as they are)"
    )
    if len(value) > MAX_ID_CHARS or not _ENCODED.fullmatch(value):
        raise refusal
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise refusal from None
    type_name, colon, rest = text.partition(":")
    key = tuple(rest.split("/"))
    if (
        not colon
        or not _TYPE_NAME.fullmatch(type_name)
        or not all(_PART.fullmatch(part) for part in key)
        or encode(type_name, key) != value  # one id per object: no other spelling of it
    ):
        raise refusal
    return type_name, key


def uuid_part(part: str) -> uuid.UUID | None:
    """A key part that must be a UUID (an event id), or None when it is not one."""
    try:
        found = uuid.UUID(part)
    except ValueError:
        return None
    return found if str(found) == part else None


def one_of(
    name: str, value: str | None, deprecated: str, old_value: str | None
) -> tuple[str, bool]:
    """An object's own key given by the argument `name` or by the deprecated argument it
    replaces, never both: the key, and whether it came the deprecated way."""
    if value is not None and old_value is not None:
        raise InvalidArgument(f"{name}: give it alone, not with the deprecated {deprecated}")
    if value is not None:
        return value, False
    if old_value is None:
        raise InvalidArgument(f"{name}: required (or the deprecated {deprecated})")
    return old_value, True


def misplaced_global_id(argument: str, value: str, own_key: str) -> InvalidArgument | None:
    """For a deprecated `id` argument, which takes an object's own key, given a global id
    instead (what the object's `id` field holds now): the refusal saying where it goes."""
    try:
        type_name, _ = decode(value)
    except InvalidNodeId:
        return None
    return InvalidArgument(
        f"{argument}: {value!r} is a global id (a {type_name}'s `id`): fetch it with"
        f" node(id:), or give the object's own id as {own_key}"
    )


def _identifier(part: str) -> bool:
    return True  # every part is one already (decode checked it)


# Key parts that are not just identifiers, by the name types give them.
PART_SHAPES: Mapping[str, Callable[[str], bool]] = {
    "eventId": lambda part: uuid_part(part) is not None,
    "alertId": lambda part: uuid_part(part) is not None,
    "reportId": lambda part: uuid_part(part) is not None,
    "watchlistId": lambda part: uuid_part(part) is not None,
    "deadLetterId": is_count,
    "changeNumber": is_count,
    "version": lambda part: is_count(part, INTEGER_MAX),
}


@strawberry.interface(
    description="An object with a global id: `node(id:)` fetches it again by that id alone"
    " (Relay's Node). Every type a client would keep in a normalised cache implements it."
)
class Node:
    """What a type implements to have a global id.

    `node_key_names`: the names (as the API spells them) of the key's parts, for messages,
    and their number; `node_readers`: the roles that may read the type at all (None: every
    signed-in role), as the root query serving it is allowed; `node_key`: the object's key;
    `resolve_nodes`: the objects of these keys, None for those there are none or the caller
    may not see (checked as the type's normal query checks them)."""

    node_key_names: ClassVar[tuple[str, ...]] = ()
    node_readers: ClassVar[frozenset[Role] | None] = None

    @strawberry.field(description=ID_DESCRIPTION)
    def id(self) -> strawberry.ID:
        return encode(type_name_of(type(self)), self.node_key())

    def node_key(self) -> Key:
        raise NotImplementedError(f"{type(self).__name__} does not say its key")

    @classmethod
    def node_key_valid(cls, key: Key) -> bool:
        """Whether `key` has the shape of this type's keys: as many parts as it names, each
        of the shape its name says (PART_SHAPES; any other: an identifier)."""
        names = cls.node_key_names
        return len(key) == len(names) and all(
            PART_SHAPES.get(name, _identifier)(part) for name, part in zip(names, key, strict=True)
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> Sequence[Node | None]:
        raise NotImplementedError(f"{cls.__name__} cannot be fetched by id")


def type_name_of(cls: type) -> str:
    definition: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return definition.name


def in_key_order(found: Mapping[Any, N], keys: Sequence[Key]) -> list[N | None]:
    """`resolve_nodes`' answer from what a query found, by key."""
    return [found.get(k) for k in keys]


async def logged_events(
    info: Info, keys: Sequence[Key], event_types: Collection[str] | None = None
) -> dict[Key, RecordedEvent]:
    """The stored events these keys (an event id each) name, by key: for the types whose
    objects are what an event says (of `event_types`, when given)."""
    async with info.context.pool.acquire() as conn:
        found = await event_queries.events_named(conn, [uuid.UUID(k) for (k,) in keys], event_types)
    return {(str(i),): event for i, event in found.items()}


def _node_type(info: Info, type_name: str, argument: str, value: str) -> type[Node]:
    definition = info.schema.get_type_by_name(type_name)
    origin = definition.origin if isinstance(definition, StrawberryObjectDefinition) else None
    if not (isinstance(origin, type) and issubclass(origin, Node)) or origin is Node:
        raise InvalidNodeId(
            f"{argument}: {value!r} is not an id of this API: no {type_name} has ids"
        )
    return origin


def _loader(info: Info, node_type: type[Node]) -> DataLoader[Key, Node | None]:
    """The request's loader of one type: the keys asked of it in one tick, fetched at once."""
    loaders = info.context.loaders
    name = ("node", node_type)
    if name not in loaders:

        async def load(keys: list[Key]) -> list[Node | None]:
            found = list(await node_type.resolve_nodes(info, keys))
            if len(found) != len(keys):
                raise RuntimeError(f"{node_type.__name__}.resolve_nodes answered out of step")
            return found

        # No cache, as every loader of a request (loaders.py): answers stay fresh.
        loaders[name] = DataLoader(load_fn=load, cache=False)
    loader: DataLoader[Key, Node | None] = loaders[name]
    return loader


def fetch(info: Info, value: str, argument: str = "id") -> Awaitable[Node | None]:
    """The object `value` names (None when there is none to show this caller); refused, with
    the reason, for an id that is not one, or of a type the caller's role may not read."""
    type_name, key = decode(value, argument)
    node_type = _node_type(info, type_name, argument, value)
    if not node_type.node_key_valid(key):
        names = " and ".join(node_type.node_key_names)
        raise InvalidNodeId(
            f"{argument}: {value!r} is not an id of this API: {type_name} ids are made of {names}"
        )
    readers = node_type.node_readers
    principal = info.context.principal
    if readers is not None and (principal is None or principal.role not in readers):
        role = principal.role.value if principal else "nobody"
        raise NodeRefused(f"{argument}: role {role} may not read {type_name}s")
    return _loader(info, node_type).load(key)


async def _failed(error: Exception) -> None:
    raise error


def _each(info: Info, values: Sequence[str]) -> list[Awaitable[Node | None]]:
    """One awaitable per id: a bad id fails its own place in the list, not the others."""
    found: list[Awaitable[Node | None]] = []
    for index, value in enumerate(values):
        try:
            found.append(fetch(info, value, f"ids[{index}]"))
        except InvalidArgument as error:
            found.append(_failed(error))
    return found


@strawberry.type
class NodeQuery:
    """The root fields that fetch any object by its global id."""

    @strawberry.field(
        description="The object with this global id (any type's `id`); null when there is none,"
        " or none you may see (another agency's, for a system owner). An id this API did not"
        " issue is refused with the reason."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id, as issued.")],
    ) -> Node | None:
        return await fetch(info, str(id))

    @strawberry.field(
        description=f"Several objects by global id (at most {MAX_IDS} a request, counted with"
        " every other `nodes` of it), in the order asked: null"
        " where `node` would answer null; an id that is not one fails its own place only."
    )
    def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Global ids, as issued.")
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_IDS:
            raise InvalidArgument(f"ids: {len(ids)} ids; ask for at most {MAX_IDS} at once")
        # graphql-core awaits each item of a list on its own, errors in their place.
        return _each(info, [str(i) for i in ids])  # type: ignore[return-value]
