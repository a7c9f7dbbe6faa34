"""Where tests move a later rule's instant (`later_rules.*_RULES_FROM`, monkeypatched) to judge
the events they record by it or not, and the registry's verdicts a rebuild must keep."""

from __future__ import annotations

import datetime as dt

# Before anything a test records: every event it records is judged by the rule.
PAST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# After anything a test records: no event it records is judged by the rule.
FAR = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
REGISTRY_VERDICTS = "SELECT event_id, refused FROM processed_events WHERE consumer = 'registry'"
