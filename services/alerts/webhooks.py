"""Delivering alerts to the agencies' webhooks: at least once, signed, with backoff.

The pending deliveries are rows (`alert_deliveries`), so a restart loses none and keeps each
one's backoff. Each attempt goes to the agency's webhook as configured now (the row keeps the
URL it last went to): a deployment that corrects an agency's URL has its pending deliveries
follow, where each kept the URL of its raising and was retried there for ever; an agency whose
webhook is taken out has its pending deliveries wait, attempted once one is configured again.
Each pass marks those that wait (`waiting_for_webhook_since`) and unmarks those whose agency
has a webhook again: only this loop reads the webhooks as configured, and a waiting delivery,
which keeps its last URL and a next try in the past, read as due. The rounds pass them over
by an index that leaves them out (alerts' 0012), where each walked past them, first in the
order of their next tries, to reach those it could attempt.
A round claims the due rows with `FOR UPDATE SKIP LOCKED` and moves their
`next_try_at` past the attempt's timeout (a lease: replicas never take the same row, and a
process that dies mid-attempt leaves it due again later), posts them concurrently with httpx
(async, with a timeout, so a slow receiver holds neither the event loop nor a connection),
then records every outcome in one statement. A receiver that answered 2xx has it; anything
else is tried again after `retries.retry_delay`, an attempt that failed in any way (a URL
httpx cannot use among them) as that delivery's failure alone: the round's others go on. The
alert id travels in a header and in the
body, so a receiver that got a delivery whose answer was lost drops the repeat.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import asyncpg
import httpx

from services.alerts.retries import retry_delay
from services.alerts.signing import ALERT_ID_HEADER, SIGNATURE_HEADER, agency_key, signature
from services.platform.operations import metrics
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done
from services.platform.settings import Settings
from services.platform.urls import redacted_text

# Deliveries per round; a round lasts at most one timeout.
ROUND = 50
# How often the loop looks for due deliveries.
POLL_SECONDS = 1.0
# What a receiver's error text is cut to in the delivery log.
_ERROR_CHARS = 300


@dataclass(frozen=True)
class WebhookConfig:
    secret: bytes
    first_retry_seconds: float
    max_retry_seconds: float
    timeout_seconds: float
    # Agency → the URL its deliveries go to now.
    urls: Mapping[str, str]

    @classmethod
    def of(cls, settings: Settings) -> WebhookConfig | None:
        """None when no webhook is configured (nothing to deliver)."""
        if settings.alert_webhook_secret is None:
            return None
        return cls(
            settings.alert_webhook_secret.get_secret_value().encode(),
            settings.alert_retry_first_seconds,
            settings.alert_retry_max_seconds,
            settings.alert_webhook_timeout_seconds,
            dict(settings.alert_webhooks),
        )


@dataclass(frozen=True)
class _Outcome:
    alert_id: uuid.UUID
    status: int | None
    error: str | None
    delay: float

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def _attempt(
    client: httpx.AsyncClient, config: WebhookConfig, row: asyncpg.Record
) -> _Outcome:
    body = row["body"].encode()
    key = agency_key(config.secret, row["agency"])
    headers = {
        "content-type": "application/json",
        SIGNATURE_HEADER: signature(key, int(time.time()), body),
        ALERT_ID_HEADER: str(row["alert_id"]),
    }
    delay = retry_delay(row["attempts"] + 1, config.first_retry_seconds, config.max_retry_seconds)
    try:
        answer = await client.post(
            row["url"], content=body, headers=headers, timeout=config.timeout_seconds
        )
    # Any failure is this delivery's, never the round's: a URL httpx cannot parse raised out
    # of the round, and the others claimed with it were neither attempted nor recorded.
    except Exception as failure:
        return _Outcome(row["alert_id"], None, _why(failure, row["url"]), delay)
    refused = None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
    return _Outcome(row["alert_id"], answer.status_code, refused, delay)


def _why(failure: Exception, url: str) -> str:
    """A failed attempt's `lastError`, shown to integrators: the exception's type and text
    (the innermost of a group: a port above 65535 fails in anyio's connecting, as "unhandled
    errors in a TaskGroup"), without the URL's credentials however its text quotes them."""
    while isinstance(failure, ExceptionGroup) and len(failure.exceptions) == 1:
        failure = failure.exceptions[0]
    return redacted_text(f"{type(failure).__name__}: {failure}", url)


async def _mark_waiting(pool: asyncpg.Pool, agencies: list[str]) -> None:
    """The deliveries waiting for a webhook their agency has again unmarked (a few, by their
    own index), the due ones of agencies with none now marked as waiting since now: only rows
    whose mark is wrong are written, so a pass with nothing changed writes nothing."""
    await pool.execute(
        """WITH unmarked AS (
               UPDATE alert_deliveries d SET waiting_for_webhook_since = NULL
               FROM alerts a
               WHERE a.alert_id = d.alert_id AND d.delivered_at IS NULL
                 AND d.waiting_for_webhook_since IS NOT NULL AND a.agency = ANY($1::text[])
               RETURNING 1)
           UPDATE alert_deliveries d SET waiting_for_webhook_since = now()
           FROM alerts a
           WHERE a.alert_id = d.alert_id AND d.delivered_at IS NULL
             AND d.waiting_for_webhook_since IS NULL AND d.next_try_at <= now()
             AND a.agency <> ALL($1::text[])""",
        agencies,
    )


async def deliver_due(pool: asyncpg.Pool, client: httpx.AsyncClient, config: WebhookConfig) -> int:
    """One round: the due deliveries of the agencies with a webhook now attempted, at its
    URL, and their outcomes recorded; returns how many."""
    agencies = list(config.urls)
    claimed = await pool.fetch(
        """UPDATE alert_deliveries d SET next_try_at = now() + make_interval(secs => $2),
               url = w.url, waiting_for_webhook_since = NULL
           FROM alerts a, unnest($3::text[], $4::text[]) AS w(agency, url)
           WHERE a.alert_id = d.alert_id AND w.agency = a.agency AND d.alert_id IN (
               SELECT p.alert_id FROM alert_deliveries p JOIN alerts pa USING (alert_id)
               WHERE p.delivered_at IS NULL AND p.waiting_for_webhook_since IS NULL
                 AND p.next_try_at <= now() AND pa.agency = ANY($3::text[])
               ORDER BY p.next_try_at LIMIT $1 FOR UPDATE OF p SKIP LOCKED)
           RETURNING d.alert_id, d.url, d.body, d.attempts, a.agency""",
        ROUND,
        # The lease: longer than an attempt may take.
        config.timeout_seconds * 2 + 5,
        agencies,
        [config.urls[agency] for agency in agencies],
    )
    if not claimed:
        return 0
    outcomes = await asyncio.gather(*(_attempt(client, config, row) for row in claimed))
    await pool.execute(
        """UPDATE alert_deliveries d SET attempts = d.attempts + 1, last_status = o.status,
               last_error = o.error, last_try_at = now(),
               delivered_at = CASE WHEN o.delivered THEN now() END,
               next_try_at = CASE WHEN o.delivered THEN d.next_try_at
                                  ELSE now() + make_interval(secs => o.delay) END
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::boolean[], $5::float8[])
               AS o(alert_id, status, error, delivered, delay)
           -- An attempt that outlived its lease may come back after another process delivered
           -- the alert: its outcome, a failure above all, must not undo that delivery (the
           -- alert would be sent again).
           WHERE d.alert_id = o.alert_id AND d.delivered_at IS NULL""",
        [o.alert_id for o in outcomes],
        [o.status for o in outcomes],
        [o.error[:_ERROR_CHARS] if o.error else None for o in outcomes],
        [o.delivered for o in outcomes],
        [o.delay for o in outcomes],
    )
    # Counted once the outcomes are recorded, as every metric where work commits.
    delivered = sum(o.delivered for o in outcomes)
    metrics.WEBHOOK_ATTEMPTS.labels("delivered").inc(delivered)
    metrics.WEBHOOK_ATTEMPTS.labels("failed").inc(len(outcomes) - delivered)
    return len(claimed)


async def deliver_all_due(
    pool: asyncpg.Pool, client: httpx.AsyncClient, config: WebhookConfig
) -> int:
    """The deliveries' waiting marks set right once (not at every round: a backlog would be
    walked again at each), then rounds until one finds fewer than ROUND due; returns how
    many were attempted."""
    await _mark_waiting(pool, list(config.urls))
    attempted = 0
    while True:
        count = await deliver_due(pool, client, config)
        attempted += count
        if count < ROUND:
            return attempted


async def run_deliveries(
    pool: asyncpg.Pool, config: WebhookConfig, live: Liveness, poll_seconds: float = POLL_SECONDS
) -> None:
    """The delivery loop of a long-running process (`up`, the registry worker): a database
    outage is retried with backoff (`retry.until_done`), a receiver's failure is the
    delivery's own (recorded, tried again later), never the loop's."""
    async with httpx.AsyncClient() as client:
        while True:
            await until_done(partial(deliver_all_due, pool, client, config), "webhooks", live)
            await asyncio.sleep(poll_seconds)
