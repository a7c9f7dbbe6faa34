"""Runtime settings: where PostgreSQL and Kafka are, and the registry's time zone.

What a command is given wins; the rest comes from VENDORWATCH_* variables of the environment
(pydantic-settings), an empty one counting as unset.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo

import platformdirs
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from services.platform.clock import Clock
from services.platform.errors import StartupError
from services.platform.eventlog.bootstrap import BOOTSTRAP_SETTING, bootstrap_problem
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.trusted_proxies import trusted_proxies
from services.platform.urls import redacted_url
from services.platform.webhook_urls import webhook_url_problem

DEFAULT_TIMEZONE = "Asia/Tokyo"
_FROM_ENVIRONMENT = SettingsConfigDict(env_prefix="VENDORWATCH_", env_ignore_empty=True)
# What a switch (VENDORWATCH_ACCESS_LOG, …) may be set to: the words pydantic reads as booleans.
_ON = frozenset({"on", "true", "yes", "1", "t", "y"})
_OFF = frozenset({"off", "false", "no", "0", "f", "n"})


class _DataDir(BaseSettings):
    model_config = _FROM_ENVIRONMENT

    data_dir: Path | None = None


def configured_data_dir() -> Path | None:
    """The data directory chosen in the environment (VENDORWATCH_DATA_DIR), if any."""
    return _DataDir().data_dir


def default_data_dir() -> Path:
    """Where `vendorwatch up` keeps its embedded PostgreSQL unless told otherwise."""
    return configured_data_dir() or Path(platformdirs.user_data_dir("vendorwatch"))


class RetryBackoff(BaseSettings):
    """How a loop that cannot reach PostgreSQL or Kafka waits between attempts: the first
    wait, doubled (with jitter) up to the maximum (VENDORWATCH_RETRY_FIRST_SECONDS,
    VENDORWATCH_RETRY_MAX_SECONDS). The defaults are production's; the outage test shrinks
    them so that its workers do not sit out a 30 s wait after each dependency is back."""

    model_config = SettingsConfigDict(**_FROM_ENVIRONMENT, frozen=True)

    retry_first_seconds: float = Field(default=0.5, gt=0)
    retry_max_seconds: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _max_not_below_first(self) -> Self:
        _longest_not_below_first(self, "retry_first_seconds", "retry_max_seconds")
        return self


def _longest_not_below_first(settings: BaseSettings, first: str, longest: str) -> None:
    """Refuses a back-off whose longest wait (the setting `longest`) is below its first
    (`first`), naming both variables and their values: accepted, the maximum capped every
    wait at it in silence, the first included."""
    first_seconds, longest_seconds = getattr(settings, first), getattr(settings, longest)
    if longest_seconds < first_seconds:
        raise ValueError(
            f"{longest}: {longest_seconds:g} is below {_variable(first)} ({first_seconds:g});"
            " the longest wait must be at least the first"
        )


class Stalls(BaseSettings):
    """How long a loop may fail, or have one unit of its work (a batch, a read, a statement)
    in progress, before /healthz calls it stalled and answers 503 (VENDORWATCH_STALL_SECONDS).
    The default rides out a leader election or a rolling restart; a test shrinks it."""

    model_config = SettingsConfigDict(**_FROM_ENVIRONMENT, frozen=True)

    stall_seconds: float = Field(default=120.0, gt=0)


@cache
def stalls() -> Stalls:
    """The process's stall threshold, read from the environment once (every unit of work
    asks). Commands read it first as part of their Settings, whose errors name the variable."""
    return Stalls()


@cache
def retry_backoff() -> RetryBackoff:
    """The process's back-off, read from the environment once (every retried batch asks).
    Commands read it first as part of their Settings, whose errors name the variable."""
    return RetryBackoff()


class Settings(RetryBackoff, Stalls):
    model_config = SettingsConfigDict(**_FROM_ENVIRONMENT, frozen=True)

    # The commands pass these (their options read the unprefixed variables README.md names).
    database_url: str = Field(validation_alias=AliasChoices("database_url", "DATABASE_URL"))
    kafka_bootstrap: str | None = Field(
        default=None,
        validation_alias=AliasChoices("kafka_bootstrap", "KAFKA_BOOTSTRAP_SERVERS"),
    )
    # What "today" is for the registry (VENDORWATCH_TIMEZONE).
    timezone: ZoneInfo = ZoneInfo(DEFAULT_TIMEZONE)
    # Suspension policies (one TOML file per authority); None: the packaged example.
    policy_dir: Path | None = None
    # The risk scoring model (a TOML file); None: the packaged model.
    risk_model: Path | None = None
    # Bidder screening: a name scoring this much (0–100) against a barred vendor's name is a
    # possible match (VENDORWATCH_SCREENING_REVIEW_THRESHOLD), and this much when the bidder's
    # and the vendor's countries differ (…_OTHER_COUNTRY_THRESHOLD); services/registry/README.md
    # gives the precision and recall of the defaults on the labelled pairs.
    screening_review_threshold: float = Field(default=88.0, gt=0, le=100)
    screening_other_country_threshold: float = Field(default=100.0, gt=0, le=100)
    # Alert webhooks: agency → the URL its alerts are POSTed to (VENDORWATCH_ALERT_WEBHOOKS,
    # a JSON object), each body signed with this secret (VENDORWATCH_ALERT_WEBHOOK_SECRET).
    # Configuration, not events: a URL is where this deployment reaches an agency, and a
    # secret must never enter the log. A URL may carry credentials (userinfo, a token in its
    # query): only the deliveries use it whole, it is shown as `urls.redacted_url` has it.
    alert_webhooks: dict[str, str] = Field(default_factory=dict)
    alert_webhook_secret: SecretStr | None = None
    # A failed delivery is tried again after this many seconds, doubling up to the maximum
    # (at least the first); a receiver that has not answered within the timeout counts as
    # failed.
    alert_retry_first_seconds: float = Field(default=5.0, gt=0)
    alert_retry_max_seconds: float = Field(default=300.0, gt=0)
    alert_webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # The API logs a line per HTTP request (uvicorn's access log) only when this is set
    # (VENDORWATCH_ACCESS_LOG): off, a request's CPU is its own work (services/cli/serving.py).
    access_log: bool = False
    # The reverse proxies in front of the API whose X-Forwarded-For it believes, as the
    # address recorded with each event it records (VENDORWATCH_FORWARDED_ALLOW_IPS: addresses
    # or networks, comma-separated). None by default: the connection's own address is
    # recorded, whatever a client's header says (services/platform/trusted_proxies.py).
    forwarded_allow_ips: Annotated[tuple[str, ...], NoDecode] = ()
    # The API answers introspection (VENDORWATCH_GRAPHQL_INTROSPECTION); production sets it
    # off. Read here, not where the API is built: a word it did not know left it on.
    graphql_introspection: bool = True
    # How long the API waits for Kafka to acknowledge a mutation's event before answering
    # UNAVAILABLE (VENDORWATCH_BROKER_ACK_SECONDS): a broker that is down was waited for
    # until the request's 30 s limit cut the answer off, and the event was recorded anyway
    # once the broker was back. A leader election takes a second or two.
    broker_ack_seconds: float = Field(default=5.0, gt=0)
    # One broker in development and tests; production clusters set 3.
    kafka_replication_factor: int = Field(default=1, ge=1)
    # Who this process is to Kafka (VENDORWATCH_KAFKA_*, checked together); nobody by default.
    kafka_credentials: KafkaCredentials = Field(default_factory=KafkaCredentials.from_env)

    @field_validator("access_log", "graphql_introspection", mode="before")
    @classmethod
    def _switch(cls, value: object) -> object:
        # pydantic's words, said with the value given: its own message named neither.
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _ON or word in _OFF:
                return word in _ON
            raise ValueError(f"must be on or off (or true/false, yes/no, 1/0), not {value!r}")
        return value

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        return trusted_proxies(value) if isinstance(value, str) else value

    @field_validator("kafka_bootstrap")
    @classmethod
    def _bootstrap_usable(cls, bootstrap: str | None) -> str | None:
        # A port out of range was waited on as a broker out of reach (eventlog/bootstrap.py).
        problem = None if bootstrap is None else bootstrap_problem(bootstrap)
        if problem is not None:
            raise ValueError(problem)
        return bootstrap

    @model_validator(mode="after")
    def _alert_retries_grow(self) -> Settings:
        _longest_not_below_first(self, "alert_retry_first_seconds", "alert_retry_max_seconds")
        return self

    @model_validator(mode="after")
    def _webhooks_signed(self) -> Settings:
        if self.alert_webhooks and self.alert_webhook_secret is None:
            raise ValueError("alert_webhook_secret: required when alert_webhooks are set")
        for agency, url in self.alert_webhooks.items():
            if problem := webhook_url_problem(url):
                # Shown without its credentials, as everywhere (urls.redacted_url).
                shown = redacted_url(url)
                raise ValueError(f"alert_webhooks: {agency!r} has {shown!r}, {problem}")
        return self

    def __init__(self, **given: Any) -> None:
        try:
            super().__init__(**given)
        except ValidationError as error:
            # One clear line naming the variable, not a traceback.
            problems = "; ".join(_named(problem) for problem in error.errors())
            raise StartupError(f"invalid setting: {problems}") from None
        except SettingsError as error:
            # A value pydantic-settings could not even parse (a JSON object's variable holding
            # Python's quotes) is refused before validation, in words naming the field only.
            raise StartupError(f"invalid setting: {_unparsed(error)}") from None

    def over(self, database_url: str) -> Settings:
        """These settings, checked, over the database at `database_url`: `up` checks them
        before it starts the embedded PostgreSQL whose URL that is."""
        return self.model_copy(update={"database_url": database_url})

    @property
    def clock(self) -> Clock:
        return Clock(self.timezone)


def _named(problem: Any) -> str:
    """`VARIABLE: what is wrong`; a rule across settings names its setting first."""
    said = str(problem["msg"]).removeprefix("Value error, ")
    if problem["loc"]:
        return f"{_variable(str(problem['loc'][0]))}: {said}"
    name, _, message = said.partition(": ")
    return f"{_variable(name)}: {message}"


def _unparsed(error: SettingsError) -> str:
    """`VARIABLE: why`, from pydantic-settings' `… for field "alert_webhooks" …` and its cause
    (json's words for a value that is not JSON: where it stopped and what it expected)."""
    field = re.search(r'field "(\w+)"', str(error))
    cause = error.__cause__
    why = (
        f"not valid JSON ({cause})"
        if isinstance(cause, json.JSONDecodeError)
        else str(cause or error)
    )
    return f"{_variable(field.group(1))}: {why}" if field else why


def _variable(name: str) -> str:
    unprefixed = {"database_url": "DATABASE_URL", "kafka_bootstrap": BOOTSTRAP_SETTING}
    return unprefixed.get(name, f"VENDORWATCH_{name.upper()}")
