"""A batch histogram exposes what prometheus_client's own `Histogram` does for the same values
(a negative value counted as zero, as the consumers' delays were): the scrape and Grafana's
queries see no difference."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from services.platform.operations.batch_histogram import BatchHistogram

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
# The bounds themselves, each side of them and far beyond: where an off-by-one would show.
AMOUNTS = st.one_of(
    st.sampled_from([0.0, *BUCKETS]),
    st.floats(min_value=-5, max_value=1e9, allow_nan=False),
)
BATCHES = st.lists(
    st.tuples(st.sampled_from(["registry", "risk"]), st.lists(AMOUNTS, max_size=40)), max_size=6
)


def _exposition(registry: CollectorRegistry) -> list[str]:
    # `Histogram` also says when each series was created; nothing reads that.
    return [
        line for line in generate_latest(registry).decode().splitlines() if "_created" not in line
    ]


@given(BATCHES)
def test_the_exposition_is_the_librarys_for_the_same_values(
    batches: list[tuple[str, list[float]]],
) -> None:
    theirs, ours = CollectorRegistry(), CollectorRegistry()
    one_by_one = Histogram(
        "delay_seconds", "A delay.", ["service"], buckets=BUCKETS, registry=theirs
    )
    at_once = BatchHistogram("delay_seconds", "A delay.", "service", BUCKETS, registry=ours)
    for service, amounts in batches:
        for amount in amounts:
            one_by_one.labels(service).observe(max(0.0, amount))
        at_once.observe_many(service, amounts)
    assert _exposition(ours) == _exposition(theirs)


def test_a_label_value_appears_once_observed() -> None:
    registry = CollectorRegistry()
    histogram = BatchHistogram("delay_seconds", "A delay.", "service", BUCKETS, registry=registry)
    histogram.observe_many("risk", [])
    assert "service=" not in generate_latest(registry).decode()
    histogram.observe_many("risk", [0.2, 7.0])
    text = generate_latest(registry).decode()
    assert 'delay_seconds_bucket{le="0.25",service="risk"} 1.0' in text
    assert 'delay_seconds_count{service="risk"} 2.0' in text
    assert 'delay_seconds_sum{service="risk"} 7.2' in text
