"""The records events add: each one's table and the payload field naming it, and whose ids
are unique across vendors."""

from __future__ import annotations

from services.events.compliance import CertificateSubmitted
from services.events.contract import ContractAwarded, SubcontractRequested
from services.events.incident import IncidentReported
from services.events.sanction import ClaimFiled

# The events that add a record: its table, and the payload field naming it.
NEW_RECORDS: dict[str, tuple[str, str]] = {
    ContractAwarded.event_type: ("registry_contracts", "contract_id"),
    SubcontractRequested.event_type: ("registry_subcontracts", "subcontract_id"),
    IncidentReported.event_type: ("registry_incidents", "incident_id"),
    ClaimFiled.event_type: ("registry_claims", "claim_id"),
    CertificateSubmitted.event_type: ("registry_certificates", "certificate_id"),
}
# The agencies issue contracts' and subcontracts' ids, unique across vendors (the tables'
# keys); incidents', claims' and certificates' are each vendor's own.
ACROSS_VENDORS = frozenset({"registry_contracts", "registry_subcontracts"})
