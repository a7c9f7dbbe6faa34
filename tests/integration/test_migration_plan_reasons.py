"""What an automatic migration plan says bars its vendor, on a real PostgreSQL: restated when
the registry announces another bar there (a suspension extended, a debarment after it), and
only then; a plan opened by hand keeps its owner's words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.events.migration import MigrationTrigger
from services.migration import plan_opening
from services.migration.storage import plan_repository
from services.migration.storage.plan_repository import PlanRow
from services.platform.eventstore import later_rules
from tests.support import case_migration
from tests.support.case_migration import VENDOR
from tests.support.event_examples import envelope
from tests.support.migration_db import PLAN, START, SUSPENDED_ON, apply
from tests.support.rule_instants import FAR

pytestmark = pytest.mark.postgres

AUTHORITY = "City procurement office"
ONE_DAY = dt.timedelta(days=1)
# Before the case's clock (2022), which dates what migration applies here: every event is
# judged by a rule from this instant.
BEFORE_THE_CASE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _announced(*reasons: dict[str, Any], again: dt.date | None) -> dict[str, Any]:
    """The registry's announcement that the vendor is barred for these reasons."""
    lost = case_migration.eligibility_lost(VENDOR, SUSPENDED_ON)
    lost["payload"] |= {
        "reasons": list(reasons),
        "eligible_again_on": again.isoformat() if again else None,
    }
    return lost


def _reason(
    sanction_id: str,
    kind: str = "bid_suspension",
    ends_on: dt.date | None = None,
    starts_on: dt.date = SUSPENDED_ON,
    **scope: Any,
) -> dict[str, Any]:
    return {
        "sanction_id": sanction_id,
        "kind": kind,
        "authority": AUTHORITY,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None,
        **scope,
    }


async def _plan(pool: asyncpg.Pool) -> PlanRow:
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
    assert plan is not None
    return plan


async def test_a_plan_says_what_bars_its_vendor_there_now(pool: asyncpg.Pool) -> None:
    first_end, longer = dt.date(2024, 1, 8), dt.date(2024, 7, 8)
    await apply(pool, *case_migration.contracts(START))
    await apply(pool, _announced(_reason("s-1", ends_on=first_end), again=first_end + ONE_DAY))
    opened = await _plan(pool)
    assert (
        opened.reason == f"bid suspension s-1 by {AUTHORITY} from {SUSPENDED_ON} until {first_end}"
    )

    # Extended by six months: the plan says so. What it schedules does not change with its
    # reason: no new version.
    await apply(pool, _announced(_reason("s-1", ends_on=longer), again=longer + ONE_DAY))
    plan = await _plan(pool)
    said = f"bid suspension s-1 by {AUTHORITY} from {SUSPENDED_ON} until {longer}"
    assert (plan.reason, plan.trigger) == (said, MigrationTrigger.SUSPENSION)
    assert (plan.revision, plan.causes) == (opened.revision, opened.causes)

    # Debarred on top of it: the plan's trigger follows, the sanctions in the order they began.
    debarment = _reason("d-1", kind="debarment", starts_on=SUSPENDED_ON + ONE_DAY)
    await apply(pool, _announced(debarment, _reason("s-1", ends_on=longer), again=None))
    plan = await _plan(pool)
    assert (plan.reason, plan.trigger) == (
        f"{said}; debarment d-1 by {AUTHORITY} from {SUSPENDED_ON + ONE_DAY} indefinitely",
        MigrationTrigger.DEBARMENT,
    )


