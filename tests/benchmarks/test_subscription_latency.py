"""How soon a mutation's effect reaches GraphQL subscribers (measured, not asserted).

Over a real `vendorwatch up` (embedded mode, its own process) and real WebSockets
(graphql-transport-ws): the time from sending an `imposeSanction` that bars a vendor today to
each subscriber's `eligibilityChanges` message, at 1 subscriber and at many, next to the
baseline of the same run: a PostgreSQL NOTIFY -> LISTEN round trip over asyncpg.

What is asserted is only that every subscriber got every message, once. The CI size is
VENDORWATCH_BENCH_SUBSCRIBERS=100 subscribers and VENDORWATCH_BENCH_MUTATIONS=10 mutations;
the issue's figure is taken with VENDORWATCH_BENCH_SUBSCRIBERS=1000.

The subscribers are this process's WebSocket clients, each a full graphql-transport-ws client
(handshake, `connection_init`, `subscribe`) on picows, whose frames are parsed in C and handed
to a callback as they are read from the socket, on uvloop (as the API runs): a subscriber's
message is timed there, before it is decoded. With the `websockets` package's asyncio client (a
task woken per message, its frames parsed in Python) this one process read 1,000 messages
several times slower than the API wrote them, so the client's own queue, not the API, set most
of the figure (ARCHITECTURE.md, "Live updates"). Their garbage collection is kept out of it as
far as it can be (what the connections hold is frozen, young collections made rarer) while the
mutations are measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import os
import statistics
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import orjson
import pytest
import uvloop
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

from services.platform.security.auth import Role
from tests.support.event_examples import VALID_PAYLOADS, sanction_input
from tests.support.principals import TEST_SECRET, token
from tests.support.processes import Service, free_port, wait_until

pytestmark = pytest.mark.postgres

SUBSCRIBERS_VARIABLE = "VENDORWATCH_BENCH_SUBSCRIBERS"
MUTATIONS_VARIABLE = "VENDORWATCH_BENCH_MUTATIONS"
CI_SUBSCRIBERS = 100
CI_MUTATIONS = 10
BASELINE_ROUNDS = 200
TOKYO = ZoneInfo("Asia/Tokyo")
# Between two measured mutations: the previous one's messages are all in, and the system idle.
SETTLE_SECONDS = 0.3
CONNECT_CHUNK = 100
WARM_UPS = 5

REGISTER = """
mutation ($id: ID!, $vendor: VendorRegisteredInput!) {
  registerVendor(vendorId: $id, payload: $vendor, waitForProcessing: true) { accepted } }"""
IMPOSE = """
mutation ($id: ID!, $sanction: SanctionImposedInput!) {
  imposeSanction(vendorId: $id, payload: $sanction, waitForProcessing: false) {
    accepted errors { field message } } }"""
# The documented operation's selection (graphql/operations/eligibility-changes.graphql).
LIVE = """
subscription ($ids: [ID!]) { eligibilityChanges(vendorIds: $ids) {
  vendorId asOf eligible eligibleAgainOn reasons { sanctionId kind viaVendorId } } }"""


# A measure's name, its subscribers, and every subscriber's latency for every mutation.
Row = tuple[str, int, list[float]]


def _setting(variable: str, default: int) -> int:
    return int(os.environ.get(variable, default))


@dataclass
class Arrivals:
    """When each subscriber got each vendor's message (perf_counter seconds), and any message
    that was not the change expected."""

    expected: int
    at: dict[str, list[float]] = field(default_factory=dict)
    complete: dict[str, asyncio.Event] = field(default_factory=dict)
    unexpected: list[object] = field(default_factory=list)

    def expect(self, vendor_id: str) -> asyncio.Event:
        return self.complete.setdefault(vendor_id, asyncio.Event())

    def arrived(self, vendor_id: str, moment: float) -> None:
        times = self.at.setdefault(vendor_id, [])
        times.append(moment)
        if len(times) >= self.expected:
            self.expect(vendor_id).set()


class _Subscriber(WSListener):
    """One graphql-transport-ws subscriber: acknowledged, then each `next` message timed as
    its frame is read."""

    def __init__(self, arrivals: Arrivals) -> None:
        super().__init__()
        self.arrivals = arrivals
        self.acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        moment = time.perf_counter()
        if frame.msg_type is WSMsgType.CLOSE:
            self.arrivals.unexpected.append(("closed", frame.get_close_code()))
            transport.disconnect()
            return
        message = orjson.loads(frame.get_payload_as_bytes())
        if not self.acknowledged.done():
            if message["type"] == "connection_ack":
                self.acknowledged.set_result(None)
            else:
                self.acknowledged.set_exception(AssertionError(message))
        elif message["type"] != "next" or "errors" in message["payload"]:
            self.arrivals.unexpected.append(message)
        else:
            change = message["payload"]["data"]["eligibilityChanges"]
            self.arrivals.arrived(change["vendorId"], moment)


def _send(transport: WSTransport, message: dict[str, Any]) -> None:
    transport.send(WSMsgType.TEXT, orjson.dumps(message))


async def _subscriber(
    ws_url: str, bearer: str, vendor_ids: list[str] | None, arrivals: Arrivals
) -> WSTransport:
    """A subscribed WebSocket, its messages read into `arrivals`."""
    listener = _Subscriber(arrivals)
    transport, _ = await ws_connect(
        lambda: listener, ws_url, extra_headers={"Sec-WebSocket-Protocol": "graphql-transport-ws"}
    )
    _send(transport, {"type": "connection_init", "payload": {"Authorization": bearer}})
    await asyncio.wait_for(listener.acknowledged, timeout=30)
    payload = {"query": LIVE, "variables": {"ids": vendor_ids}}
    _send(transport, {"id": "1", "type": "subscribe", "payload": payload})
    return transport


@contextlib.asynccontextmanager
async def subscribed(graphql_url: str, count: int, watched: list[str]) -> AsyncIterator[Arrivals]:
    """`count` subscribers: every other one to all vendors, the others to `watched`."""
    arrivals = Arrivals(count)
    ws_url = graphql_url.replace("http://", "ws://", 1)
    bearer = f"Bearer {token(Role.VIEWER)}"
    opened: list[WSTransport] = []
    try:
        for start in range(0, count, CONNECT_CHUNK):
            opened += await asyncio.gather(
                *(
                    _subscriber(ws_url, bearer, None if i % 2 == 0 else watched, arrivals)
                    for i in range(start, min(count, start + CONNECT_CHUNK))
                )
            )
        yield arrivals
    finally:
        for transport in opened:
            transport.disconnect()
        await asyncio.gather(*(t.wait_disconnected() for t in opened), return_exceptions=True)


def _suspension(vendor_id: str) -> dict[str, Any]:
    today = dt.datetime.now(TOKYO).date()
    return sanction_input(VALID_PAYLOADS["sanction.imposed"]) | {
        "sanctionId": f"suspension-{vendor_id}",
        "decidedOn": (today - dt.timedelta(days=1)).isoformat(),
        "startsOn": today.isoformat(),  # in force today: announced at once
        "kind": "BID_SUSPENSION",
    }


async def _post(http: httpx.AsyncClient, url: str, query: str, **variables: Any) -> Any:
    answer = await http.post(url, json={"query": query, "variables": variables})
    answer.raise_for_status()
    body = answer.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


async def _bar(
    http: httpx.AsyncClient, url: str, vendor_id: str, arrivals: Arrivals, within: float = 60
) -> float:
    """Sends the mutation that bars the vendor; returns when every subscriber heard of it,
    the moment it was sent."""
    heard = arrivals.expect(vendor_id)
    sent = time.perf_counter()
    answer = await _post(http, url, IMPOSE, id=vendor_id, sanction=_suspension(vendor_id))
    assert answer["imposeSanction"]["accepted"], answer
    await asyncio.wait_for(heard.wait(), timeout=within)
    return sent


@contextlib.contextmanager
def _quiet_collector() -> Iterator[None]:
    """This process's collector out of the measure's way for the block (restored after)."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


