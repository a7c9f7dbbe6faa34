"""Every Prometheus metric VendorWatch exports, defined once (deploy/grafana's dashboard and the
scrape config name these; a unit test holds them to it).

Counters and histograms are updated at the narrowest points (a batch committed, a relay done,
a GraphQL operation answered, a solver run); gauges that describe the database as a whole
(dead letters, outbox backlog, embedded consumers' lag, the chains' latest verification) are
sampled by `database_gauges.py`.
Each process serves its own registry at /metrics (`exposition`).
"""

from __future__ import annotations

import collections
import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from services.platform.operations.batch_histogram import BatchHistogram

# From a few milliseconds (a batch applied as it arrived) to an hour (a backlog after an outage).
_DELAY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

EVENTS_IN = Counter(
    "vendorwatch_events_in",
    "Events a service received (ingest: raw input; consumers: events of types they handle).",
    ["service", "event_type"],
)
EVENTS_APPLIED = Counter(
    "vendorwatch_events_applied",
    "Events a service stored (ingest) or applied (consumers), once each; redeliveries excluded.",
    ["service", "event_type"],
)
EVENTS_REFUSED = Counter(
    "vendorwatch_events_refused",
    "Events a service refused, each counted once as its dead letter is kept once (the same "
    "input sent again is received, not refused again); event_type as the dead letter records "
    "it, 'unreadable' when the input names no event type of the catalog.",
    ["service", "event_type"],
)
# Observed for every event of every batch: a batch at a time (batch_histogram.py).
OCCURRED_TO_APPLIED = BatchHistogram(
    "vendorwatch_occurred_to_applied_seconds",
    "From an event's occurred_at (the producer's clock) to its batch's commit.",
    "service",
    _DELAY_BUCKETS,
)
APPENDED_TO_APPLIED = BatchHistogram(
    "vendorwatch_appended_to_applied_seconds",
    "From an event's append to the event store (recorded_at) to its batch's commit.",
    "service",
    _DELAY_BUCKETS,
)
CONSUMER_LAG = Gauge(
    "vendorwatch_consumer_lag_events",
    "Events in a partition a consumer has not applied yet (embedded: store head minus offset; "
    "distributed: Kafka high watermark minus committed offset).",
    ["consumer", "topic", "partition"],
)
DEAD_LETTERS = Gauge(
    "vendorwatch_dead_letters",
    "Dead letters stored, per stage (sampled by the API from the database).",
    ["stage"],
)
OUTBOX_BACKLOG = Gauge(
    "vendorwatch_outbox_backlog_events",
    "Emitted events waiting in a service's outbox (sampled by the API from the database).",
    ["outbox"],
)
# Exported from the first verification a process reads on (`chain_checked`): no series
# rather than a made-up "intact", checked at 0 (1970): a gauge registered at once is exported
# at 0 before it is set.
CHAIN_PROBLEMS = Gauge(
    "vendorwatch_chain_problems",
    "Problems the latest verification of the event store's chains found (0: intact), whoever"
    " made it (the hourly walk, verify, a rebuild); sampled from the database when scraped.",
    registry=None,
)
CHAIN_CHECKED = Gauge(
    "vendorwatch_chain_checked_timestamp_seconds",
    "When the latest verification of the event store's chains was made (Unix time).",
    registry=None,
)
OUTBOX_RELAYED = Counter(
    "vendorwatch_outbox_relayed_events", "Emitted events relayed into the log.", ["outbox"]
)
WEBHOOK_ATTEMPTS = Counter(
    "vendorwatch_alert_webhook_attempts",
    "Alert deliveries attempted to the agencies' webhooks, by outcome (delivered, failed).",
    ["outcome"],
)
GRAPHQL_REQUEST_SECONDS = Histogram(
    "vendorwatch_graphql_request_seconds",
    "GraphQL operations from parsing to the result, by operation name and type.",
    ["operation", "type"],
)
SOLVER_RUNS = Counter(
    "vendorwatch_solver_runs",
    "Migration plans scheduled by the CP-SAT solver, by outcome.",
    ["status"],
)
# Set by a process's start-up (start_up.py): a process that waits serves /metrics already, so
# that it is seen waiting, not missing.
START_UP_WAITING = Gauge(
    "vendorwatch_start_up_waiting",
    "1 while the process waits at start-up for a dependency (database: PostgreSQL, kafka:"
    " Kafka), 0 once it has reached it.",
    ["dependency"],
)
SOLVER_SECONDS = Histogram(
    "vendorwatch_solver_seconds",
    "Wall time of one CP-SAT scheduling run.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)

# Operation names come from clients: labels are limited to a safe alphabet and to a bounded
# number of distinct names, so a client cannot grow the series without end.
MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_operation_names: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _OPERATION_NAME.match(name):
        return "invalid"
    if name not in _operation_names:
        if len(_operation_names) >= MAX_OPERATION_NAMES:
            return "other"
        _operation_names.add(name)
    return name


def type_label(event_type: str | None) -> str:
    """The `event_type` label of an input: its type, as its dead letter records it when it
    was refused; 'unreadable' when it names no event type of the catalog."""
    return event_type or "unreadable"


def batch_applied(
    service: str,
    received: Iterable[str],
    applied: Iterable[tuple[str, datetime, datetime | None]],
    refused: Iterable[str],
) -> None:
    """Counts a committed batch: the event types received and refused, and for each applied
    event its type, occurred_at and (when the store recorded it) recorded_at."""
    now = time.time()
    # Counted per type, not per event: a label look-up and a locked increment per event and
    # counter, thousands per batch, for the same totals.
    for event_type, count in collections.Counter(received).items():
        EVENTS_IN.labels(service, event_type).inc(count)
    for event_type, count in collections.Counter(refused).items():
        EVENTS_REFUSED.labels(service, event_type).inc(count)
    applied_types: collections.Counter[str] = collections.Counter()
    occurred: list[float] = []
    appended: list[float] = []
    for event_type, occurred_at, recorded_at in applied:
        applied_types[event_type] += 1
        # A producer's clock ahead of ours gives a negative age: counted as zero.
        occurred.append(now - occurred_at.timestamp())
        if recorded_at is not None:
            appended.append(now - recorded_at.timestamp())
    OCCURRED_TO_APPLIED.observe_many(service, occurred)
    APPENDED_TO_APPLIED.observe_many(service, appended)
    for event_type, count in applied_types.items():
        EVENTS_APPLIED.labels(service, event_type).inc(count)


def set_lag(consumer: str, topic: str, lags: Mapping[int, int]) -> None:
    for partition, lag in lags.items():
        CONSUMER_LAG.labels(consumer, topic, str(partition)).set(lag)


def chain_checked(problems: int, at: float) -> None:
    """The latest verification of the chains, read from the database: the chain gauges set,
    and exported from now on."""
    CHAIN_PROBLEMS.set(problems)
    CHAIN_CHECKED.set(at)
    for gauge in (CHAIN_PROBLEMS, CHAIN_CHECKED):
        if gauge not in _exported_chain_gauges:
            REGISTRY.register(gauge)
            _exported_chain_gauges.add(gauge)


_exported_chain_gauges: set[Gauge] = set()


def exposition() -> tuple[bytes, str]:
    """The process's metrics in the Prometheus text format, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
