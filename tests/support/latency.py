"""Measuring request latency and throughput against a plain baseline in the same run.

Like throughput.py, nothing here asserts a time: each measure has several rounds, and the
table shows the medians of the rounds' percentiles next to the baseline's and their ratio.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Latencies:
    """The seconds each request of a round took."""

    seconds: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.seconds.append(seconds)

    def percentile(self, p: int) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def per_second(self) -> float:
        return len(self.seconds) / sum(self.seconds)


@dataclass
class LatencyComparison:
    """One measure: per round, either both sides' latencies or both sides' requests/s."""

    measure: str
    baseline: str
    rounds: list[tuple[Latencies, Latencies]] = field(default_factory=list)
    throughputs: list[tuple[float, float]] = field(default_factory=list)

    def add_round(self, ours: Latencies, baseline: Latencies) -> None:
        self.rounds.append((ours, baseline))

    def add_throughput(self, ours: float, baseline: float) -> None:
        self.throughputs.append((ours, baseline))

    def row(self) -> tuple[str, str, str, str, str, str]:
        """measure, rounds, ours, baseline, what the baseline is, ratio (ours / baseline)."""
        if self.throughputs:
            ours_rate = statistics.median(t[0] for t in self.throughputs)
            base_rate = statistics.median(t[1] for t in self.throughputs)
            return (
                self.measure,
                str(len(self.throughputs)),
                f"{ours_rate:,.0f} req/s",
                f"{base_rate:,.0f} req/s",
                self.baseline,
                f"{base_rate / ours_rate:.1f}x slower",
            )
        p50, p99 = (self._median(0, p) for p in (50, 99))
        b50, b99 = (self._median(1, p) for p in (50, 99))
        return (
            self.measure,
            str(len(self.rounds)),
            f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms",
            f"p50 {b50 * 1000:.2f} ms, p99 {b99 * 1000:.2f} ms",
            self.baseline,
            f"p99 {p99 / b99:.1f}x",
        )

    def _median(self, side: int, p: int) -> float:
        return statistics.median(r[side].percentile(p) for r in self.rounds)


def render(comparisons: Sequence[LatencyComparison]) -> list[str]:
    header = ("measure", "rounds", "VendorWatch", "baseline", "baseline is", "ratio")
    rows = [header, *(c.row() for c in comparisons)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("medians of the rounds; ratio: VendorWatch over the baseline (lower is better)")
    return lines
