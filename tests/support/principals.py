"""Signed-in callers for tests: principals, and tokens the running system accepts."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from services.platform.security.auth import Principal, Role, issue_token

# What the tests' systems are started with (VENDORWATCH_JWT_SECRET): at least 32 bytes.
TEST_SECRET = b"vendorwatch-tests-only-secret-0123456789"
ADMIN = Principal("test-admin", Role.ADMIN, ())


def token(role: Role = Role.ADMIN, agencies: tuple[str, ...] = ()) -> str:
    return issue_token(TEST_SECRET, subject=f"test-{role.value}", role=role, agencies=agencies)


def short_lived(seconds: float, role: Role = Role.VIEWER) -> str:
    """A token that expires `seconds` from now (the systems under test allow no clock skew)."""
    ttl = dt.timedelta(seconds=seconds)
    return issue_token(TEST_SECRET, subject=f"brief-{role.value}", role=role, ttl=ttl)


def expired(role: Role = Role.VIEWER) -> str:
    """A token that expired an hour ago (tokens last 12 hours)."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)
    return issue_token(TEST_SECRET, subject=f"stale-{role.value}", role=role, now=past)


def bare_context(principal: Principal = ADMIN) -> SimpleNamespace:
    """A context with a caller and nothing else: resolvers that touch more fail (internally)."""
    return SimpleNamespace(principal=principal)
