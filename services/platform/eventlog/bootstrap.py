"""The Kafka brokers a process is given to start from (KAFKA_BOOTSTRAP_SERVERS / --kafka),
checked before any connection. aiokafka reads each comma-separated address as HOST:PORT,
[IPv6]:PORT, a bare IPv6 address or HOST alone (port 9092), and tried one it can never
connect to, a port out of range or a host left empty, as it tries a broker out of reach: a
process starting waited on `host:99999` for good, and on `kafka://host:9092` (a URL, read as
the host `kafka://host`). What no broker can mend is said at once.

Read here as aiokafka reads it (`aiokafka.conn.get_ip_port_afi`), not by calling it: `up`
and the one-off commands read the settings without importing Kafka's client."""

from __future__ import annotations

import ipaddress

from services.platform.errors import Misconfigured

# The setting the addresses come from, as the person who gave them knows it.
BOOTSTRAP_SETTING = "KAFKA_BOOTSTRAP_SERVERS / --kafka"
PORTS = range(1, 65536)
DEFAULT_PORT = "9092"
# Kafka's listener protocols, which a broker's own configuration writes as URL schemes
# (`PLAINTEXT://host:9092`); a client says its protocol in a setting of its own.
PROTOCOLS = frozenset({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"})


def bootstrap_problem(bootstrap: str) -> str | None:
    """Why an address of `bootstrap` can never be connected to; None when each can be
    tried."""
    for given in bootstrap.split(","):
        address = given.strip()
        if (url := _url_problem(address)) is not None:
            return url
        parts = _host_and_port(address)
        if parts is None:
            return f"{address!r} is not HOST:PORT or [IPv6]:PORT"
        host, port = parts
        if not host:
            return f"{address!r} names no host"
        if not (port.isascii() and port.isdigit()):
            return f"{address!r} has port {port!r}, not a number"
        if int(port) not in PORTS:
            return f"{address!r} has port {port}, out of range (1-65535)"
    return None


def _url_problem(address: str) -> str | None:
    """An address written as a URL (`kafka://host:9092`): what to write instead."""
    scheme, separator, rest = address.partition("://")
    if not separator:
        return None
    protocol = (
        ", and the protocol in VENDORWATCH_KAFKA_SECURITY_PROTOCOL"
        if scheme.upper() in PROTOCOLS
        else ""
    )
    return (
        f"{address!r} is a URL: write the broker as HOST:PORT ({rest.rstrip('/')!r}), without"
        f" {scheme + separator!r}{protocol}"
    )


def checked_bootstrap(bootstrap: str) -> str:
    """`bootstrap`, unless it has a `bootstrap_problem`, said naming the setting."""
    problem = bootstrap_problem(bootstrap)
    if problem is not None:
        raise Misconfigured(f"{BOOTSTRAP_SETTING}: {problem}")
    return bootstrap


def _host_and_port(address: str) -> tuple[str, str] | None:
    """The address's host and port, as written; None when it cannot be split so."""
    if address.startswith("["):
        host, bracket, rest = address[1:].partition("]")
        if not bracket or rest[:1] not in ("", ":"):
            return None
        return host, rest[1:] if rest else DEFAULT_PORT
    if ":" not in address:
        return address, DEFAULT_PORT
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        host, _, port = address.rpartition(":")
        return host, port
    return address, DEFAULT_PORT
