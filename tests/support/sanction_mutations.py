"""The sanction mutations as the API's receipt tests send them, each asking for its receipt
(RECEIPT): imposeSanction, amendSanction and liftSanction with their typed inputs."""

from __future__ import annotations

from tests.support.record_receipts import RECEIPT


def typed(mutation: str, input_type: str) -> str:
    return (
        f"mutation ($vendorId: ID!, $payload: {input_type}!) {{"
        f" {mutation}(vendorId: $vendorId, payload: $payload) {RECEIPT} }}"
    )


IMPOSE = typed("imposeSanction", "SanctionImposedInput")
AMEND = typed("amendSanction", "SanctionAmendedInput")
LIFT = typed("liftSanction", "SanctionLiftedInput")
