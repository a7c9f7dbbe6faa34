"""What "today" is: the calendar date in the registry's time zone (DESIGN.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clock:
    timezone: ZoneInfo

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.timezone)

    def today(self) -> dt.date:
        return self.now().date()
