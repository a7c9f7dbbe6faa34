"""What a "done" says of the order of cut-overs (pure): an item marked done before an item it
moves after is done, or, when its plan forbids early termination, in a phase before its
contract's end. Either would record a cut-over the plan's own rules forbid, and the plan went
on as if they had held (OPTIMAL, no word of it). Refused rather than recorded: a
system owner who did cut over out of order says so first, by taking the dependency out
(`configureMigrationItem`) or letting early cut-overs be penalised, so the record shows the
decision and who made it; a contract terminated as migrated, a fact of the world, is
recorded whatever the order, and its plan's reasons say the order it broke
(`planning/cutover_reasons.py`). The API's receipt and migration (from the rules of
2026-12-07 on) say the same problems, by field.

Early is judged by the day from the rules of 2026-12-08 on (and by the receipt whenever it is
asked): the replacement takes over on the day after the contract's last day, so a "done"
before that day is early, whatever phase holds it. The rules of 2026-12-07 compared phases
only, and the natural phase holds the day after the end, so a "done" weeks before the end,
in that phase, passed; events recorded under them keep that verdict in a rebuild. The
planner's placement agrees with the day: it never schedules a cut-over before the natural
phase, the one holding the first allowed day (`plan_constraints.natural_phase`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from services.events.catalog import Problem
from services.events.migration import MigrationItemStatus
from services.migration.domain.items import ItemState
from services.migration.planning.model import EarlyCutover, PlanSettings
from services.migration.planning.phases import phase_label, phase_of
from services.migration.planning.plan_constraints import natural_phase_of

ONE_DAY = dt.timedelta(days=1)


def done_problems(
    item: ItemState,
    items: Mapping[str, ItemState],
    on: dt.date,
    settings: PlanSettings,
    *,
    by_day: bool,
) -> list[Problem]:
    """Why `item` may not be marked done on `on` for the order of its cut-over (empty: it
    may), against the plan's `items` (by contract id) and `settings`; fields as the event
    names them. `by_day`: early is judged by the day (the rules of 2026-12-08), not only by
    the phase."""
    problems = []
    if waiting := waiting_for(item, items, on):
        problems.append(
            Problem(
                "status",
                f"{item.contract_id} cannot be marked done before what it moves after:"
                f" {'; '.join(waiting)}; record those done first, or take them out of its"
                " dependencies",
                "dependency_not_done",
            )
        )
    if early := before_natural_end(item, on, settings, by_day=by_day):
        problems.append(Problem("on", early, "before_contract_end"))
    return problems


def waiting_for(item: ItemState, items: Mapping[str, ItemState], on: dt.date) -> list[str]:
    """The items `item` moves after that were not done by `on`, each said with its state. A
    dependency no longer in the plan (its contract ended otherwise) waits for nothing."""
    waiting = []
    for contract_id in item.depends_on:
        dependency = items.get(contract_id)
        if dependency is None:
            continue
        if dependency.status is not MigrationItemStatus.DONE:
            waiting.append(f"{contract_id} ({dependency.status.value})")
        elif dependency.status_on is not None and dependency.status_on > on:
            waiting.append(f"{contract_id} (done on {dependency.status_on}, after {on})")
    return waiting


def before_natural_end(
    item: ItemState, on: dt.date, settings: PlanSettings, *, by_day: bool
) -> str | None:
    """Why a cut-over on `on` is early where the plan forbids early termination (None when it
    is not): on or before the contract's last day (`by_day`), or else only in a phase before
    the one holding the day after it, the phases the planner would never give it
    (`plan_constraints._lower`)."""
    if settings.early_cutover is not EarlyCutover.FORBID:
        return None
    first = item.ends_on + ONE_DAY  # the day the replacement takes over
    runs = (
        f"{item.contract_id}'s contract runs until {item.ends_on} and the plan forbids early"
        " termination: not done before"
    )
    if by_day:
        return f"{runs} {first}, the day after it ends" if on < first else None
    natural = natural_phase_of(settings, item.ends_on)
    if phase_of(settings, on) >= natural:
        return None
    return f"{runs} {phase_label(settings, natural)}, its natural end"