async def test_what_does_not_bar_the_vendor_there_leaves_the_plan_as_it_says(
    pool: asyncpg.Pool,
) -> None:
    """Another order of the same reasons, a sanction at another agency, or the registry's
    eligible-again day moved by a sanction recorded to begin elsewhere later: the plan's
    reason stays as it is (the registry's day is the vendor's, not the day here)."""
    await apply(pool, *case_migration.contracts(START))
    here_until = dt.date(2023, 1, 8)
    here = _reason("s-here", ends_on=here_until, agencies=[case_migration.AGENCY])
    also = _reason("s-also", ends_on=here_until)
    elsewhere = _reason("s-there", ends_on=dt.date(2025, 1, 8), agencies=["道路課"])
    await apply(pool, _announced(here, also, again=here_until + ONE_DAY))
    opened = await _plan(pool)
    assert opened.reason == (
        f"bid suspension s-also by {AUTHORITY} from {SUSPENDED_ON} until {here_until};"
        f" bid suspension s-here by {AUTHORITY} from {SUSPENDED_ON} until {here_until}"
    )
    for announcement in (
        _announced(also, here, again=here_until + ONE_DAY),
        _announced(elsewhere, here, also, again=dt.date(2025, 1, 9)),
        _announced(also, here, again=dt.date(2026, 1, 9)),
    ):
        await apply(pool, announcement)
        plan = await _plan(pool)
        assert (plan.reason, plan.trigger, plan.revision) == (
            opened.reason,
            opened.trigger,
            opened.revision,
        )


async def _suspended_from_construction(pool: asyncpg.Pool) -> dict[str, Any]:
    """The case's information systems contracts and one of construction work; the vendor
    suspended from construction only (the plan holds that contract). Returns that reason."""
    await apply(pool, *case_migration.contracts(START))
    works = case_migration.awarded(START, case_migration.CONTRACTS[0])
    works["payload"] |= {"contract_id": "c-works", "category": "Construction"}
    await apply(pool, works)
    construction = _reason("s-works", ends_on=dt.date(2024, 1, 8), categories=["construction"])
    await apply(pool, _announced(construction, again=None))
    return construction


async def test_a_plan_gaining_contracts_of_a_category_newly_barred_says_what_bars_them(
    pool: asyncpg.Pool,
) -> None:
    """Suspended from construction, the plan holds the construction contract; then barred
    from information systems too, by another sanction: the plan gains those contracts and
    says both sanctions."""
    construction = await _suspended_from_construction(pool)
    assert (await _plan(pool)).reason == (
        f"bid suspension s-works by {AUTHORITY} from {SUSPENDED_ON} until 2024-01-08"
        " (categories: construction)"
    )
    systems = _reason(
        "s-systems",
        ends_on=dt.date(2024, 7, 8),
        starts_on=SUSPENDED_ON + ONE_DAY,
        categories=["information_systems"],
    )
    await apply(pool, _announced(construction, systems, again=None))
    assert (await _plan(pool)).reason == (
        f"bid suspension s-works by {AUTHORITY} from {SUSPENDED_ON} until 2024-01-08"
        " (categories: construction); bid suspension s-systems by"
        f" {AUTHORITY} from {SUSPENDED_ON + ONE_DAY} until 2024-07-08"
        " (categories: information_systems)"
    )


async def test_a_plan_whose_first_category_is_free_but_gains_a_barred_one_stays_barred(
    pool: asyncpg.Pool,
) -> None:
    """The construction suspension over, one from information systems begins: the plan
    gains those contracts, so its vendor is not free to bid for what it holds."""
    await _suspended_from_construction(pool)
    systems = _reason("s-systems", categories=["information_systems"])
    await apply(pool, _announced(systems, again=None))
    plan = await _plan(pool)
    assert not plan.vendor_eligible
    assert plan.reason == (
        f"bid suspension s-systems by {AUTHORITY} from {SUSPENDED_ON} indefinitely"
        " (categories: information_systems)"
    )


async def test_a_plan_opened_by_hand_keeps_its_owners_words(pool: asyncpg.Pool) -> None:
    await apply(pool, *case_migration.contracts(START))
    words = "moving off before the data centre closes"
    async with pool.acquire() as conn:
        refused = await plan_opening.open_by_hand(
            conn,
            VENDOR,
            "plan-by-hand",
            case_migration.AGENCY,
            words,
            SUSPENDED_ON,
            dt.datetime(2022, 7, 9, tzinfo=dt.UTC),
            announce=False,
        )
    assert refused == []
    await apply(pool, _announced(_reason("s-1", ends_on=dt.date(2024, 1, 8)), again=None))
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, "plan-by-hand")
    assert plan is not None and not plan.vendor_eligible
    assert (plan.reason, plan.trigger) == (words, MigrationTrigger.MANUAL)


