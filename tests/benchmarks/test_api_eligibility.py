"""Eligibility checks through the whole API (a real `vendorwatch up` process over HTTP) next to
the SQL statements the same check runs, sent by plain asyncpg in the same run.

The database holds the benchmark workload applied by the services (CI: 3,000 events, 750
vendors; full size, 5,000 vendors and 2,000 sanctions:

    VENDORWATCH_BENCH_EVENTS=20000 ./scripts/test tests/benchmarks/test_api_eligibility.py

The baseline's statements are those the API itself sent for one check, captured with
asyncpg's query logger, so they follow the code. A single check is also measured against the
fixed parts alone (tests/support/http_floor.py: uvicorn and asyncpg sending the same statement,
without GraphQL), asked by the same client in the same rounds: what any API on these parts
pays, and so how much of the ratio to the SQL is the project's own. No time is asserted; every
answer is checked against the workload (who is barred on the day asked about).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import aiohttp
import asyncpg
import httpx
import orjson
import psutil
import pytest

from services.platform.postgres.database import Connection
from tests.support import http_floor, postgres, principals
from tests.support.in_process_api import execute
from tests.support.latency import Latencies, LatencyComparison
from tests.support.processes import Service, free_port, wait_until
from tests.support.throughput import rounds, run_embedded
from tests.support.workload import CHECK_DAY, Workload

pytestmark = pytest.mark.postgres

ONE = """query ($v: ID!, $d: Date!) { bidEligibility(vendorId: $v, asOf: $d) {
  vendorId eligible eligibleAgainOn reasons { sanctionId kind endsOn } } }"""
MANY = """query ($v: [ID!]!, $d: Date!) { bidEligibilityMany(vendorIds: $v, asOf: $d) {
  vendorId eligible eligibleAgainOn } }"""
CHECKS_PER_ROUND = 300
CLIENTS = 16
MANY_LIMIT = 5_000
JSON = {"Content-Type": "application/json"}
IDLE_CPU_SECONDS = 0.05  # of CPU in a second: the process only polls
FLOOR = "uvicorn + asyncpg, its statement, no GraphQL"


Statements = list[tuple[str, tuple[Any, ...]]]
# What asyncpg's pool sends when a connection is released: the pool's, not the check's.
POOL_RESET = "SELECT pg_advisory_unlock_all()"


async def _statements_of(database_url: str, query: str, **variables: Any) -> Statements:
    """The SQL statements (with their arguments) the API sends to answer `query`, once its
    connection is warm (asyncpg reads a composite type's layout on its first use only)."""
    sent: Statements = []
    capturing = False

    def record(query: asyncpg.connection.LoggedQuery) -> None:
        if capturing and not query.query.startswith(POOL_RESET):
            sent.append((query.query, query.args))

    async def log(conn: asyncpg.Connection[Any]) -> None:
        conn.add_query_logger(record)

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, init=log)
    try:
        await execute(pool, query, **variables)
        capturing = True
        await execute(pool, query, **variables)
    finally:
        await pool.close()
    assert sent, "the query logger saw no statement: the baseline would cost nothing"
    return sent


async def _run_sql(conn: Connection, statements: Statements) -> None:
    for sql, args in statements:
        await conn.fetch(sql, *args)


class _Api:
    """A running `vendorwatch up` on the benchmark's database, and a signed-in client: one
    kept-alive connection of aiohttp, whose HTTP parser is in C. httpx's spent about 3.8 ms of
    this process's CPU per check, more than the API process itself, and so set the figure."""

    def __init__(self, url: str, client: aiohttp.ClientSession) -> None:
        self.url, self.client = url, client

    async def answer(self, query: str, **variables: Any) -> dict[str, Any]:
        request = orjson.dumps({"query": query, "variables": variables})
        async with self.client.post(self.url, data=request, headers=JSON) as response:
            body: dict[str, Any] = orjson.loads(await response.read())
            assert response.status == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


