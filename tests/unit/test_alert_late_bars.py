"""Which days an eligibility announcement may newly bar (`late_bars.reaches_back_from`): the
awards of those days are read and judged, so a bar made longer, which bars no day gone by,
reads none, and a new or widened one reads from its start."""

from __future__ import annotations

import datetime as dt

from services.alerts.changes import Seen
from services.alerts.late_bars import reaches_back_from
from services.events.emitted import EligibilityReasonRef
from services.events.sanction import SanctionKind

START = dt.date(2026, 12, 2)


def reason(
    sanction_id: str,
    starts_on: dt.date = START,
    ends_on: dt.date | None = None,
    agencies: list[str] | None = None,
) -> EligibilityReasonRef:
    return EligibilityReasonRef(
        sanction_id=sanction_id,
        kind=SanctionKind.BID_SUSPENSION,
        authority="City procurement office",
        starts_on=starts_on,
        ends_on=ends_on,
        agencies=agencies,
    )


def barred(*reasons: EligibilityReasonRef) -> Seen:
    return Seen(False, None, reasons)


def test_a_first_bar_reaches_back_to_its_start() -> None:
    assert reaches_back_from(None, barred(reason("s-1"))) == START
    assert reaches_back_from(Seen(True, None, ()), barred(reason("s-1"))) == START


def test_a_new_reason_reaches_back_to_its_own_start_not_the_others() -> None:
    before = barred(reason("s-old", dt.date(2020, 1, 1)))
    now = barred(reason("s-old", dt.date(2020, 1, 1)), reason("s-new"))
    assert reaches_back_from(before, now) == START


def test_a_bar_made_longer_bars_no_day_gone_by() -> None:
    before = barred(reason("s-1", ends_on=dt.date(2027, 1, 31)))
    assert reaches_back_from(before, barred(reason("s-1", ends_on=dt.date(2027, 6, 30)))) is None


def test_a_bar_widened_to_more_agencies_reaches_back_to_its_start() -> None:
    before = barred(reason("s-1", agencies=["Water Bureau"]))
    assert reaches_back_from(before, barred(reason("s-1"))) == START


def test_reasons_unknown_before_and_a_lift_reach_nowhere() -> None:
    """Reasons seen before the alerts kept them: which are new is unknown, and counting all
    would tell every award since the bar's start, months old perhaps, as news."""
    assert reaches_back_from(Seen(False, None, None), barred(reason("s-1"))) is None
    assert reaches_back_from(barred(reason("s-1")), Seen(True, None, ())) is None
