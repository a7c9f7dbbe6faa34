"""The registry consumer as the tests use it: the shipped policies, and a clock they control."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.platform.clock import Clock
from services.platform.consuming.consumer import Consumer
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class FixedClock(Clock):
    """A clock stopped at one moment, so "today" is what the test says."""

    moment: dt.datetime = dt.datetime(2023, 3, 1, 9, 0, tzinfo=TOKYO)

    def now(self) -> dt.datetime:
        return self.moment


def consumer(clock: Clock | None = None) -> Consumer:
    return registry_consumer(clock or Clock(TOKYO), load_policies())


REGISTRY = consumer()
