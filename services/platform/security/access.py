"""What a caller may see of agency-owned data (contracts and the records under them,
migration plans, refused input), wherever it is served: GraphQL fields, mutations naming a
record, and the HTTP plan exports alike."""

from __future__ import annotations

from services.events.base import RecordedBy
from services.platform.security.auth import Principal, Role


def agencies_in_view(principal: Principal | None) -> tuple[str, ...] | None:
    """The agencies whose records the caller may see; None: every agency.

    A system owner sees its own agencies' records only; every other role sees all of them
    (what each role may ask at all is the permission matrix's business). Nobody signed in
    sees none: the doors refuse such callers first, this is the last line."""
    if principal is None:
        return ()
    return _in_view(principal.role, principal.agencies)


def recorders_view(recorded_by: RecordedBy | None) -> tuple[str, ...] | None:
    """`agencies_in_view` of whoever recorded an event through the API, as the event's stamp
    says (taken from the verified token): for checks that see the event, not the request.
    None for an event no caller recorded (a producer's)."""
    if recorded_by is None:
        return None
    return _in_view(Role(recorded_by.role), tuple(recorded_by.agencies))


def _in_view(role: Role, agencies: tuple[str, ...]) -> tuple[str, ...] | None:
    return agencies if role is Role.SYSTEM_OWNER else None


def sees_agency(principal: Principal | None, agency: str) -> bool:
    in_view = agencies_in_view(principal)
    return in_view is None or agency in in_view


# Who may read refused input as it was sent: it may be any agency's records, so those who
# read everything (the root `deadLetters` query, and a dead letter's `raw` wherever it shows).
DEAD_LETTER_READERS = frozenset({Role.AUDITOR, Role.ADMIN})
# Who may ask whether vendors may bid: by GraphQL (permissions.py) or as an exclusions export.
ELIGIBILITY_CHECKERS = frozenset(
    {Role.PROCUREMENT_OFFICER, Role.SANCTION_AUTHORITY, Role.SYSTEM_OWNER, Role.AUDITOR, Role.ADMIN}
)
# Import reports name the rows refused and the vendors proposed as the same: what the lists'
# keepers (sanction authorities) and those who check them (auditors, admins) work from. Here,
# not in the permission matrix alone, since `node(id:)` checks it too.
IMPORT_READERS = frozenset({Role.SANCTION_AUTHORITY, Role.AUDITOR, Role.ADMIN})


def reads_dead_letters(principal: Principal | None) -> bool:
    return principal is not None and principal.role in DEAD_LETTER_READERS
