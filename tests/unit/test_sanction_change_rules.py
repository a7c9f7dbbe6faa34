"""The registry's rules of sanction changes judge the events recorded from when they were
added, so that a rebuild judges an older log as live processing did; a lifted sanction is
not lifted again, nor amended from its lift on (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from services.events.sanction import SanctionAmended, SanctionLifted
from services.platform.eventstore.later_rules import LATER_RULES_FROM
from services.registry.domain.imposition_rules import SanctionHeader, change_refusal
from services.registry.policy_loading import load_policies

POLICIES = load_policies()
# The case's suspension: decided 2022-07-08, serious, 2–18 months.
B = SanctionHeader(
    "vendor-b",
    dt.date(2022, 7, 8),
    dt.date(2022, 7, 9),
    "City procurement office",
    ("breach_of_contract", "dishonest_conduct"),
    True,
)
BEFORE = LATER_RULES_FROM - dt.timedelta(seconds=1)
LIFT = SanctionLifted(sanction_id="s", effective_on=dt.date(2022, 7, 1), reason="r")
LONGER = SanctionAmended(
    sanction_id="s", effective_on=dt.date(2023, 1, 1), duration_months=30, reason="r"
)


def test_changes_recorded_from_the_rules_on_are_held_to_them() -> None:
    lift = change_refusal(POLICIES, "vendor-b", LIFT, B, LATER_RULES_FROM)
    assert lift is not None and "before the sanction was decided, on 2022-07-08" in lift
    longer = change_refusal(POLICIES, "vendor-b", LONGER, B, LATER_RULES_FROM)
    assert longer is not None and "30 months is outside" in longer


def test_changes_recorded_before_are_judged_as_they_were_then() -> None:
    # An import's lift of a debarment not begun, dated the import's day, applied live: a
    # rebuild refusing it would bar the vendor again.
    assert change_refusal(POLICIES, "vendor-b", LIFT, B, BEFORE) is None
    assert change_refusal(POLICIES, "vendor-b", LONGER, B, BEFORE) is None
    # The rules they were judged by then still hold.
    other = change_refusal(POLICIES, "vendor-c", LIFT, B, BEFORE)
    assert other is not None and "belongs to vendor 'vendor-b'" in other
    ended = LONGER.model_copy(update={"duration_months": None, "ends_on": dt.date(2022, 1, 1)})
    early = change_refusal(POLICIES, "vendor-b", ended, B, BEFORE)
    assert early is not None and "is before the sanction's start 2022-07-09" in early


LIFTED = dataclasses.replace(B, lifted_on=dt.date(2023, 1, 10))
AGAIN = SanctionLifted(sanction_id="s-1", effective_on=dt.date(2022, 9, 1), reason="Again.")
NARROWER = SanctionAmended(
    sanction_id="s-1", effective_on=dt.date(2023, 1, 10), agencies=["Health"], reason="Scope."
)


def test_a_lifted_sanction_is_not_lifted_again() -> None:
    # An earlier second lift would have moved its end unseen.
    refusal = change_refusal(POLICIES, "vendor-b", AGAIN, LIFTED, LATER_RULES_FROM)
    assert refusal == "payload.sanction_id: sanction 's-1' was lifted from 2023-01-10"
    assert change_refusal(POLICIES, "vendor-b", AGAIN, LIFTED, BEFORE) is None


def test_a_lifted_sanction_is_amended_only_for_the_days_it_ran() -> None:
    refusal = change_refusal(POLICIES, "vendor-b", NARROWER, LIFTED, LATER_RULES_FROM)
    assert refusal is not None and "was lifted from 2023-01-10" in refusal
    before = NARROWER.model_copy(update={"effective_on": dt.date(2022, 12, 1)})
    assert change_refusal(POLICIES, "vendor-b", before, LIFTED, LATER_RULES_FROM) is None
