"""Telling a Kafka login refused from a broker out of reach.

aiokafka's clients bootstrap by trying each broker given, and when none lets them in raise
KafkaConnectionError ("Unable to bootstrap from ...") whatever the reason: a broker that
turned the SASL login down (a wrong password, an unknown user, a mechanism it does not
offer) looked like one out of reach, and a process starting would wait on it for good. So
when a client cannot start, each broker is asked for the reason once more, by opening a
connection to it as the client does; a refusal is said as one (errors.Refused).
"""

from __future__ import annotations

import asyncio

from aiokafka.conn import collect_hosts, create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    IllegalSaslStateError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)

from services.platform.errors import Refused, StartupError
from services.platform.eventlog.credentials import KafkaCredentials

LOGIN_REFUSALS = (
    SaslAuthenticationFailed,
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    UnsupportedSaslMechanismError,
    IllegalSaslStateError,
)
# How long a broker may take to let the connection in or refuse it (a host gone without
# refusing must not hold the process's report of the failure much longer).
ASK_SECONDS = 10.0


async def unusable(
    bootstrap: str, credentials: KafkaCredentials, error: KafkaError
) -> StartupError:
    """What a client that could not start on `bootstrap` (failing with `error`) says: the
    refusal of a broker that turned its login down, or Kafka out of reach."""
    refusal = await refused_login(bootstrap, credentials)
    return refusal or StartupError(f"cannot reach Kafka at {bootstrap}: {error}")


async def refused_login(bootstrap: str, credentials: KafkaCredentials) -> Refused | None:
    """The first broker's refusal of this process's login, if one refuses it; None when
    none is reached or none refuses (no SASL: there is no login to refuse)."""
    if not credentials.sasl:
        return None
    for host, port, _ in collect_hosts(bootstrap):
        try:
            async with asyncio.timeout(ASK_SECONDS):
                connection = await create_conn(host, port, **credentials.aiokafka_options())
        except LOGIN_REFUSALS as error:
            return Refused(
                f"Kafka at {host}:{port} refused the login of {credentials.username!r}"
                f" ({credentials.protocol} {credentials.mechanism}): {error}"
            )
        except (OSError, KafkaError, TimeoutError):
            continue  # this one is out of reach: perhaps another answers
        connection.close()
    return None
