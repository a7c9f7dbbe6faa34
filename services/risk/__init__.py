"""Risk: explainable vendor risk scores and `risk.changed` events (not built yet: issue 4)."""
