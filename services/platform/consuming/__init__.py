"""Applying the log to a service exactly once: batches and their verdicts (`consumer.py`),
dead letters, the outboxes of emitted events and the notices that wake their relays, and the
rebuilds' exclusive replay (`rebuilding.py`, `replay.py`)."""
