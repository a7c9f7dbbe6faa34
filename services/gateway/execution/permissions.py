"""Who may use which operation: the permission matrix, as data, and its enforcement.

Every mutation must be listed (a new one is denied to all but admins until it is); queries
and subscriptions are open to every signed-in role unless listed. The check runs with
validation (document_checks.py), on the operation the request runs and the fragments it
spreads, so a refused operation does nothing at all, for queries, mutations and
subscriptions alike. Agency scoping (a system owner's own plans) is applied
where the data is (services/platform/security/access.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphql import FieldNode, GraphQLError
from services.platform.error_codes import ErrorCode
from services.platform.security.access import (
    DEAD_LETTER_READERS,
    ELIGIBILITY_CHECKERS,
    IMPORT_READERS,
)
from services.platform.security.auth import Principal, Role

EVERYONE = frozenset(Role)
AUDITORS = frozenset({Role.AUDITOR, Role.ADMIN})
VENDOR_RECORDS = frozenset({Role.PROCUREMENT_OFFICER, Role.ADMIN})
CONTRACT_RECORDS = frozenset({Role.PROCUREMENT_OFFICER, Role.SYSTEM_OWNER, Role.ADMIN})
SANCTIONS = frozenset({Role.SANCTION_AUTHORITY, Role.ADMIN})
PLANS = frozenset({Role.SYSTEM_OWNER, Role.ADMIN})
# Who keeps an agency's watchlists and answers its alerts: those who buy and those who run
# the contracts.
WATCHERS = frozenset({Role.PROCUREMENT_OFFICER, Role.SYSTEM_OWNER, Role.ADMIN})

# Root field → the roles that may use it. Queries and subscriptions not listed: EVERYONE.
QUERIES: Mapping[str, frozenset[Role]] = {
    "bidEligibility": ELIGIBILITY_CHECKERS,
    "bidEligibilityMany": ELIGIBILITY_CHECKERS,
    "screenBidders": ELIGIBILITY_CHECKERS,
    "proposeSuspension": SANCTIONS | {Role.PROCUREMENT_OFFICER, Role.AUDITOR},
    "events": AUDITORS,
    "auditTrail": AUDITORS,
    "deadLetters": DEAD_LETTER_READERS,
    "imports": IMPORT_READERS,
    "importReport": IMPORT_READERS,
    "watchlists": ELIGIBILITY_CHECKERS,
    "alerts": ELIGIBILITY_CHECKERS,
}
MUTATIONS: Mapping[str, frozenset[Role]] = {
    "submitEvent": frozenset({Role.ADMIN}),
    "registerVendor": VENDOR_RECORDS,
    "updateVendor": VENDOR_RECORDS,
    "renameVendor": VENDOR_RECORDS,
    "changeVendorAffiliation": VENDOR_RECORDS,
    # A review decision is a judgement on the vendor's identity that every agency's screening
    # obeys: a confirmation gives the vendor the bidder's name and identifier (as updateVendor
    # would), a "not the same firm" drops the vendor from the candidates of that name and
    # address for everyone. So those who keep vendor records decide; not a system owner, who
    # acts for its own agencies only, nor a sanction authority, who may not change a vendor's
    # record, nor auditors, who check decisions rather than make them.
    "reviewMatch": VENDOR_RECORDS,
    "awardContract": CONTRACT_RECORDS,
    "amendContract": CONTRACT_RECORDS,
    "terminateContract": CONTRACT_RECORDS,
    "requestSubcontract": CONTRACT_RECORDS,
    "approveSubcontract": CONTRACT_RECORDS,
    "rejectSubcontract": CONTRACT_RECORDS,
    "reportIncident": frozenset({Role.SYSTEM_OWNER, Role.RISK_ANALYST, Role.ADMIN}),
    "investigateIncident": frozenset({Role.RISK_ANALYST, Role.SANCTION_AUTHORITY, Role.ADMIN}),
    "closeIncident": frozenset({Role.RISK_ANALYST, Role.SANCTION_AUTHORITY, Role.ADMIN}),
    "imposeSanction": SANCTIONS,
    "amendSanction": SANCTIONS,
    "liftSanction": SANCTIONS,
    "fileClaim": SANCTIONS,
    "settleClaim": SANCTIONS,
    "submitCertificate": CONTRACT_RECORDS,
    "completeAudit": AUDITORS,
    "createMigrationPlan": PLANS,
    "configureMigrationPlan": PLANS,
    "configureMigrationItem": PLANS,
    "chooseReplacementVendor": PLANS,
    "updateMigrationChecklist": PLANS,
    "recordMigrationMilestone": PLANS,
    "withdrawMigrationPlan": PLANS,
    "saveWatchlist": WATCHERS,
    "acknowledgeAlert": WATCHERS,
}


def allowed(role: Role, operation: str, field: str) -> bool:
    """May `role` use root `field` of an operation of this kind (query, mutation, …)?"""
    if operation == "mutation":
        return role in MUTATIONS.get(field, frozenset({Role.ADMIN}))
    return role in QUERIES.get(field, EVERYONE)


# Which definition of a document a root field is written in: an operation (by its name, None
# when anonymous) or a fragment (by its name).
Definition = tuple[str, str | None]  # ("operation" or "fragment", name)


@dataclass(frozen=True)
class RootField:
    """A root field a document uses: of which operation kind, its name, where it is, and in
    which definition (an operation, or a fragment one spreads): only those of the operation
    a request runs are judged (document_checks.py)."""

    kind: str  # query, mutation or subscription
    name: str
    node: FieldNode
    definition: Definition


def role_errors(principal: Principal | None, roots: Iterable[RootField]) -> list[GraphQLError]:
    """The root fields the caller may not use, each an error at its place in the document;
    checked before anything runs, for queries, mutations and subscriptions alike."""
    errors = []
    for root in roots:
        # Introspection too: nothing runs for a caller without a valid token.
        if principal is None:
            errors.append(
                GraphQLError(
                    "sign in: a bearer token is required",
                    root.node,
                    extensions={"code": ErrorCode.UNAUTHENTICATED.value},
                )
            )
        elif not root.name.startswith("__") and not allowed(principal.role, root.kind, root.name):
            errors.append(
                GraphQLError(
                    f"role {principal.role.value} may not use {root.name}",
                    root.node,
                    extensions={"code": ErrorCode.FORBIDDEN.value},
                )
            )
    return errors
