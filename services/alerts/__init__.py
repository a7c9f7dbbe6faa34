"""Watchlists and alerts: which vendors an agency watches, an alert per agency for each change of
a watched vendor's eligibility, and its delivery to the agency's webhook (ARCHITECTURE.md,
"Watchlists and alerts")."""
