"""deploy/grafana's dashboard and deploy/prometheus's scrape config agree with the code: every
metric a query names is one services/platform/operations/metrics.py defines, and the scrape targets
are the ports and path the processes serve /metrics on (docker-compose.yml's)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric

from services.platform.operations import metrics
from services.platform.operations.batch_histogram import BatchHistogram

REPO_ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "vendorwatch.json"
SCRAPE_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"

# Names in PromQL that are functions, keywords or labels rather than metrics.
_METRIC_NAME = re.compile(r"\bvendorwatch_[a-z_]+\b")


def _families() -> list[Metric]:
    """The metric families services/platform/operations/metrics.py defines."""
    return [
        family
        for collector in vars(metrics).values()
        if isinstance(collector, MetricWrapperBase | BatchHistogram)
        for family in collector.describe()
    ]


def _exported_names() -> set[str]:
    """Every sample name the metrics module exports (counters' _total, histograms' _bucket,
    _count and _sum included), as Prometheus will store them."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    return {
        family.name + suffix
        for family in _families()
        for suffix in ("", *suffixes.get(family.type, ()))
    }


def _queries() -> list[str]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_dashboard_queries_only_metrics_the_code_defines() -> None:
    exported = _exported_names()
    queried = {name for query in _queries() for name in _METRIC_NAME.findall(query)}
    assert queried, "the dashboard queries no VendorWatch metric"
    assert queried <= exported, f"not defined in metrics.py: {sorted(queried - exported)}"


def test_every_metric_is_on_the_dashboard() -> None:
    queried = " ".join(_queries())
    assert {family.name for family in _families() if family.name not in queried} == set()


def _compose_ports() -> dict[str, int]:
    """docker-compose.yml's VendorWatch services and the port each serves /metrics on: the
    API's --port, a worker's --health-port."""
    services: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]
    ports: dict[str, int] = {}
    for name, service in services.items():
        command = [str(part) for part in service.get("command", [])]
        if command[:1] == ["api"]:
            ports[name] = int(command[command.index("--port") + 1])
        elif command[:1] == ["worker"]:
            ports[name] = int(command[command.index("--health-port") + 1])
    return ports


def test_the_scrape_config_names_every_process_on_its_real_port_and_path() -> None:
    config: dict[str, Any] = yaml.safe_load(SCRAPE_CONFIG.read_text(encoding="utf-8"))
    targets: dict[str, int] = {}
    for job in config["scrape_configs"]:
        assert job["metrics_path"] == "/metrics"
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, port = target.rsplit(":", 1)
                targets[host] = int(port)
        for discovered in job.get("dns_sd_configs", []):  # every replica of a service
            for name in discovered["names"]:
                targets[name] = discovered["port"]
    assert targets == _compose_ports()
