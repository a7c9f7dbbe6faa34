"""What a caller may see of agency-owned data (migration plans), wherever it is served:
GraphQL fields and the HTTP plan exports alike."""

from __future__ import annotations

from services.platform.auth import Principal, Role


def sees_agency(principal: Principal | None, agency: str) -> bool:
    """A system owner sees its own agencies' plans; every other role sees all of them."""
    if principal is None or principal.role is not Role.SYSTEM_OWNER:
        return True
    return agency in principal.agencies