async def test_a_plan_whose_vendor_may_bid_there_again_says_so(pool: asyncpg.Pool) -> None:
    """The suspension lifted (an exploratory tester's finding): the plan said its vendor
    eligible, and its reason still the suspension "until" a day to come. It says since when
    nothing bars the vendor there, and what did; barred again, what bars it then."""
    until = dt.date(2024, 1, 8)
    await apply(pool, *case_migration.contracts(START))
    await apply(pool, _announced(_reason("s-1", ends_on=until), again=until + ONE_DAY))
    barred = (await _plan(pool)).reason
    lifted_on = dt.date(2022, 12, 5)
    free = {
        "as_of": lifted_on.isoformat(),
        "eligible": True,
        "reasons": [],
        "eligible_again_on": None,
    }
    await apply(pool, envelope("vendor.eligibility_changed", free, VENDOR))
    plan = await _plan(pool)
    assert plan.vendor_eligible
    assert (plan.reason, plan.trigger) == (
        f"nothing bars {VENDOR} at {case_migration.AGENCY} since {lifted_on}; barred before by:"
        f" {barred}",
        MigrationTrigger.SUSPENSION,
    )
    again = _announced(_reason("d-1", kind="debarment", starts_on=dt.date(2023, 2, 1)), again=None)
    await apply(pool, again)
    plan = await _plan(pool)
    assert (plan.reason, plan.trigger) == (
        f"debarment d-1 by {AUTHORITY} from 2023-02-01 indefinitely",
        MigrationTrigger.DEBARMENT,
    )


def _free(as_of: dt.date) -> dict[str, Any]:
    """The registry's announcement that nothing bars the vendor as of `as_of`."""
    free = {"as_of": as_of.isoformat(), "eligible": True, "reasons": [], "eligible_again_on": None}
    return envelope("vendor.eligibility_changed", free, VENDOR)


@pytest.mark.parametrize("lifted_on", [SUSPENDED_ON, dt.date(2022, 12, 5)], ids=["first", "later"])
async def test_a_bar_lifted_before_its_end_is_said_to_have_ended_early(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch, lifted_on: dt.date
) -> None:
    """Lifted on its first day or later (an exploratory tester's finding): the freed plan
    went on giving the suspension's announced end, "until 2024-01-08", as if it ran on.
    From the rules of 2026-12-08 on it says the bar ended early, as of when; one recorded
    before says what it said (a rebuild gives a plan's reason again as live processing did:
    `test_a_plan_whose_vendor_may_bid_there_again_says_so`, recorded in 2022)."""
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", BEFORE_THE_CASE)
    until = dt.date(2024, 1, 8)
    await apply(pool, *case_migration.contracts(START))
    await apply(pool, _announced(_reason("s-1", ends_on=until), again=until + ONE_DAY))
    await apply(pool, _free(lifted_on))
    assert (await _plan(pool)).reason == (
        f"nothing bars {VENDOR} at {case_migration.AGENCY} since {lifted_on}; barred before by:"
        f" bid suspension s-1 by {AUTHORITY} from {SUSPENDED_ON} until {until}, ended early:"
        f" not barring here as of {lifted_on}"
    )


async def test_a_bar_that_ran_its_course_is_said_as_it_was(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ended on its last day, or freed before the rules of 2026-12-08: no word of ending
    early."""
    until = dt.date(2024, 1, 8)
    barred = f"bid suspension s-1 by {AUTHORITY} from {SUSPENDED_ON} until {until}"
    await apply(pool, *case_migration.contracts(START))
    for instant, as_of in ((BEFORE_THE_CASE, until + ONE_DAY), (FAR, dt.date(2022, 12, 5))):
        monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", instant)
        await apply(pool, _announced(_reason("s-1", ends_on=until), again=until + ONE_DAY))
        await apply(pool, _free(as_of))
        assert (await _plan(pool)).reason == (
            f"nothing bars {VENDOR} at {case_migration.AGENCY} since {as_of}; barred before by:"
            f" {barred}"
        )
