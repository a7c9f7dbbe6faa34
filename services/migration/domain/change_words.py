"""What an owner's change of a plan is called, in the words a plan version's causes and the
live `migrationProgress` feed share (pure): the feed said "migration.plan_configured
recorded" or "c13: data_migration_rehearsed passed" where the version said "plan settings
changed: blackouts" or "c13: check 'data migration rehearsed' ticked". The causes of
revisions not yet planned are replayed by a rebuild, so these words stay as they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from services.events.migration import ChecklistCheck, MigrationItemStatus


def settings_changed(fields: Iterable[str]) -> str:
    """`plan settings changed: blackouts, capacity`."""
    return f"plan settings changed: {', '.join(fields)}"


def item_changed(contract_id: str, fields: Iterable[str]) -> str:
    """`c01: lead_time_months changed`."""
    return f"{contract_id}: {', '.join(fields)} changed"


def replacement_chosen(contract_id: str, vendor_id: str, on: dt.date) -> str:
    """`c01: replacement vendor-c chosen on 2022-07-10`."""
    return f"{contract_id}: replacement {vendor_id} chosen on {on}"


def check_changed(contract_id: str, check: ChecklistCheck, passed: bool) -> str:
    """`c01: check 'parallel run passed' ticked`: a check's name may end in "passed" itself,
    so its state is said in other words."""
    state = "ticked" if passed else "withdrawn"
    return f"{contract_id}: check '{check.value.replace('_', ' ')}' {state}"


def milestone(
    contract_id: str,
    status: MigrationItemStatus,
    on: dt.date,
    note: str | None,
    before: MigrationItemStatus | None = None,
) -> str:
    """`c01: planned → done on 2022-10-03 (note)`; without `before` (the feed, told the event
    alone), `c01: done on 2022-10-03 (note)`."""
    was = f"{before.value} → " if before is not None else ""
    return f"{contract_id}: {was}{status.value} on {on}" + (f" ({note})" if note else "")
