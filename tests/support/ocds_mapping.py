"""An OCDS package mapped as the importer maps it (streamed into a scratch database, then
mapped), with every event and every outcome kept for the tests to look at."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.events.base import EventEnvelope
from services.events.contract import ContractAwarded
from services.imports.ocds.mapping import mapped as mapped_events
from services.imports.ocds.outcomes import Accounted, Tally
from services.imports.ocds.reading import read
from services.imports.ocds.recorded import RecordedContract
from services.imports.ocds.scratch import OcdsScratch
from services.registry.domain.names import IdentifierKey


@dataclass
class Mapped(Tally):
    """A tally that keeps everything: the events and every outcome, in order."""

    events: list[EventEnvelope] = field(default_factory=list)
    accounted: list[Accounted] = field(default_factory=list)

    def account(self, accounted: Accounted) -> None:
        self.accounted.append(accounted)
        super().account(accounted)


def mapped(
    package: bytes | dict[str, Any],
    vendors: frozenset[str] = frozenset(),
    owners: Mapping[IdentifierKey, str] | None = None,
    contracts: Mapping[str, RecordedContract] | None = None,
) -> Mapped:
    """The package (a file's bytes, or JSON) mapped with what the registry has: `vendors`, who
    holds which identifier, and the contracts earlier imports recorded."""
    raw = package if isinstance(package, bytes) else json.dumps(package).encode()
    result = Mapped()
    with OcdsScratch() as scratch:
        read_package = read(io.BytesIO(raw), scratch)
        scratch.know(vendors, (owners or {}).items())
        scratch.know_contracts((contracts or {}).items())
        result.events = list(mapped_events(read_package, scratch, result))
    return result


def small_process(**changes: Any) -> dict[str, Any]:
    """A small release of one process: a buyer, a supplier, an award and its contract."""
    release: dict[str, Any] = {
        "ocid": "ocds-test-1",
        "id": "r1",
        "date": "2024-04-01T09:00:00+09:00",
        "tag": ["contract"],
        "buyer": {"id": "B", "name": "City Roads Office"},
        "parties": [
            {"id": "B", "name": "City Roads Office", "roles": ["buyer"]},
            {
                "id": "S1",
                "name": "Beta Works",
                "name_en": "Beta Works Ltd",
                "identifier": {"scheme": "JP-CN", "id": "1234567890123", "legalName": "ベータ"},
                "roles": ["supplier"],
            },
        ],
        "awards": [{"id": "A1", "status": "active", "suppliers": [{"id": "S1"}]}],
        "contracts": [
            {
                "id": "C1",
                "awardID": "A1",
                "title": "Road repair",
                "dateSigned": "2024-04-01T10:00:00+09:00",
                "period": {"startDate": "2024-04-01", "endDate": "2025-03-31"},
                "value": {"amount": 1000000, "currency": "JPY"},
            }
        ],
    }
    release.update(changes)
    return release


def awarded_of(result: Mapped) -> dict[str, tuple[str, ContractAwarded]]:
    return {
        e.payload.contract_id: (e.vendor_id, e.payload)
        for e in result.events
        if isinstance(e.payload, ContractAwarded)
    }
