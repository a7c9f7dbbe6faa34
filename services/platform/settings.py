"""Runtime settings: where PostgreSQL and Kafka are, and the registry's time zone."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs

from services.platform.clock import Clock
from services.platform.eventlog.credentials import KafkaCredentials

DEFAULT_TIMEZONE = "Asia/Tokyo"


def configured_data_dir() -> Path | None:
    """The data directory chosen in the environment (VENDORWATCH_DATA_DIR), if any."""
    configured = os.environ.get("VENDORWATCH_DATA_DIR")
    return Path(configured) if configured else None


def default_data_dir() -> Path:
    """Where `vendorwatch up` keeps its embedded PostgreSQL unless told otherwise."""
    return configured_data_dir() or Path(platformdirs.user_data_dir("vendorwatch"))


@dataclass(frozen=True)
class Settings:
    database_url: str
    kafka_bootstrap: str | None = None
    timezone: ZoneInfo = field(
        default_factory=lambda: ZoneInfo(os.environ.get("VENDORWATCH_TIMEZONE", DEFAULT_TIMEZONE))
    )
    # Suspension policies (one TOML file per authority); None: the packaged example.
    policy_dir: Path | None = field(
        default_factory=lambda: (
            Path(os.environ["VENDORWATCH_POLICY_DIR"])
            if os.environ.get("VENDORWATCH_POLICY_DIR")
            else None
        )
    )
    # The risk scoring model (a TOML file); None: the packaged model.
    risk_model: Path | None = field(
        default_factory=lambda: (
            Path(os.environ["VENDORWATCH_RISK_MODEL"])
            if os.environ.get("VENDORWATCH_RISK_MODEL")
            else None
        )
    )
    # One broker in development and tests; production clusters set 3.
    kafka_replication_factor: int = field(
        default_factory=lambda: int(os.environ.get("VENDORWATCH_KAFKA_REPLICATION_FACTOR", "1"))
    )
    # Who this process is to Kafka (VENDORWATCH_KAFKA_*); nobody by default.
    kafka_credentials: KafkaCredentials = field(default_factory=KafkaCredentials.from_env)

    @property
    def clock(self) -> Clock:
        return Clock(self.timezone)
