"""Which events the registry refuses of a vendor it does not know, in what words (pure).

Every event the registry applies to a vendor's own record, but its registration, needs the
vendor registered: an update, a rename, an affiliation change, a match review, an imposition
and every new record (an award, a subcontract's request, an incident's report, a claim, a
certificate) of a vendor it does not hold are refused as an unknown vendor (`handlers.py`,
`records.py`, `batch/rules.py`), and a change or a step of a sanction, a contract, a
subcontract, an incident or a claim because the vendor holds no such record: none is
recorded before the vendor's registration, which travels in the vendor's own partition.

The API's receipt refuses them all as an unknown vendor, naming the event's `vendor_id` (the
typed mutations' `vendorId`), when the vendor is known neither way a related vendor or a
causer is (`reference_rules.Known.knows_vendor`): registered, or its registration recorded in
the log (`reads/known_vendors.py`). A registration sent a moment before, still on its way to
the registry, so counts; one the registry then refuses (an identifier another vendor holds)
leaves the event to be refused by the registry, as before. The registry keeps its own
verdicts: events come through `publish` and Kafka too, past any receipt.
"""

from __future__ import annotations

from services.events.compliance import CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
)
from services.events.incident import IncidentClosed, IncidentInvestigated, IncidentReported
from services.events.match_review import VendorMatchReviewed
from services.events.sanction import (
    ClaimFiled,
    ClaimSettled,
    SanctionAmended,
    SanctionImposed,
    SanctionLifted,
)
from services.events.vendor import VendorAffiliationChanged, VendorRenamed, VendorUpdated
from services.registry.domain.refusals import Refusal

# Every event type the registry has a rule for, but a registration's and the imports' (about
# no vendor's record): an audit, which the registry passes unjudged, is not among them.
OF_REGISTERED_VENDORS: frozenset[str] = frozenset(
    kind.event_type
    for kind in (
        VendorUpdated,
        VendorRenamed,
        VendorAffiliationChanged,
        VendorMatchReviewed,
        SanctionImposed,
        SanctionAmended,
        SanctionLifted,
        ContractAwarded,
        ContractAmended,
        ContractTerminated,
        SubcontractRequested,
        SubcontractApproved,
        SubcontractRejected,
        IncidentReported,
        IncidentInvestigated,
        IncidentClosed,
        ClaimFiled,
        ClaimSettled,
        CertificateSubmitted,
    )
)


def unknown_vendor(vendor_id: str, field: str = "vendor_id") -> str:
    """The registry's reason for refusing an event of a vendor it does not hold, or naming
    one at `field` (an incident's causer, an affiliation's related vendor)."""
    return f"{field}: unknown vendor {vendor_id!r}; register it first"


def unknown_vendor_refusal(vendor_id: str, field: str = "vendor_id") -> Refusal:
    """`unknown_vendor`'s reason with the receipt's code: an event of `OF_REGISTERED_VENDORS`
    of a vendor not known, or naming one at `field`."""
    return "unknown_vendor", unknown_vendor(vendor_id, field)
