"""The benchmarks' shared workload, and their table in pytest's terminal summary: a normal
`./scripts/test` run captures test output, but always shows the summary."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import latency
from tests.support import workload as workloads
from tests.support.throughput import Comparison, bench_events, render

_COMPARISONS = pytest.StashKey[list[Comparison]]()
_LATENCIES = pytest.StashKey[list[latency.LatencyComparison]]()


@pytest.fixture(scope="session")
def workload() -> workloads.Workload:
    """The seeded workload at the size asked for (VENDORWATCH_BENCH_EVENTS), built once, and
    its events serialised once: a producer has its bytes before the clock starts (serialising
    20,000 events inside the first measure's clock charged it about 0.13 s)."""
    built = workloads.build(bench_events())
    _ = built.raws
    return built


@pytest.fixture
def throughput_report(request: pytest.FixtureRequest) -> Callable[[Comparison], None]:
    """Adds a measure to the table printed at the end of the run."""
    return request.config.stash.setdefault(_COMPARISONS, []).append


@pytest.fixture
def latency_report(
    request: pytest.FixtureRequest,
) -> Callable[[latency.LatencyComparison], None]:
    """Adds a latency measure to the table printed at the end of the run."""
    return request.config.stash.setdefault(_LATENCIES, []).append


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    comparisons = config.stash.get(_COMPARISONS, [])
    if comparisons:
        terminalreporter.section("event core throughput")
        for line in render(comparisons):
            terminalreporter.write_line(line)
    if latencies := config.stash.get(_LATENCIES, []):
        terminalreporter.section("API latency")
        for line in latency.render(latencies):
            terminalreporter.write_line(line)
