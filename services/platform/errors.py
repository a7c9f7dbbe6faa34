"""Errors the entrypoints turn into one clear line for the person at the terminal."""


class StartupError(RuntimeError):
    """A dependency (PostgreSQL, Kafka, a port, a file) is not usable; the message says which."""


class Misconfigured(StartupError):
    """This process's configuration cannot work with a dependency, however long it waits: a
    Kafka CA file that cannot be read or does not verify the broker, no SASL login for a
    broker that wants one, and every `Refused`. Unlike a dependency out of reach
    (outages.is_outage says no to it), a process starting says it at once and exits."""


class Refused(Misconfigured):
    """A dependency answered and refused this process's configuration: a wrong password, a
    role or a database that does not exist, a Kafka login the broker turned down."""


class Lost(StartupError):
    """A dependency lost partway through a one-off command's work (PostgreSQL stopped under
    an import or a rebuild, or out of room: its disk full): the message says which, where
    (without a password) and, where the command knows it, how far it got. No traceback: it
    is no fault of the command's."""
