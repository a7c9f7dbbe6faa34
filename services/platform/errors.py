"""Errors the entrypoints turn into one clear line for the person at the terminal."""


class StartupError(RuntimeError):
    """A dependency (PostgreSQL, Kafka, a port, a file) is not usable; the message says which."""


class Refused(StartupError):
    """A dependency answered and refused this process's configuration: a wrong password, a
    role or a database that does not exist, a Kafka login the broker turned down. Unlike a
    dependency out of reach, waiting cannot cure it (outages.is_outage says no to it), so a
    process starting says it at once and exits."""
