"""Signed-in callers for tests: principals, and tokens the running system accepts."""

from __future__ import annotations

from types import SimpleNamespace

from services.platform.auth import Principal, Role, issue_token

# What the tests' systems are started with (VENDORWATCH_JWT_SECRET): at least 32 bytes.
TEST_SECRET = b"vendorwatch-tests-only-secret-0123456789"
ADMIN = Principal("test-admin", Role.ADMIN, ())


def token(role: Role = Role.ADMIN, agencies: tuple[str, ...] = ()) -> str:
    return issue_token(TEST_SECRET, subject=f"test-{role.value}", role=role, agencies=agencies)


def bare_context(principal: Principal = ADMIN) -> SimpleNamespace:
    """A context with a caller and nothing else: resolvers that touch more fail (internally)."""
    return SimpleNamespace(principal=principal)
