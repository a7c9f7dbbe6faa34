"""The event log behind one interface, with two adapters: embedded (PostgreSQL) and Kafka."""
