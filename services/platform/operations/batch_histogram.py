"""A Prometheus histogram that takes a batch's observations at once.

prometheus_client's `Histogram.observe` takes one value: it scans the bucket bounds and takes
a lock twice (bucket, sum) per value. The consumers observe two delays for every event they
apply, thousands per batch in four stages: about 2.7 µs an event and stage, some 4 % of
embedded mode's CPU over a 20,000-event backlog. Here a batch's values are placed by
bisection (C), counted together, and added under one lock; the exposition is the same
families, buckets, sums and counts (through the library's own custom-collector interface;
`tests/unit/test_batch_histogram.py` compares it with `Histogram` fed the same values).
"""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import math
import threading
from collections.abc import Iterable, Iterator, Sequence

from prometheus_client import REGISTRY
from prometheus_client.metrics_core import HistogramMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from prometheus_client.utils import floatToGoString


class BatchHistogram(Collector):
    """A histogram with one label, observed a batch at a time (`observe_many`)."""

    def __init__(
        self,
        name: str,
        documentation: str,
        label: str,
        buckets: Sequence[float],
        registry: CollectorRegistry | None = REGISTRY,
    ) -> None:
        self._name, self._documentation, self._label = name, documentation, label
        self._bounds = tuple(float(b) for b in buckets)
        # The bounds written as the library writes them ("1.0", "+Inf").
        self._les = [floatToGoString(b) for b in (*self._bounds, math.inf)]  # type: ignore[no-untyped-call]
        self._place = functools.partial(bisect.bisect_left, self._bounds)
        # Per label value: how many values fell in each bucket (not cumulative), and their sum.
        self._series: dict[str, tuple[list[int], float]] = {}
        self._lock = threading.Lock()
        if registry is not None:
            registry.register(self)

    def observe_many(self, value: str, amounts: Iterable[float]) -> None:
        """Observes every amount under the label `value` (a negative amount counts as zero,
        as a delay measured against a clock running behind)."""
        amounts = list(amounts)
        if not amounts:
            return
        # bisect_left: the first bound at or above the amount, Prometheus's `le`.
        placed = collections.Counter(map(self._place, amounts))
        positive = [a for a in amounts if a > 0]
        with self._lock:
            counts, total = self._series.get(value) or ([0] * len(self._les), 0.0)
            for bucket, count in placed.items():
                counts[bucket] += count
            for amount in positive:  # one at a time, as the library adds: the same sum
                total += amount
            self._series[value] = (counts, total)

    def describe(self) -> Iterator[HistogramMetricFamily]:
        yield HistogramMetricFamily(self._name, self._documentation, labels=[self._label])

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self._name, self._documentation, labels=[self._label])
        with self._lock:
            series = [(value, list(counts), sum_) for value, (counts, sum_) in self._series.items()]
        for value, counts, total in series:  # in the order first observed, as the library's
            cumulative = itertools.accumulate(counts)
            family.add_metric(
                [value], list(zip(self._les, cumulative, strict=True)), sum_value=total
            )
        yield family
