"""Running in production: retrying past outages, liveness (/healthz) and readiness (/readyz),
metrics and database gauges, logging, and the garbage collector set for long runs."""
