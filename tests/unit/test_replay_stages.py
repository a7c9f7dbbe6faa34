"""A rebuild's single pass refuses stages it could not feed with one verdict
(platform/consuming/replay.py), naming the consumers at fault, before it reads anything."""

from __future__ import annotations

from typing import cast

import asyncpg
import pytest

from services.platform.consuming.consumer import Consumer
from services.platform.consuming.replay import Stage, replay
from services.platform.postgres.one_transaction import OneTransaction

# Never touched: every case is refused before the first read.
NO_TRANSACTION = cast(OneTransaction, None)


def stage(name: str, verdict_from: str | None = None) -> Stage:
    return Stage(Consumer(name, {}, verdict_from=verdict_from), NO_TRANSACTION)


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([], "at least one consumer"),
        (
            [stage("registry"), stage("alerts")],
            "one consumer giving verdicts, got registry, alerts",
        ),
        (
            [stage("registry"), stage("risk", "registry"), stage("audit", "elsewhere")],
            "the same judge, got elsewhere",
        ),
        ([stage("risk", "registry"), stage("audit", "elsewhere")], "got elsewhere, registry"),
    ],
)
async def test_stages_without_one_judge_are_refused(stages: list[Stage], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await replay(cast(asyncpg.Pool, None), stages)
