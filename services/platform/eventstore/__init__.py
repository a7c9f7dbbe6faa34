"""The log of record in PostgreSQL: the append-only event store and its hash chains, what people
ask of it, the walk that verifies it, and when it recorded each event."""
