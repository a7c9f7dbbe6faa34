"""The registry's today: the day every `asOf` and other day argument defaults to, in the
registry's time zone (VENDORWATCH_TIMEZONE). A client drawing "today" (the console's Gantt
chart and sanction calendar) asks for it rather than reading its own clock, whose day is its
own time zone's (or UTC's), a day behind Tokyo's from midnight to 09:00 there."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.platform.graphql.context import Info
from services.registry.api.graphql_arguments import today


@strawberry.type
class TodayQuery:
    @strawberry.field(
        description="Today in the registry's time zone: the day every `asOf` (and every other"
        " day argument said to default to today) defaults to."
    )
    def today(self, info: Info) -> dt.date:
        return today(info)
