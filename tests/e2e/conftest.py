"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def namespace(monkeypatch: pytest.MonkeyPatch) -> str:
    """Topics and consumer groups of this test only, so tests cannot see each other's events."""
    value = f"test{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("VENDORWATCH_KAFKA_NAMESPACE", value)
    return value
