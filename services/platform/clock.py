"""What "today" is: the calendar date in the registry's time zone (VENDORWATCH_TIMEZONE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# How often services look at the calendar: a new local date is noticed within this long.
CALENDAR_CHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Clock:
    timezone: ZoneInfo

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.timezone)

    def today(self) -> dt.date:
        return self.now().date()
