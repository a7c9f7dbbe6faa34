"""What a sanction already recorded will bar a plan's own vendor from before its contracts end
(pure, `bars.barred_later`): the bar to come, in a replacement's words, and the contracts that
run into it, and both apart (the console shows the bars' days and reasons its own way); a bar of
another agency or category, or one beginning after a contract's end, reaches none (an
exploratory tester's finding: the plan read its vendor as plainly eligible)."""

from __future__ import annotations

import datetime as dt

from services.events.emitted import EligibilityReasonRef
from services.events.sanction import SanctionKind
from services.migration.domain.bars import barred_later

DEBARMENT = EligibilityReasonRef(
    sanction_id="pref-2027-001",
    kind=SanctionKind.DEBARMENT,
    authority="Prefecture",
    starts_on=dt.date(2027, 6, 1),
    ends_on=dt.date(2029, 1, 31),
    categories=["it_services"],
)
SAID = (
    "to come: debarment pref-2027-001 by Prefecture from 2027-06-01 until 2029-01-31"
    " (categories: it_services); eligible here again on 2029-02-01"
)


def _contract(contract_id: str, ends: str, category: str | None) -> tuple[str, str | None, dt.date]:
    return (contract_id, category, dt.date.fromisoformat(ends))


def test_the_contracts_a_bar_to_come_begins_under_are_named_with_it() -> None:
    contracts = [
        _contract("c-run2", "2027-09-30", "it_services"),
        _contract("c-run1", "2028-03-31", None),  # no category known: in every scope
        _contract("c-last-day", "2027-06-01", "it_services"),  # its last day is the bar's first
        _contract("c-ends-before", "2027-05-31", "it_services"),
        _contract("c-other-category", "2028-03-31", "cleaning"),
    ]
    later = barred_later([DEBARMENT], "市民課", contracts)
    assert later is not None
    assert later.said == f"{SAID}; c-last-day, c-run1, c-run2 run into it"
    assert later.reasons == (DEBARMENT,)
    assert later.contracts == ("c-last-day", "c-run1", "c-run2")


def test_the_bars_to_come_are_given_in_the_order_they_begin() -> None:
    """Whatever order the announcement lists them in, as the words say them."""
    sooner = DEBARMENT.model_copy(
        update={"sanction_id": "city-2027-004", "starts_on": dt.date(2027, 3, 1)}
    )
    contracts = [_contract("c-run1", "2028-03-31", "it_services")]
    later = barred_later([DEBARMENT, sooner], "市民課", contracts)
    assert later is not None
    assert [r.sanction_id for r in later.reasons] == ["city-2027-004", "pref-2027-001"]
    assert later.said.index("city-2027-004") < later.said.index("pref-2027-001")


def test_nothing_is_said_when_no_contract_runs_into_a_bar_to_come() -> None:
    elsewhere = DEBARMENT.model_copy(update={"agencies": ["税務課"]})
    running = [_contract("c-run1", "2028-03-31", "it_services")]
    assert barred_later([elsewhere], "市民課", running) is None
    assert barred_later([DEBARMENT], "市民課", [_contract("c-1", "2027-05-31", None)]) is None
    assert barred_later([], "市民課", running) is None
    assert barred_later([DEBARMENT], "市民課", []) is None
