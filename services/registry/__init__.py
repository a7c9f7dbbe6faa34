"""Registry: vendors, identities, sanctions and bid eligibility, projected from the event log.
Pure rules in `domain/`, name search in `name_search/`, tables in `storage/`, what the API
asks in `reads/`, exports for other systems in `exports/`; the handlers at the top."""
