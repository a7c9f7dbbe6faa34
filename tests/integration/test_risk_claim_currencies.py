"""A claim filed in another currency than the yen, through the API (real PostgreSQL, the
embedded log, the registry and risk applying it): its evidence names its currency, and it is
weighed at the model's rate for it (a model giving rates: the packaged one gives none), or by
its base points alone. A tester filed US$1M
(100,000,000 cents) and was told "for 100,000,000 yen" and ¥100M's points. Claims recorded
before the rule (`later_rules.FIFTH_RULES_FROM`) count their figure as yen, as live
processing counted them, in a rebuild too; and the claims a state kept before risk migration
0015 are completed from the log."""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.platform.eventlog.embedded import drain
from services.platform.eventstore import later_rules
from services.platform.settings import Settings
from services.risk.handlers import risk_consumer
from services.risk.storage import state_storage
from services.risk.storage.state_storage import StateMemo
from tests.support.in_process_api import execute
from tests.support.registry import REGISTRY
from tests.support.risk_service import service
from tests.support.rule_instants import DAY, PAST

pytestmark = pytest.mark.postgres

REGISTER = """mutation ($id: ID!, $name: String!) {
  registerVendor(vendorId: $id, payload: {legalName: $name}) { accepted errors { message } } }"""
FILE = """mutation ($id: ID!, $claim: ID!, $amount: Amount!, $currency: String!) {
  fileClaim(vendorId: $id, payload: {claimId: $claim, filedOn: "2023-04-01", amount: $amount,
    currency: $currency, description: "damages"}) { accepted errors { message } } }"""
SETTLE = """mutation ($id: ID!, $claim: ID!, $currency: String!) {
  settleClaim(vendorId: $id, payload: {claimId: $claim, settledOn: "2023-06-01",
    amount: "1000", currency: $currency}) { accepted errors { message } } }"""
FACTORS = "factors { name contribution evidence { note } }"
RISK = f"""query ($id: ID!) {{
  during: riskScore(vendorId: $id, asOf: "2023-05-01") {{ score {FACTORS} }}
  history: riskHistory(vendorId: $id) {{ edges {{ node {{ asOf score {FACTORS} }} }} }}
}}"""
RANKED = f"{{ riskiestVendors {{ vendorId {FACTORS} }} }}"
ACCEPTED = {"accepted": True, "errors": []}
RATES = "[claims.yen_per_unit]\nUSD = 150\nKRW = 0.11\n"
# The rule's instant as shipped, which migration 0015 writes out (the tests move the module's).
SHIPPED_RULE = later_rules.FIFTH_RULES_FROM
# The tester's claim: US$1,000,000 (in cents), at the model's 150 yen per dollar.
DOLLARS = "claim u1 filed on 2023-04-01 for 1,000,000.00 USD"
RATED = f"{DOLLARS} (150,000,000 yen at the model's 150 yen per USD), pending:"
AS_YEN = f"{DOLLARS}, pending: 3 + 2 × 100,000,000 / 100,000,000 = 5.00 (its figure counted as yen"


@pytest.fixture
def rated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The packaged model giving rates for dollars and won, used by every process's settings
    (the API's, a rebuild's); the consumers here are given it."""
    packaged = resources.files("services.risk") / "models" / "v1.toml"
    text = packaged.read_text(encoding="utf-8")
    path = tmp_path / "rated.toml"
    path.write_text(text.replace("[claims.yen_per_unit]\n", RATES), encoding="utf-8")
    monkeypatch.setenv("VENDORWATCH_RISK_MODEL", str(path))
    return path


async def _recorded(pool: asyncpg.Pool, mutation: str, **variables: Any) -> None:
    answer = await execute(pool, mutation, **variables)
    assert next(iter(answer.values())) == ACCEPTED
    await drain(pool, REGISTRY)


async def _registered(pool: asyncpg.Pool, *vendor_ids: str) -> None:
    for vendor_id in vendor_ids:
        await _recorded(pool, REGISTER, id=vendor_id, name=f"期間テスト {vendor_id} 株式会社")


async def _filed(pool: asyncpg.Pool, vendor_id: str, claim: str, amount: str, cur: str) -> None:
    await _recorded(pool, FILE, id=vendor_id, claim=claim, amount=amount, currency=cur)


def _notes(score: dict[str, Any]) -> list[str]:
    return [e["note"] for f in score["factors"] for e in f["evidence"]]


async def test_a_claim_in_another_currency_is_weighed_and_described_in_it(
    pool: asyncpg.Pool, rated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)
    await _registered(pool, "cl1-1")
    await _filed(pool, "cl1-1", "u1", "100000000", "USD")
    await _filed(pool, "cl1-1", "u2", "100000000", "KRW")
    await _filed(pool, "cl1-1", "u3", "100000000", "CHF")
    await drain(pool, risk_consumer(service("2023-05-01", rated)))
    answer = await execute(pool, RISK, id="cl1-1")
    # 3 + 3 (US$1M: ¥150M), 3 + 0.22 (₩100M: ¥11M), 3 (no rate for the franc).
    assert answer["during"]["score"] == 12.2
    assert _notes(answer["during"]) == [
        f"{RATED} 3 + 2 × 150,000,000 / 100,000,000 = 6.00",
        "claim u2 filed on 2023-04-01 for 100,000,000 KRW (11,000,000 yen at the model's 0.11"
        " yen per KRW), pending: 3 + 2 × 11,000,000 / 100,000,000 = 3.22",
        "claim u3 filed on 2023-04-01 for 1,000,000.00 CHF, pending: 3 (its amount is not"
        " weighed: the model gives no yen rate for CHF)",
    ]
    assert [e["node"]["score"] for e in answer["history"]["edges"]] == [6.0, 9.2, 12.2]
    (ranked,) = (await execute(pool, RANKED))["riskiestVendors"]
    assert _notes(ranked) == _notes(answer["during"])


async def test_the_packaged_model_counts_a_claim_in_dollars_by_its_base_points_saying_why(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tester's case as reported, under the packaged model, which gives no rates."""
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)
    await _registered(pool, "cl1-1")
    await _filed(pool, "cl1-1", "u1", "100000000", "USD")
    await drain(pool, risk_consumer(service("2023-05-01")))
    answer = await execute(pool, RISK, id="cl1-1")
    assert answer["during"]["score"] == 3.0
    assert _notes(answer["during"]) == [
        f"{DOLLARS}, pending: 3 (its amount is not weighed: the model gives no yen rate for USD)"
    ]


