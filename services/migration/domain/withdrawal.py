"""When an owner may withdraw a plan (pure), asked alike by migration's handler
(`owner_handlers.plan_withdrawn`) and the API's receipt (`withdrawMigrationPlan`), so that
what the receipt accepts migration applies.

A plan may be withdrawn unless it is withdrawn already (`withdrawn_already`) or its vendor is
still barred at its agency from the plan's contracts (`still_barred`: the plan's
`vendor_eligible`, which migration keeps from the registry's announcements). Those contracts
must move by the rules whoever opened the plan: an automatic plan's, and a hand-opened plan's
that a bar has since made the vendor's plan there (a bar finds it and adds its contracts to
it, as to any plan of the vendor's at the agency). A hand-opened plan for a vendor nothing
bars there, and an automatic plan whose vendor may bid for its contracts again, may be
withdrawn: the agency keeps its contracts with the vendor. Nor while a sanction already
recorded will bar the vendor there before the plan's contracts still to move end
(`barred_later`: the bar does not cut a contract short, but a contract kept must move all
the same by its end, and later, with less time); judged by migration for the events
recorded from `later_rules.FOURTH_RULES_FROM` on, which no event judged before the rule is
(the receipt asks it whenever it is asked: nothing is recorded of what it refuses).

Once withdrawn, a plan changes no more: its owner's changes are refused (`plan_withdrawn`,
`changes_refusal`), and the world's events pass it by."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from services.events.catalog import Problem


class WithdrawnPlan(Protocol):
    """What a plan's withdrawal is judged by, as migration keeps it (`PlanRow`)."""

    @property
    def plan_id(self) -> str: ...
    @property
    def vendor_id(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def withdrawn_at(self) -> dt.datetime | None: ...
    @property
    def vendor_eligible(self) -> bool: ...


def withdrawal_refusal(plan: WithdrawnPlan, barred_later: str | None) -> Problem | None:
    """Why the plan cannot be withdrawn (at the event's `plan_id`); None when it can.
    `barred_later`: what a sanction already recorded will bar the vendor from there before
    the plan's contracts end (`bars.barred_later`), None when nothing does or the rule does
    not judge the event."""
    plan_id, vendor_id, agency = plan.plan_id, plan.vendor_id, plan.agency
    if plan.withdrawn_at is not None:
        message = f"plan {plan_id} is withdrawn already"
        return Problem("plan_id", message, "withdrawn_already")
    if not plan.vendor_eligible:
        message = (
            f"{vendor_id} is still barred at {agency} from plan {plan_id}'s contracts: they"
            " must move to other vendors; the plan can be withdrawn once the vendor may bid"
            " for them again"
        )
        return Problem("plan_id", message, "still_barred")
    if barred_later is not None:
        message = (
            f"{vendor_id} will be barred at {agency} by a sanction already recorded before plan"
            f" {plan_id}'s contracts end ({barred_later}): they must move to other vendors by"
            " their end, as the plan schedules them"
        )
        return Problem("plan_id", message, "barred_later")
    return None


def changes_refusal(plan_id: str, withdrawn_at: dt.datetime | None) -> Problem | None:
    """Why an owner's change of the plan or its items is refused: the plan is withdrawn."""
    if withdrawn_at is None:
        return None
    message = f"plan {plan_id} is withdrawn: it changes no more"
    return Problem("plan_id", message, "plan_withdrawn")