async def _latencies(
    http: httpx.AsyncClient, url: str, count: int, vendors: Sequence[str], warm_ups: Sequence[str]
) -> list[float]:
    """Every subscriber's latency for every mutation, in seconds."""
    async with subscribed(url, count, [*warm_ups, *vendors]) as arrivals:
        # Nothing says a subscription is in place: a message that reaches all proves it.
        for warm_up in warm_ups:
            with contextlib.suppress(TimeoutError):
                await _bar(http, url, warm_up, arrivals, within=5)
                break
        else:
            raise AssertionError(f"the warm-up never reached all {count} subscribers")
        latencies: list[float] = []
        with _quiet_collector():
            for vendor_id in vendors:
                await asyncio.sleep(SETTLE_SECONDS)
                sent = await _bar(http, url, vendor_id, arrivals)
                latencies += [moment - sent for moment in arrivals.at[vendor_id]]
        await asyncio.sleep(SETTLE_SECONDS)  # anything more would be a duplicate
        assert not arrivals.unexpected, arrivals.unexpected[:3]
        for vendor_id in vendors:
            assert len(arrivals.at[vendor_id]) == count, (vendor_id, len(arrivals.at[vendor_id]))
        return latencies


async def _notify_round_trips(database_url: str, rounds: int) -> list[float]:
    """The baseline: NOTIFY on one connection until LISTEN hears it on another."""
    listener, notifier = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    heard: asyncio.Queue[float] = asyncio.Queue()
    try:
        await listener.add_listener("bench", lambda *_: heard.put_nowait(time.perf_counter()))
        trips = []
        for _ in range(rounds):
            sent = time.perf_counter()
            await notifier.execute("NOTIFY bench")
            trips.append(await asyncio.wait_for(heard.get(), timeout=10) - sent)
        return trips
    finally:
        await listener.close()
        await notifier.close()


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _table(rows: list[Row], baseline: list[float]) -> list[str]:
    base50, base99 = statistics.median(baseline), _percentile(baseline, 0.99)
    header = ("measure", "subscribers", "messages", "p50", "p99", "ratio p50", "ratio p99")
    lines = [header]
    for measure, subscribers, values in rows:
        p50, p99 = statistics.median(values), _percentile(values, 0.99)
        lines.append(
            (
                measure,
                f"{subscribers:,}",
                f"{len(values):,}",
                f"{p50 * 1000:.1f} ms",
                f"{p99 * 1000:.1f} ms",
                f"{p50 / base50:,.0f}x",
                f"{p99 / base99:,.0f}x",
            )
        )
    lines.append(
        (
            "baseline: NOTIFY -> LISTEN",
            "1",
            f"{len(baseline):,}",
            f"{base50 * 1000:.2f} ms",
            f"{base99 * 1000:.2f} ms",
            "1x",
            "1x",
        )
    )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.append(
        "latency: imposeSanction sent -> eligibilityChanges message read by each subscriber;"
        " ratio = latency / baseline's (same percentile, same run; lower is better)"
    )
    return out


