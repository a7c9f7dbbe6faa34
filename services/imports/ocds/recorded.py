"""What the registry records of the contracts earlier OCDS imports made: a contract recorded
already is amended to a newer file's terms, not awarded again (`contracts.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordedContract:
    """A contract record the registry holds, as it stands now."""

    vendor_id: str
    ends_on: dt.date
    amount: int  # in the currency's smallest unit
    currency: str
    terminated: bool
    terms_as_of: dt.datetime  # when its terms were stated: its last amendment, else award


# The registry's record of a contract id, if any (none known: every contract is new).
Recorded = Callable[[str], RecordedContract | None]
