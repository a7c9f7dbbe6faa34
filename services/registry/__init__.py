"""Registry: vendors, identities, sanctions and bid eligibility, projected from the event log."""