@pytest.fixture
def api(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`vendorwatch up` on the test's database: its GraphQL URL."""
    monkeypatch.setenv("VENDORWATCH_JWT_SECRET", TEST_SECRET.decode())
    port = free_port()
    up = Service("up", ["up", "--database-url", database_url, "--port", str(port)], tmp_path)
    url = f"http://127.0.0.1:{port}/graphql"

    def healthy() -> bool:
        try:
            return httpx.get(url.replace("/graphql", "/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, "the API to answer", timeout=60)
        yield url
    except BaseException:
        print(up.log_tail())
        raise
    finally:
        up.stop()


async def _measure(api: str, database_url: str) -> tuple[list[Row], list[float]]:
    """Each run's latencies, and the baseline's."""
    subscribers = _setting(SUBSCRIBERS_VARIABLE, CI_SUBSCRIBERS)
    mutations = _setting(MUTATIONS_VARIABLE, CI_MUTATIONS)
    runs = {"one": 1, "many": subscribers}
    vendors = {run: [f"bench-{run}-{i}" for i in range(mutations + WARM_UPS)] for run in runs}
    headers = {"Authorization": f"Bearer {token(Role.SANCTION_AUTHORITY)}"}
    officer = {"Authorization": f"Bearer {token(Role.PROCUREMENT_OFFICER)}"}
    async with (
        httpx.AsyncClient(timeout=30, headers=headers) as http,
        httpx.AsyncClient(timeout=30, headers=officer) as registrar,
    ):
        for vendor_id in [v for run in vendors.values() for v in run]:
            vendor = {"legalName": f"{vendor_id} K.K."}
            data = await _post(registrar, api, REGISTER, id=vendor_id, vendor=vendor)
            assert data["registerVendor"]["accepted"], data
        rows = []
        for run, count in runs.items():
            warm_ups, measured = vendors[run][:WARM_UPS], vendors[run][WARM_UPS:]
            values = await _latencies(http, api, count, measured, warm_ups)
            rows.append((f"mutation -> subscriber ({run})", count, values))
    return rows, await _notify_round_trips(database_url, BASELINE_ROUNDS)


def test_mutation_to_subscriber_latency(
    api: str, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # On a loop of its own, uvloop's, as the API's: the clients' reading is part of the figure.
    rows, baseline = uvloop.run(_measure(api, database_url))
    with capsys.disabled():
        print("\n" + "\n".join(_table(rows, baseline)))
