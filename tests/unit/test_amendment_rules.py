"""An amendment changes nothing when the sanction's terms from its effective day on are the
same with it and without it, every other amendment counted (pure: amendment_rules); the
registry refuses it from `FOURTH_RULES_FROM` on, the receipt whenever asked."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from services.events.sanction import SanctionAmended, SanctionScope
from services.platform.eventstore.later_rules import FOURTH_RULES_FROM
from services.registry.domain.amendment_rules import changes_nothing
from services.registry.domain.imposition_rules import SanctionHeader, change_refusal
from services.registry.domain.sanction_timeline import Change, imposed_terms
from services.registry.policy_loading import load_policies

STARTS = dt.date(2022, 7, 9)
# 18 months from 2022-07-09, every agency and category, affiliates not covered.
IMPOSED = imposed_terms({"duration_months": 18, "covers_affiliates": False}, STARTS)
DAY = dt.date(2023, 1, 1)
AGENCIES = SanctionScope.AGENCIES


def amendment(effective_on: dt.date = DAY, **fields: Any) -> SanctionAmended:
    return SanctionAmended(sanction_id="s-1", effective_on=effective_on, reason="r", **fields)


def change(effective_on: dt.date, **fields: Any) -> Change:
    return Change(effective_on, False, amendment(effective_on, **fields).changes())


TWELVE = [change(DAY, duration_months=12)]


def test_the_amendment_in_force_sent_again_changes_nothing() -> None:
    assert changes_nothing(amendment(duration_months=12), STARTS, IMPOSED, TWELVE)
    # Its period however given: twelve months from 2022-07-09 end on 2023-07-08.
    same_end = amendment(ends_on=dt.date(2023, 7, 8))
    assert changes_nothing(same_end, STARTS, IMPOSED, TWELVE)
    assert not changes_nothing(amendment(ends_on=dt.date(2023, 7, 9)), STARTS, IMPOSED, TWELVE)
    # Later, its terms are the same from then on; earlier, it changes the days between.
    assert changes_nothing(
        amendment(dt.date(2023, 3, 1), duration_months=12), STARTS, IMPOSED, TWELVE
    )
    earlier = amendment(dt.date(2022, 12, 1), duration_months=12)
    assert not changes_nothing(earlier, STARTS, IMPOSED, TWELVE)


def test_scope_and_coverage_as_the_terms_hold_them() -> None:
    assert changes_nothing(amendment(covers_affiliates=False), STARTS, IMPOSED, [])
    assert not changes_nothing(amendment(covers_affiliates=True), STARTS, IMPOSED, [])
    # Every agency already: covering every one changes nothing; naming some does.
    assert changes_nothing(amendment(cover_all=[AGENCIES]), STARTS, IMPOSED, [])
    assert not changes_nothing(amendment(agencies=["Health"]), STARTS, IMPOSED, [])
    health = [change(DAY, agencies=["Health"])]
    assert changes_nothing(amendment(agencies=["Health"]), STARTS, IMPOSED, health)
    assert not changes_nothing(amendment(agencies=["Health", "Works"]), STARTS, IMPOSED, health)
    assert not changes_nothing(amendment(cover_all=[AGENCIES]), STARTS, IMPOSED, health)


def test_every_other_amendment_counts() -> None:
    # Twelve months from 2023-01-01, six from 2023-03-01: twelve again from 2023-02-01 is the
    # same until 2023-03-01 and is overruled after.
    six = [*TWELVE, change(dt.date(2023, 3, 1), duration_months=6)]
    assert changes_nothing(amendment(dt.date(2023, 2, 1), duration_months=12), STARTS, IMPOSED, six)
    # Health only from 2023-03-01 (the period untouched then): twelve months given again
    # from 2023-02-01 stays twelve after it too; ten would not.
    health = [*TWELVE, change(dt.date(2023, 3, 1), agencies=["Health"])]
    again = amendment(dt.date(2023, 2, 1), duration_months=12)
    assert changes_nothing(again, STARTS, IMPOSED, health)
    assert not changes_nothing(
        amendment(dt.date(2023, 2, 1), duration_months=10), STARTS, IMPOSED, health
    )
    # Every agency from 2023-02-01, before Health from 2023-03-01: the same as before it.
    assert changes_nothing(
        amendment(dt.date(2023, 2, 1), cover_all=[AGENCIES]), STARTS, IMPOSED, health
    )
    # A later amendment of the same day as one on record is applied after it.
    assert not changes_nothing(
        amendment(dt.date(2023, 3, 1), cover_all=[AGENCIES]), STARTS, IMPOSED, health
    )


B = SanctionHeader(
    "vendor-b",
    dt.date(2022, 7, 8),
    STARTS,
    "City procurement office",
    ("breach_of_contract", "dishonest_conduct"),
    True,
    imposed=IMPOSED,
    amendments=tuple(TWELVE),
)
SAID = (
    "payload: sanction 's-1' has these terms from 2023-01-01 on already;"
    " the amendment would change nothing"
)


def test_the_registry_refuses_it_from_the_fourth_rules_on() -> None:
    policies = load_policies()
    same = amendment(duration_months=12)
    assert change_refusal(policies, "vendor-b", same, B, FOURTH_RULES_FROM) == SAID
    before = FOURTH_RULES_FROM - dt.timedelta(microseconds=1)
    assert change_refusal(policies, "vendor-b", same, B, before) is None
    # A header that does not know the sanction's terms finds nothing unchanged.
    unknown = dataclasses.replace(B, imposed=None)
    assert change_refusal(policies, "vendor-b", same, unknown, FOURTH_RULES_FROM) is None


# Found by exploratory testing: six months from 2023-01-11 (to 2023-07-10), lifted from
# 2023-02-15. Eight months from 2023-02-01 ends it on 2023-02-14 all the same.
LF_STARTS = dt.date(2023, 1, 11)
LF_IMPOSED = imposed_terms({"duration_months": 6, "covers_affiliates": False}, LF_STARTS)
LIFTED_ON = dt.date(2023, 2, 15)
FEB_1 = dt.date(2023, 2, 1)


@pytest.mark.parametrize(
    "fields",
    [
        {"duration_months": 8},
        {"indefinite": True},
        {"ends_on": dt.date(2023, 2, 14)},  # shortened to the lift's eve, as the lift ends it
        {"ends_on": dt.date(2023, 3, 1)},
    ],
)
def test_a_new_period_the_lift_cuts_short_anyway_changes_nothing(fields: dict[str, Any]) -> None:
    extended = amendment(FEB_1, **fields)
    assert changes_nothing(extended, LF_STARTS, LF_IMPOSED, [], LIFTED_ON)
    # Not lifted, it changes the last day.
    assert not changes_nothing(extended, LF_STARTS, LF_IMPOSED, [])


def test_before_its_lift_an_amendment_still_changes_the_days_until_it() -> None:
    # Ended before the lift, or narrowed for the days until it: a change.
    ended = amendment(FEB_1, ends_on=dt.date(2023, 2, 10))
    assert not changes_nothing(ended, LF_STARTS, LF_IMPOSED, [], LIFTED_ON)
    narrowed = amendment(FEB_1, duration_months=8, agencies=["Health"])
    assert not changes_nothing(narrowed, LF_STARTS, LF_IMPOSED, [], LIFTED_ON)
    # An amendment on record ending it before the lift: giving the old period back changes
    # the days between.
    shortened = [change(dt.date(2023, 1, 20), ends_on=dt.date(2023, 2, 5))]
    back = amendment(FEB_1, duration_months=6)
    assert not changes_nothing(back, LF_STARTS, LF_IMPOSED, shortened, LIFTED_ON)


def test_the_registry_refuses_it_as_its_twin_from_the_fourth_rules_on() -> None:
    policies = load_policies()
    header = SanctionHeader(
        "lf-1",
        dt.date(2023, 1, 10),
        LF_STARTS,
        "Prefectural police",
        ("breach_of_contract",),
        False,
        lifted_on=LIFTED_ON,
        last_day=dt.date(2023, 7, 10),
        imposed=LF_IMPOSED,
    )
    extended = amendment(FEB_1, duration_months=8)
    said = (
        "payload: sanction 's-1' has these terms from 2023-02-01 on until its lift from"
        " 2023-02-15 already; the amendment would change nothing"
    )
    assert change_refusal(policies, "lf-1", extended, header, FOURTH_RULES_FROM) == said
    before = FOURTH_RULES_FROM - dt.timedelta(microseconds=1)
    assert change_refusal(policies, "lf-1", extended, header, before) is None
