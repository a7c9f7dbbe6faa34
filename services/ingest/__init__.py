"""Ingest: validates raw input, de-duplicates it, appends it to the event store, dead-letters
what cannot be accepted."""
