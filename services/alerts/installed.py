"""When the alerts service, and each of its later rules, was installed: what the log recorded
before an instant is judged as the code of its time did (one row, `alert_installed`)."""

from __future__ import annotations

import datetime as dt

from services.platform.postgres.database import Connection


async def before_installed(conn: Connection, recorded_at: dt.datetime) -> bool:
    """Recorded before the alerts service was installed: it alerts nobody."""
    return recorded_at < await installed_at(conn)


async def installed_at(conn: Connection, since: str = "at") -> dt.datetime:
    """When the alerts were installed (`at`), or the code telling of watches' starts and of
    awards to barred vendors (`watch_starts_at`): saves and awards recorded before it tell
    nothing, applied again or not (migrations/0010_watch_starts_told_from.sql); or the code
    telling of awards a bar recorded later reaches back to (`late_bars_at`, 0014); or the code
    judging awards and saves by their place in the log (`in_order_at`), and leaving out
    candidates that are their entry's own vendor (`merged_candidates_at`, 0016); or the code
    watching contracts still to start (`to_start_at`, 0017)."""
    installed: dt.datetime = await conn.fetchval(f"SELECT {since} FROM alert_installed")
    return installed