class _Clients:
    """Signed-in clients of one address, each its own kept-alive connection, closed at the
    end; entered, it gives the function that connects one more."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sessions: list[aiohttp.ClientSession] = []

    def connect(self) -> _Api:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=30),
            headers={"Authorization": f"Bearer {principals.token()}"},
        )
        self.sessions.append(session)
        return _Api(self.url, session)

    async def __aenter__(self) -> Callable[[], _Api]:
        return self.connect

    async def __aexit__(self, *_: object) -> None:
        for session in self.sessions:
            await session.close()


@pytest.fixture(scope="module")
async def populated(
    test_databases: postgres.TestDatabases, workload: Workload
) -> AsyncIterator[str]:
    """A database with the workload applied by every service (as a running system has it)."""
    url = await test_databases.create()
    await run_embedded(url, workload)
    yield url
    await test_databases.drop(url)


@pytest.fixture(scope="module")
async def api(
    populated: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Callable[[], _Api]]:
    port = free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VENDORWATCH_JWT_SECRET", principals.TEST_SECRET.decode())
        up = Service(
            "up",
            ["up", "--database-url", populated, "--port", str(port)],
            tmp_path_factory.mktemp("api"),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _healthy(base), "the API to answer", timeout=60)
        # The process walks the store's chains once it starts (chain_watch.py): 20,000
        # events parsed by a child process that takes a core from the requests measured.
        wait_until(lambda: _chain_walked(base), "the start-up walk of the chains", timeout=900)
        # Then its start-up work: the workload's announcements relayed from the outboxes into
        # the log, and its consumers taking them. Measured during that, a check shared the
        # interpreter with it (its CPU per check was three times what it is once idle).
        quiet = psutil.Process(up.process.pid)
        wait_until(lambda: _idle(quiet), "the API process to finish its start-up work", 900)
        async with _Clients(f"{base}/graphql") as connect:
            yield connect
    except BaseException:
        print(up.log_tail())
        raise
    finally:
        up.stop()


@pytest.fixture(scope="module")
async def floor(
    populated: str, workload: Workload, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Callable[[], _Api]]:
    """The fixed parts alone (tests/support/http_floor.py) answering every POST with the
    statement of a single check, its own process, asked like the API."""
    statements = await _statements_of(
        populated, ONE, v=_vendors(workload, 1)[0], d=CHECK_DAY.isoformat()
    )
    port = free_port()
    process = http_floor.start(populated, statements, port, tmp_path_factory.mktemp("floor"))
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until(lambda: _answers(url), "the fixed parts' server to answer", timeout=60)
        async with _Clients(url) as connect:
            yield connect
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.post(url, json={}).status_code == 200
    except httpx.HTTPError:
        return False


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz").status_code == 200
    except httpx.HTTPError:
        return False


def _idle(process: psutil.Process) -> bool:
    """Whether `process` used under a twentieth of a core over the last second."""
    before = sum(process.cpu_times()[:2])
    time.sleep(1)
    return sum(process.cpu_times()[:2]) - before < IDLE_CPU_SECONDS


def _chain_walked(base: str) -> bool:
    chain: dict[str, Any] = httpx.get(f"{base}/healthz").json().get("chain", {})
    return chain.get("status") == "intact"


def _checked(data: dict[str, Any], workload: Workload) -> None:
    answer = data["bidEligibility"]
    barred = answer["vendorId"] in workload.barred_on(CHECK_DAY)
    assert answer["eligible"] is not barred, answer


async def _timed(check: Callable[[], Any], times: int) -> Latencies:
    latencies = Latencies()
    for _ in range(times):
        started = time.perf_counter()
        await check()
        latencies.add(time.perf_counter() - started)
    return latencies


def _vendors(workload: Workload, n: int) -> list[str]:
    """`n` vendors to ask about, barred and eligible ones alike, in a fixed order."""
    vendors = workload.vendor_ids
    return [vendors[(i * 7919) % len(vendors)] for i in range(n)]


async def test_bid_eligibility_one_client(
    api: Callable[[], _Api],
    floor: Callable[[], _Api],
    populated: str,
    workload: Workload,
    latency_report: Callable[[LatencyComparison], None],
) -> None:
    client, bare = api(), floor()
    day = CHECK_DAY.isoformat()
    vendors = _vendors(workload, CHECKS_PER_ROUND)
    statements = await _statements_of(populated, ONE, v=vendors[0], d=day)
    comparison = LatencyComparison("bidEligibility, 1 client", f"its {len(statements)} statements")
    over_floor = LatencyComparison("bidEligibility, 1 client", FLOOR)
    conn = await asyncpg.connect(populated)
    try:
        queue = itertools.cycle(vendors)

        async def ask() -> None:
            _checked(await client.answer(ONE, v=next(queue), d=day), workload)

        async def ask_floor() -> None:
            await bare.answer(ONE, v=next(queue), d=day)

        for _ in range(rounds()):
            ours = await _timed(ask, len(vendors))
            fixed = await _timed(ask_floor, len(vendors))
            baseline = await _timed(lambda: _run_sql(conn, statements), len(vendors))
            comparison.add_round(ours, baseline)
            over_floor.add_round(ours, fixed)
    finally:
        await conn.close()
    latency_report(comparison)
    latency_report(over_floor)


async def _concurrently(clients: int, each: int, work: Callable[[int], Any]) -> float:
    """Requests per second of `clients` concurrent loops of `each` calls of `work(client)`."""

    async def loop(n: int) -> None:
        for _ in range(each):
            await work(n)

    started = time.perf_counter()
    await asyncio.gather(*(loop(n) for n in range(clients)))
    return clients * each / (time.perf_counter() - started)


async def test_bid_eligibility_sixteen_clients(
    api: Callable[[], _Api],
    floor: Callable[[], _Api],
    populated: str,
    workload: Workload,
    latency_report: Callable[[LatencyComparison], None],
) -> None:
    day = CHECK_DAY.isoformat()
    vendors = _vendors(workload, CLIENTS)
    statements = await _statements_of(populated, ONE, v=vendors[0], d=day)
    clients = [api() for _ in range(CLIENTS)]
    bare = [floor() for _ in range(CLIENTS)]
    each = CHECKS_PER_ROUND // 4
    measure = f"bidEligibility, {CLIENTS} clients"
    comparison = LatencyComparison(measure, f"its {len(statements)} statements")
    over_floor = LatencyComparison(measure, FLOOR)
    pool = await http_floor.bare_pool(populated, CLIENTS)
    try:

        async def ours(n: int) -> None:
            _checked(await clients[n].answer(ONE, v=vendors[n], d=day), workload)

        async def fixed(n: int) -> None:
            await bare[n].answer(ONE, v=vendors[n], d=day)

        async def sql(_: int) -> None:
            async with pool.acquire() as conn:
                await _run_sql(conn, statements)

        for _ in range(rounds()):
            rate = await _concurrently(CLIENTS, each, ours)
            comparison.add_throughput(rate, await _concurrently(CLIENTS, each, sql))
            over_floor.add_throughput(rate, await _concurrently(CLIENTS, each, fixed))
    finally:
        await pool.close()
    latency_report(comparison)
    latency_report(over_floor)


async def test_bid_eligibility_many(
    api: Callable[[], _Api],
    populated: str,
    workload: Workload,
    latency_report: Callable[[LatencyComparison], None],
) -> None:
    client = api()
    day = CHECK_DAY.isoformat()
    vendors: Sequence[str] = workload.vendor_ids[:MANY_LIMIT]
    statements = await _statements_of(populated, MANY, v=vendors, d=day)
    comparison = LatencyComparison(
        f"bidEligibilityMany, {len(vendors):,} ids", f"its {len(statements)} statements"
    )
    barred = workload.barred_on(CHECK_DAY)
    conn = await asyncpg.connect(populated)
    try:
        for _ in range(rounds()):

            async def ask() -> None:
                answers = (await client.answer(MANY, v=vendors, d=day))["bidEligibilityMany"]
                assert [a["vendorId"] for a in answers] == list(vendors)
                assert {a["vendorId"] for a in answers if not a["eligible"]} == barred & set(
                    vendors
                )

            comparison.add_round(
                await _timed(ask, 5), await _timed(lambda: _run_sql(conn, statements), 5)
            )
    finally:
        await conn.close()
    latency_report(comparison)
