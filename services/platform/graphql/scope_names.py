"""Agency and category names as read arguments and permission checks take them: as the writes
stored them.

A write keeps an agency or a category with its surrounding whitespace trimmed (the events'
text fields, `events.base.ShortText`), so `contracts(agency: "道路課 ")` compared the name
as given with the names stored and found nothing, and a system owner of 道路課 naming it so
was refused as naming another agency; `bidEligibility`, which compares a sanction's scope
after folding (`events.sanction.scope_key`, trimming among it), answered as for "道路課".
Every agency and category argument is read through this, once, before it is compared.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints, TypeAdapter

from services.platform.graphql.errors import InvalidArgument

# The writes' own trimming (pydantic's), not `str.strip`, which also takes control characters
# that a write keeps.
_AS_WRITTEN = TypeAdapter(Annotated[str, StringConstraints(strip_whitespace=True)])


def as_stored(name: str) -> str:
    """`name` as a write would store it: surrounding whitespace trimmed."""
    return _AS_WRITTEN.validate_python(name)


def scope_argument(argument: str, given: str | None) -> str | None:
    """An agency or category argument (`argument`: its name) as stored names compare with it;
    None stays None (any). A blank one is refused: no record or sanction names "", and
    answering for it would read as "none there" (or, judging eligibility, as "eligible"
    where null rightly answers "barred")."""
    if given is None:
        return None
    name = as_stored(given)
    if not name:
        raise InvalidArgument(f"{argument}: blank; give a name, or null for any")
    return name
