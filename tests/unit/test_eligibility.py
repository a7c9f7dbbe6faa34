"""Bid eligibility rules over a vendor's sanctions (pure, no database)."""

from __future__ import annotations

import datetime as dt

from services.events.sanction import SanctionKind
from services.registry.eligibility import Sanction, evaluate

D = dt.date


def sanction(
    sanction_id: str,
    starts_on: dt.date,
    last_day: dt.date | None,
    kind: SanctionKind = SanctionKind.BID_SUSPENSION,
    agencies: tuple[str, ...] | None = None,
    categories: tuple[str, ...] | None = None,
) -> Sanction:
    return Sanction(
        sanction_id, "vendor-b", kind, "City", starts_on, last_day, agencies, categories
    )


CASE = sanction("s-1", D(2022, 7, 9), D(2024, 1, 8))


def test_the_case_first_and_last_day_barred_the_day_after_eligible() -> None:
    before = evaluate("vendor-b", [CASE], D(2022, 7, 8))
    assert before.eligible and before.reasons == () and before.eligible_again_on is None
    for day in (D(2022, 7, 9), D(2024, 1, 8)):
        answer = evaluate("vendor-b", [CASE], day)
        assert not answer.eligible
        assert answer.reasons == (CASE,)
        assert answer.eligible_again_on == D(2024, 1, 9)
    assert evaluate("vendor-b", [CASE], D(2024, 1, 9)).eligible


def test_a_warning_bars_nothing() -> None:
    warning = sanction("w-1", D(2022, 1, 1), None, kind=SanctionKind.WARNING)
    assert evaluate("vendor-b", [warning], D(2023, 1, 1)).eligible


def test_back_to_back_and_overlapping_sanctions_are_bridged() -> None:
    follow_up = sanction("s-2", D(2024, 1, 9), D(2024, 6, 30), kind=SanctionKind.DEBARMENT)
    overlapping = sanction("s-3", D(2023, 12, 1), D(2024, 3, 31))
    answer = evaluate("vendor-b", [CASE, follow_up, overlapping], D(2023, 12, 15))
    assert {s.sanction_id for s in answer.reasons} == {"s-1", "s-3"}
    assert answer.eligible_again_on == D(2024, 7, 1)


def test_an_indefinite_sanction_has_no_date_of_return() -> None:
    answer = evaluate("vendor-b", [sanction("s-9", D(2022, 1, 1), None)], D(2030, 1, 1))
    assert not answer.eligible and answer.eligible_again_on is None


def test_scope_limits_which_procurements_are_barred() -> None:
    scoped = sanction(
        "s-4", D(2022, 7, 9), D(2024, 1, 8), agencies=("city-it",), categories=("it",)
    )
    day = D(2023, 1, 1)
    assert not evaluate("vendor-b", [scoped], day, agency="city-it", category="it").eligible
    assert evaluate("vendor-b", [scoped], day, agency="city-roads", category="it").eligible
    assert evaluate("vendor-b", [scoped], day, agency="city-it", category="works").eligible
    # An unnamed agency or category cannot rule the sanction out: never "eligible" wrongly.
    assert not evaluate("vendor-b", [scoped], day).eligible
