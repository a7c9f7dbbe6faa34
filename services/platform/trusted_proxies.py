"""The reverse proxies whose `X-Forwarded-For` the API believes (VENDORWATCH_FORWARDED_ALLOW_IPS):
the address an event's `recorded_by.client` names is the socket's unless the connection comes
from one of them. Addresses or networks only: a proxy is known by the address its connections
come from, never by a name, and "every address" would let any client choose the address the
audit trail records for it."""

from __future__ import annotations

import ipaddress


def trusted_proxies(value: str) -> tuple[str, ...]:
    """The comma-separated addresses and networks (`10.0.0.5`, `172.30.0.0/24`, `::1`), each
    checked and written as the standard form; none for an empty value."""
    entries = [entry.strip() for entry in value.split(",")]
    if entries == [""]:
        return ()
    return tuple(_network(entry) for entry in entries)


def _network(entry: str) -> str:
    if not entry:
        raise ValueError("an empty entry; separate addresses or networks with single commas")
    if entry == "*":
        raise ValueError(
            "'*' would believe any client's X-Forwarded-For; name the proxy's addresses"
        )
    try:
        if "/" in entry:
            return str(ipaddress.ip_network(entry))
        return str(ipaddress.ip_address(entry))
    except ValueError as error:
        raise ValueError(f"{entry!r} is not an IP address or network ({error})") from None
