"""Days a system owner gives that cannot mean what they say (pure), refused in the receipt of
the mutation that gives them (api/plan_receipts.py):

- a deadline, the plan's or an item's, already past when it is set: it binds cut-overs still
  to come, and none can be made by a day gone (the planner would find no schedule, or keep a
  date nobody can meet);
- a milestone, or a replacement's choice, dated before its plan was opened: an item's status
  and its replacement are its plan's record, which began then (a contract moved away before
  it is recorded as its termination, reason migrated, which marks its item done; a choice
  so dated counted toward the item's lead time from a day the plan did not exist).

Migration's handlers do not refuse them: neither makes the event impossible to apply (the
planner names a deadline it cannot keep among its conflicts; a cut-over before the plan's first
phase takes none of its capacity), and a rule there would need an instant of its own
(later_rules) to tell, a second time, what the receipt tells the person at the form.
"""

from __future__ import annotations

import datetime as dt


def deadline_passed(deadline: dt.date | None, today: dt.date) -> str | None:
    """Why a deadline set `today` cannot be one (None when it can, or is cleared)."""
    if deadline is not None and deadline < today:
        return f"{deadline} has passed; a deadline is a day still to come (today is {today})"
    return None


def before_plan(day: dt.date, opened_on: dt.date) -> str | None:
    """Why a milestone or a replacement's choice on a plan opened on `opened_on` cannot be
    dated `day` (None: it can)."""
    if day < opened_on:
        return f"{day} is before the plan was opened, on {opened_on}"
    return None
