"""An announcement's reasons as its readers take them (pure): whether they bar the vendor at
an agency, and from a category (migration, alerts), names compared as the registry compares
them; and when two readings say the same (the registry's announced state, the alerts'
comparison)."""

from __future__ import annotations

import datetime as dt

from services.events.emitted import EligibilityReasonRef, barring_at, reasons_key
from services.events.sanction import SanctionKind


def _reason(
    agencies: list[str] | None,
    sanction_id: str = "s-1",
    ends_on: dt.date | None = None,
    categories: list[str] | None = None,
) -> EligibilityReasonRef:
    return EligibilityReasonRef(
        sanction_id=sanction_id,
        kind=SanctionKind.BID_SUSPENSION,
        authority="City",
        starts_on=dt.date(2022, 7, 9),
        ends_on=ends_on,
        agencies=agencies,
        categories=categories,
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


def test_a_sanction_of_some_categories_bars_only_their_contracts() -> None:
    # Migration moves a contract only when a sanction bars its vendor from the contract's
    # category: a suspension from construction work leaves its IT contracts where they are.
    works = _reason(None, categories=["Construction"])
    assert barring_at([works], "City IT", "construction") == [works]
    assert barring_at([works], "City IT", "information_systems") == []
    assert barring_at([works], "City IT") == [works]  # no category named: barred there
    every = _reason(["City IT"])
    assert barring_at([every, works], "City IT", "information_systems") == [every]


def test_the_same_reasons_in_another_order_say_the_same() -> None:
    # Reasons come in the order the registry's rows were numbered, which a rebuild or another
    # mode can change, and a sanction's agencies in the order its sender listed them: neither
    # is a change to announce or alert.
    first, second = _reason(["City IT", "Parks"]), _reason(None, "s-2")
    reordered = _reason(["parks", "City IT"])
    assert reasons_key([first, second]) == reasons_key([second, reordered])
    assert reasons_key([first]) != reasons_key([first, second])
    assert reasons_key([first]) != reasons_key([_reason(["City IT"])])
    later = _reason(["City IT", "Parks"], ends_on=dt.date(2024, 1, 8))
    assert reasons_key([first]) != reasons_key([later])
