"""Who may use which operation: the permission matrix, as data, and its enforcement.

Every mutation must be listed (a new one is denied to all but admins until it is); queries
and subscriptions are open to every signed-in role unless listed. The check is a GraphQL
validation rule, so a refused operation does nothing at all, for queries, mutations and
subscriptions alike. Agency scoping (a system owner's own plans) is applied where the data
is (services/platform/access.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.extensions import SchemaExtension

from graphql import FieldNode, GraphQLError, ValidationRule
from services.platform.access import DEAD_LETTER_READERS
from services.platform.auth import Principal, Role

EVERYONE = frozenset(Role)
ELIGIBILITY_CHECKERS = frozenset(
    {Role.PROCUREMENT_OFFICER, Role.SANCTION_AUTHORITY, Role.SYSTEM_OWNER, Role.AUDITOR, Role.ADMIN}
)
AUDITORS = frozenset({Role.AUDITOR, Role.ADMIN})
VENDOR_RECORDS = frozenset({Role.PROCUREMENT_OFFICER, Role.ADMIN})
CONTRACT_RECORDS = frozenset({Role.PROCUREMENT_OFFICER, Role.SYSTEM_OWNER, Role.ADMIN})
SANCTIONS = frozenset({Role.SANCTION_AUTHORITY, Role.ADMIN})
PLANS = frozenset({Role.SYSTEM_OWNER, Role.ADMIN})

# Root field → the roles that may use it. Queries and subscriptions not listed: EVERYONE.
QUERIES: Mapping[str, frozenset[Role]] = {
    "bidEligibility": ELIGIBILITY_CHECKERS,
    "bidEligibilityMany": ELIGIBILITY_CHECKERS,
    "proposeSuspension": SANCTIONS | {Role.PROCUREMENT_OFFICER, Role.AUDITOR},
    "events": AUDITORS,
    "auditTrail": AUDITORS,
    "deadLetters": DEAD_LETTER_READERS,
}
MUTATIONS: Mapping[str, frozenset[Role]] = {
    "submitEvent": frozenset({Role.ADMIN}),
    "registerVendor": VENDOR_RECORDS,
    "updateVendor": VENDOR_RECORDS,
    "renameVendor": VENDOR_RECORDS,
    "changeVendorAffiliation": VENDOR_RECORDS,
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
}


def allowed(role: Role, operation: str, field: str) -> bool:
    """May `role` use root `field` of an operation of this kind (query, mutation, …)?"""
    if operation == "mutation":
        return role in MUTATIONS.get(field, frozenset({Role.ADMIN}))
    return role in QUERIES.get(field, EVERYONE)


def _rule(principal: Principal | None) -> type[ValidationRule]:
    class RoleRule(ValidationRule):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = self.context.get_parent_type()
            schema = self.context.schema
            roots = {
                "query": schema.query_type,
                "mutation": schema.mutation_type,
                "subscription": schema.subscription_type,
            }
            kind = next((k for k, t in roots.items() if t is not None and t is parent), None)
            name = node.name.value
            if kind is None:
                return
            # Introspection too: nothing runs for a caller without a valid token.
            if principal is None:
                self.report_error(GraphQLError("sign in: a bearer token is required", node))
            elif not name.startswith("__") and not allowed(principal.role, kind, name):
                self.report_error(
                    GraphQLError(f"role {principal.role.value} may not use {name}", node)
                )

    return RoleRule


class RoleCheck(SchemaExtension):
    """Refuses, before anything runs, root fields the caller's role may not use."""

    def on_validate(self):  # type: ignore[no-untyped-def]
        context = self.execution_context.context
        principal = getattr(context, "principal", None)
        rules = self.execution_context.validation_rules
        self.execution_context.validation_rules = (*rules, _rule(principal))
        yield
