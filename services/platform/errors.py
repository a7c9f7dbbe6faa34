"""Errors the entrypoints turn into one clear line for the person at the terminal."""


class StartupError(RuntimeError):
    """A dependency (PostgreSQL, Kafka, a port, a file) is not usable; the message says which."""
