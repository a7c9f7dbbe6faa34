"""Risk: explainable vendor risk scores, their history, and `risk.changed` announcements,
projected from the facts the registry accepted. Pure rules in `domain/`, tables in
`storage/`, the batch handler in `handlers.py`."""