async def test_claims_recorded_before_the_rule_count_as_yen_live_and_rebuilt(
    pool: asyncpg.Pool, database_url: str, rated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cl-old's claim recorded before the rule's instant, cl-new's after it, both US$1M and
    settled after the day asked (so that day's facts fold the claim again from its events):
    cl-old's counts as ¥100M and says so, cl-new's at the model's rate; a rebuilt risk gives
    each what live processing gave it."""
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", dt.datetime.now(dt.UTC) + DAY)
    await _registered(pool, "cl-old", "cl-new")
    await _filed(pool, "cl-old", "u1", "100000000", "USD")
    recorded = await pool.fetchval("SELECT max(recorded_at) FROM event_store")
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", recorded + dt.timedelta(microseconds=1))
    await _filed(pool, "cl-new", "u1", "100000000", "USD")
    for vendor_id in ("cl-old", "cl-new"):
        await _recorded(pool, SETTLE, id=vendor_id, claim="u1", currency="USD")
    await drain(pool, risk_consumer(service("2023-05-01", rated)))
    live = {v: await execute(pool, RISK, id=v) for v in ("cl-old", "cl-new")}
    old, new = live["cl-old"], live["cl-new"]
    assert (old["during"]["score"], new["during"]["score"]) == (5.0, 6.0)
    since = f"as for every claim recorded before {later_rules.FIFTH_RULES_FROM.date()})"
    assert _notes(old["during"]) == [f"{AS_YEN}, {since}"]
    assert _notes(new["during"]) == [f"{RATED} 3 + 2 × 150,000,000 / 100,000,000 = 6.00"]
    assert [e["node"]["score"] for e in old["history"]["edges"]] == [5.0, 0.0]
    assert _notes(old["history"]["edges"][0]["node"]) == _notes(old["during"])
    assert [e["node"]["score"] for e in new["history"]["edges"]] == [6.0, 0.0]

    await rebuilding.rebuild(Settings(database_url=database_url), ["risk"], force=True)
    for vendor_id, answer in live.items():
        assert await execute(pool, RISK, id=vendor_id) == answer


async def test_the_claims_a_state_kept_before_the_migration_are_completed_from_the_log(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)
    await _registered(pool, "cl1-1")
    await _filed(pool, "cl1-1", "u1", "100000000", "USD")
    await _filed(pool, "cl1-1", "u2", "100000000", "JPY")
    await drain(pool, risk_consumer(service("2023-05-01")))
    async with pool.acquire() as conn:
        folded = await state_storage.load(conn, ["cl1-1"], StateMemo())
        # As before the migration: a claim without its currency nor the rule it was filed by.
        await conn.execute(
            "UPDATE risk_vendor_items SET fact = fact - 'currency' - 'amount_as_yen'"
            " WHERE item LIKE 'claim:%'"
        )
        migration = resources.files("services.risk") / "migrations" / "0015_claim_currencies.sql"
        await conn.execute(migration.read_text(encoding="utf-8"))
        kept = await state_storage.load(conn, ["cl1-1"], StateMemo())
    claims = folded["cl1-1"].claims
    assert {c.currency for c in claims.values()} == {"USD", "JPY"}
    assert not any(c.amount_as_yen for c in claims.values())
    # Judged by the instant as shipped, which the migration writes out, not the test's.
    before_the_rule = dt.datetime.now(dt.UTC) < SHIPPED_RULE
    expected = {
        claim_id: dataclasses.replace(c, amount_as_yen=before_the_rule)
        for claim_id, c in claims.items()
    }
    assert kept["cl1-1"].claims == expected
