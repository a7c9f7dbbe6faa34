"""Fixtures shared by unit test modules: the risk model as packaged (the scoring tests'
`model`), loaded once a module."""

from __future__ import annotations

import pytest

from services.risk.domain.model import RiskModel, load_model


@pytest.fixture(scope="module")
def model() -> RiskModel:
    return load_model()
