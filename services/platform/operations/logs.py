"""How every VendorWatch process logs: one JSON object a line on stderr (python-json-logger),
or the same records as human-readable text (`--log-format text`, VENDORWATCH_LOG_FORMAT).

Records carry `request_id` (the API request being served, from `REQUEST`) and `event_id`
(passed as `extra` where a line concerns one event) as fields, so that a collector can join
a client's report, an `internal error <id>` and the events it touched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from services.platform.operations.pool_floor import FloorOutageSaidOnce

LogFormat = Literal["json", "text"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")
LOG_FORMAT_ENV = "VENDORWATCH_LOG_FORMAT"


@dataclass(slots=True)
class ServedRequest:
    """The HTTP request this code runs for, and whether it is still being served. A task
    started while serving it copies the context, and may outlive it: asyncpg's pool starts
    one to restore its floor of connections when a request hands back a broken one, which
    retries every few seconds while PostgreSQL is down. Its lines had carried the id of that
    long-answered request; once `over`, the request's id is stamped on nothing more."""

    id: str
    over: bool = False


# The HTTP request this code runs for (set, and ended, by the gateway's middleware).
REQUEST: ContextVar[ServedRequest | None] = ContextVar("request", default=None)

_FIELDS = ("request_id", "event_id")

# Set, in the request's own task, once the API's time limit has said in its WARNING that the
# answer under way was cut off (gateway/http/protection.py): uvicorn's ERROR for the same
# answer follows in that task (`_CutOffSaidOnce`). A task serves one request, so it ends there.
ANSWER_CUT_OFF_SAID: ContextVar[bool] = ContextVar("answer_cut_off_said", default=False)


class _RequestId(logging.Filter):
    """Stamps the current request's id on every record made while serving it (not after:
    `ServedRequest`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = REQUEST.get()
        if request is not None and not request.over and not hasattr(record, "request_id"):
            record.request_id = request.id
        return True


class _StopInOneLine(logging.Filter):
    """uvicorn's records of the answers a stop cut short once their time was up
    (`serving.GRACEFUL_STOP_SECONDS`: a client that stopped reading a large answer): their
    count at ERROR, then each one's CancelledError with a 60-line traceback. The stop did as
    it should: one WARNING each, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, asyncio.CancelledError):
            record.msg, record.args = "an answer under way was cancelled by the stop: %s", (error,)
            record.exc_info, record.exc_text = None, None
        elif record.msg != _STOP_CANCELS:
            return True
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


# uvicorn's words for the answers it cancels at a stop (uvicorn/server.py, `shutdown`).
_STOP_CANCELS = "Cancel %s running task(s), timeout graceful shutdown exceeded"


class _CutOffSaidOnce(logging.Filter):
    """uvicorn's ERROR for an answer the API's time limit cut off, once our WARNING has said
    it naming the method, path and request: the same event, said again at ERROR naming
    nothing (an operator's soak test: 13 such pairs). uvicorn logs it whenever an app returns
    with an answer begun and not finished to a client still connected (`run_asgi` in
    uvicorn/protocols/http/*_impl.py), a fault of the app's own otherwise: then it is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == _UNFINISHED and ANSWER_CUT_OFF_SAID.get())


# uvicorn's words for an app that returned with its answer begun and not finished.
_UNFINISHED = "ASGI callable returned without completing response."


class KafkaClientNoise(logging.Filter):
    """The Kafka client's (aiokafka's) complaints as what they are: while a broker is out of
    reach it logs every failed connection, fetch and metadata request at ERROR, some 400
    lines a second across a deployment's processes in an operator's test, where only real
    faults should be (our loops say once that they wait, and `/readyz` names Kafka). Its
    ERRORs are WARNINGs here, and one line of each kind stands for the others of the next
    `window` seconds, its count said on the next line of that kind. On the handler, so that
    it sees the records of every `aiokafka.*` logger."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._window, self._clock = window, clock
        # (logger, message template) → when its last line was let through, lines held since
        self._seen: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("aiokafka"):
            return True
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        key, now = (record.name, record.msg), self._clock()
        last = self._seen.get(key)
        if last is not None and now - last[0] < self._window:
            self._seen[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            record.msg = f"{record.getMessage()} (and {last[1]} more like it since)"
            record.args = None
        self._seen[key] = (now, 0)
        return True


def _utc_time(record: logging.LogRecord) -> str:
    """ISO 8601 in UTC, to the millisecond, with its `Z`: logging's default is the process's
    local time with no offset, which lines from hosts in other zones (or a zone's change to
    summer time) leave ambiguous, and which a collector cannot order."""
    stamp = dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


class _Json(JsonFormatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)


class _Text(logging.Formatter):
    """The classic line, with the ids a record has appended as key=value."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{f}={getattr(record, f)}" for f in _FIELDS if hasattr(record, f))
        return f"{line} [{ids}]" if ids else line


def configure_logging(
    level: str, log_format: LogFormat = "json", *, quiet_libraries: bool = False
) -> None:
    """Configures the root logger of this process (replacing any handler already there)."""
    handler = logging.StreamHandler()
    handler.addFilter(_RequestId())
    handler.addFilter(KafkaClientNoise())
    if log_format == "json":
        handler.setFormatter(
            _Json(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                json_ensure_ascii=False,
                # uvicorn adds an ANSI-coloured copy of its message to its records.
                reserved_attrs=[*RESERVED_ATTRS, "color_message"],
            )
        )
    else:
        handler.setFormatter(_Text("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(
        level="WARNING" if level.lower() == "warn" else level.upper(),
        handlers=[handler],
        force=True,
    )
    # pgserver narrates every initdb and pg_ctl step at INFO; httpx logs every request at
    # INFO with its URL whole: an alert webhook's, with its credentials and its query's token
    # (the deliveries record each attempt's outcome themselves, `alert_deliveries`).
    for chatty in ("pgserver", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # An outage once where it starts and ends; in a one-shot command (`quiet_libraries`),
    # never: its one `Error:` line says what it lost (pool_floor.py).
    pool = logging.getLogger("asyncpg.pool")
    pool.filters = [f for f in pool.filters if not isinstance(f, FloorOutageSaidOnce)]
    pool.addFilter(FloorOutageSaidOnce(one_off=quiet_libraries))
    server = logging.getLogger("uvicorn.error")
    ours = (_StopInOneLine, _CutOffSaidOnce)
    server.filters = [f for f in server.filters if not isinstance(f, ours)]
    for said_once in ours:
        server.addFilter(said_once())
    if quiet_libraries:
        # A one-shot command reports its failure itself, in one line.
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
