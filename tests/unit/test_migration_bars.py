"""Whether a vendor is barred at an agency, as migration reads the registry's announcement
(pure): the agency's name compared as the registry compares it."""

from __future__ import annotations

import datetime as dt

from services.events.emitted import EligibilityReasonRef, barring_at
from services.events.sanction import SanctionKind


def _reason(agencies: list[str] | None) -> EligibilityReasonRef:
    return EligibilityReasonRef(
        sanction_id="s-1",
        kind=SanctionKind.BID_SUSPENSION,
        authority="City",
        starts_on=dt.date(2022, 7, 9),
        agencies=agencies,
    )


def test_an_agency_written_otherwise_is_the_same_agency() -> None:
    # The registry bars the vendor at "city it" for a sanction scoped to "City IT": a plan
    # must open there too.
    scoped = _reason(["City IT"])
    for written in ("City IT", "city it", " CITY  IT ", "Ｃｉｔｙ ＩＴ"):
        assert barring_at([scoped], written) == [scoped]
    assert barring_at([scoped], "City Water") == []
    everywhere = _reason(None)
    assert barring_at([everywhere], "City Water") == [everywhere]
