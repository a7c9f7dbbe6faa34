"""A plan's status and its withdrawal's rules (pure): what migration's handler and the API's
receipt both ask (domain/plan_status.py, domain/withdrawal.py), and the id of a plan opened
after a withdrawn one (plan_opening.automatic_plan_id)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.events.migration import MigrationItemStatus
from services.migration.domain.plan_status import PlanStatus, plan_status
from services.migration.domain.withdrawal import changes_refusal, withdrawal_refusal
from services.migration.plan_opening import automatic_plan_id

DONE, PLANNED = MigrationItemStatus.DONE, MigrationItemStatus.PLANNED
AT = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC)
TO_COME = "to come: debarment pref-1 by Prefecture from 2027-06-01 until 2029-01-31"


@dataclass(frozen=True)
class _Plan:
    plan_id: str
    vendor_id: str
    agency: str
    withdrawn_at: dt.datetime | None
    vendor_eligible: bool


def _plan(withdrawn_at: dt.datetime | None, *, eligible: bool) -> _Plan:
    return _Plan("plan-1", "vendor-b", "市民課", withdrawn_at, eligible)


def test_a_plan_is_completed_once_every_item_is_done() -> None:
    assert plan_status(False, [DONE, DONE]) is PlanStatus.COMPLETED
    assert plan_status(False, [DONE, PLANNED]) is PlanStatus.OPEN
    assert plan_status(False, [MigrationItemStatus.BLOCKED]) is PlanStatus.OPEN


def test_a_plan_without_items_is_open_and_a_withdrawn_one_withdrawn_whatever_its_items() -> None:
    assert plan_status(False, []) is PlanStatus.OPEN
    assert plan_status(True, [DONE, DONE]) is PlanStatus.WITHDRAWN
    assert plan_status(True, [PLANNED]) is PlanStatus.WITHDRAWN
    assert plan_status(True, []) is PlanStatus.WITHDRAWN


def test_a_plan_whose_vendor_may_bid_again_may_be_withdrawn() -> None:
    refusal = withdrawal_refusal(_plan(None, eligible=True), None)
    assert refusal is None


def test_a_plan_whose_vendor_is_still_barred_there_is_not_withdrawn() -> None:
    refusal = withdrawal_refusal(_plan(None, eligible=False), TO_COME)
    assert refusal is not None
    assert (refusal.field, refusal.code) == ("plan_id", "still_barred")
    assert refusal.message == (
        "vendor-b is still barred at 市民課 from plan plan-1's contracts: they must move to"
        " other vendors; the plan can be withdrawn once the vendor may bid for them again"
    )


def test_a_plan_whose_vendor_a_recorded_bar_reaches_before_its_contracts_end_is_kept() -> None:
    """Barred now is said first (it says what must happen now); free now, the bar to come."""
    refusal = withdrawal_refusal(_plan(None, eligible=True), TO_COME)
    assert refusal is not None
    assert (refusal.field, refusal.code) == ("plan_id", "barred_later")
    assert refusal.message == (
        "vendor-b will be barred at 市民課 by a sanction already recorded before plan plan-1's"
        f" contracts end ({TO_COME}): they must move to other vendors by their end, as the plan"
        " schedules them"
    )


def test_a_plan_is_withdrawn_once() -> None:
    for eligible in (True, False):  # said as withdrawn first: barred or not, it is history
        refusal = withdrawal_refusal(_plan(AT, eligible=eligible), TO_COME)
        assert refusal is not None
        assert (refusal.field, refusal.code) == ("plan_id", "withdrawn_already")
        assert refusal.message == "plan plan-1 is withdrawn already"


def test_a_withdrawn_plan_changes_no_more() -> None:
    assert changes_refusal("plan-1", None) is None
    refusal = changes_refusal("plan-1", AT)
    assert refusal is not None
    assert (refusal.field, refusal.code) == ("plan_id", "plan_withdrawn")
    assert refusal.message == "plan plan-1 is withdrawn: it changes no more"


def test_a_plan_opened_after_a_withdrawn_one_gets_an_id_of_its_own() -> None:
    """The first plan's id is as it always was (stored plans keep theirs); each plan after a
    withdrawn one there has another, the same on every replay."""
    first = automatic_plan_id("vendor-b", "市民課")
    assert first == automatic_plan_id("vendor-b", "市民課", 0) == "plan-16bf4c7a26b653c49f71"
    later = {automatic_plan_id("vendor-b", "市民課", n) for n in (1, 2)}
    assert len(later) == 2 and first not in later
    assert automatic_plan_id("vendor-b", "市民課", 1) == automatic_plan_id("vendor-b", "市民課", 1)
