"""Which event each typed mutation records: the events people record through the API."""

from __future__ import annotations

from collections.abc import Mapping

from services.events.base import Payload
from services.events.compliance import AuditCompleted, CertificateSubmitted
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
from services.events.vendor import (
    VendorAffiliationChanged,
    VendorRegistered,
    VendorRenamed,
    VendorUpdated,
)

# Mutation name → the event it records.
RECORDED_BY_PEOPLE: Mapping[str, type[Payload]] = {
    "registerVendor": VendorRegistered,
    "updateVendor": VendorUpdated,
    "renameVendor": VendorRenamed,
    "changeVendorAffiliation": VendorAffiliationChanged,
    "reviewMatch": VendorMatchReviewed,
    "awardContract": ContractAwarded,
    "amendContract": ContractAmended,
    "terminateContract": ContractTerminated,
    "requestSubcontract": SubcontractRequested,
    "approveSubcontract": SubcontractApproved,
    "rejectSubcontract": SubcontractRejected,
    "reportIncident": IncidentReported,
    "investigateIncident": IncidentInvestigated,
    "closeIncident": IncidentClosed,
    "imposeSanction": SanctionImposed,
    "amendSanction": SanctionAmended,
    "liftSanction": SanctionLifted,
    "fileClaim": ClaimFiled,
    "settleClaim": ClaimSettled,
    "submitCertificate": CertificateSubmitted,
    "completeAudit": AuditCompleted,
}
