"""From when the services' later rules judge the log's events (pure).

Rules added once the log had begun judge only the events it recorded from the day they were
added, by each event's `recorded_at` (the same live and in a replay): a rebuild then gives an
older log the verdicts live processing gave it, and the events recorded before were judged
without them (an import's lift of a debarment not yet begun, dated the import's day, among
them). Only events recorded between this instant and an upgrade are judged otherwise by a
rebuild than they were live: the registry's rebuild reports them
(`registry.rebuild.changed_verdicts`); migration's does not report its own.

The rules added on 2026-12-04, the registry's:

- a change of a sanction dated before its decision, a new period outside the policy's range
  without a reason (imposition_rules.change_refusal);
- a second lift, or an amendment from a lift on (imposition_rules.change_refusal);
- an incident or claim naming a contract, incident or causing vendor the registry does not
  know of, and a settlement dated before its claim's filing (reference_rules, record_steps;
  the API's receipt asks them too, of what is on record);
- an incident's or a claim's event dated on a day still to come, an investigation, closing or
  claim dated before its incident occurred (record_dates);

and migration's: a replacement chosen, or a milestone reached, on a day still to come; a
replacement chosen, a property configured or "done" recorded again for an item already done
(owner_handlers).

The rules added on 2026-12-05 (`SECOND_RULES_FROM`), the registry's:

- a sanction whose authority names a suspension policy's authority only once folded
  (policy_authority: case, width, inner spaces) is refused, where it escaped the policy; an
  amendment of one recorded before is held to that policy's range
  (imposition_rules.imposition_refusal, change_refusal);
- a rename dated on a day still to come (handlers.vendor_renamed, record_dates);
- a contract's termination dated before its award (contract_rules.termination_refusal, in
  records.contract_terminated and the API's receipt).

The rules added later on 2026-12-05, judging from the next day on (`THIRD_RULES_FROM`: an
instant still to come when they were added, so that no event judged live before an upgrade is
judged otherwise by a rebuild), migration's:

- an item's dependencies that close a cycle through it, which no schedule can keep
  (item_changes.item_change_problems, owner_handlers.item_configured); before, such a change
  was applied and every schedule of its plan was refused, naming the cycle. The API's receipt
  refuses it whenever it is asked: nothing is recorded of what it refuses.

The rules added on 2026-12-05 once those were out, judging from 2026-12-07 on
(`FOURTH_RULES_FROM`: still to come when they were added, with a day's room for the change to
reach main and be deployed before it, so that no event judged live by the code before them is
judged otherwise by a rebuild), the registry's (imposition_rules.change_refusal, lift_rules):

- a lift effective after the sanction's last day (every amendment counted) is refused: it
  changed nothing, yet blocked every real lift as `lifted_already`. The API's receipt refuses
  it whenever it is asked (`no_change`);
- a lift recorded before, which changed nothing so, no longer blocks a lift: a real one is
  applied, and the sanction is lifted from the earlier day. The receipt judges this one as the
  registry will, by the instant, since it accepts what was refused before;
- an amendment that changes nothing: the sanction's terms from its effective day on (last
  day, agencies, categories, affiliate coverage), every other amendment and its lift counted
  (until a lift, a last day is the lift's eve at the latest), are the same with it and
  without it (amendment_rules; in the batch too, whose headers carry the amendments). The
  API's receipt refuses it whenever it is asked (`no_change`);
- an award dated on a day still to come (record_dates, records.contract_awarded and the
  batch's fold; its term may start later), a contract amendment whose every term is the
  contract's already (contract_rules.amendment_refusal, `no_change`), and an affiliation
  change naming a related vendor neither registered nor logged before it, ending a relation
  that does not stand, or adding one the other way round from one standing, or as it stands
  (affiliation_rules, handlers.affiliation_changed). The API's receipt refuses each whenever
  it is asked;
- a sanction whose authority names a suspension policy's authority once folded as vendor
  names are (policy_authority: punctuation, symbols and every space ignored too: "City
  procurement office.", "City procurement-office") is refused, where it escaped the policy;
  an amendment of one recorded before is held to that policy's range. The API's receipt
  refuses it whenever it is asked (`authority_spelling`);
- a rename effective before the vendor's latest rename (by effective day), and one giving
  only the names the vendor has (rename_rules, handlers.vendor_renamed); before, the first
  made the earlier name current and listed the later one as used until before it was
  adopted, and the second was recorded as a decision. The API's receipt refuses each
  whenever it is asked;
- a contract's termination dated after its end, the terms as amended so far
  (contract_rules.termination_refusal, `after_end`), or on a day still to come (record_dates,
  records.contract_terminated): recorded, either ended the contract on a day it did not end,
  and every later change of it was refused as terminated already. The API's receipt refuses
  each whenever it is asked (added on 2026-12-05 too, the instant still to come).

and migration's:

- an item marked done before an item it moves after is done, or, when its plan forbids early
  termination, in a phase before its contract's natural end (cutover_order.done_problems,
  owner_handlers.item_status_changed); before, it was applied and the plan went on as if
  the order had been kept;
- an owner's change that changes nothing: a replacement chosen again on its day, a check
  ticked or withdrawn again, a milestone recorded again (no_change, owner_handlers); before,
  each was applied, and a replacement chosen again made a new version identical to the last;
- an item's properties or a plan's settings given as they are (`configureMigrationItem`,
  `configureMigrationPlan`): the partial change, applied, leaves the item or the settings as
  they were (no_change.same_properties, same_settings; owner_handlers.item_configured,
  plan_configured); before, each was applied and made a plan version identical to the last.
  The API's receipt refuses them whenever it is asked (`no_change`);
- a plan's withdrawal while a sanction already recorded will bar its vendor at its agency
  before contracts the plan still holds to move end (withdrawal.withdrawal_refusal,
  `barred_later`; owner_handlers.plan_withdrawn); before, it was applied. The API's receipt
  refuses it whenever it is asked.

The rules added on 2026-12-06, judging from 2026-12-08 on (`FIFTH_RULES_FROM`: still to come
when they were added, with a day's room for the change to reach main and be deployed before
it, `FOURTH_RULES_FROM` being too close by then), the registry's (rename_rules.rename_changes,
handlers.vendor_renamed):

- a rename to a new legal name clears the kana reading and English name it does not give,
  which stay matching as former names, used until the day before the rename: they were the
  old name's. Before, they stayed as they were, and the old name's reading was shown as the
  new one's; a rebuild leaves them so on the renames recorded before, as live processing did.

and migration's (added on 2026-12-06 too, the instant still to come):

- an item marked done, where its plan forbids early termination, on or before its
  contract's last day (cutover_order.before_natural_end, `by_day`;
  owner_handlers.item_status_changed). The rules of 2026-12-07 compared phases only, and
  the natural phase is the one holding the day after the contract ends, so a "done" weeks
  before the end, inside that phase, was applied. The API's receipt refuses it whenever it
  is asked (`before_contract_end`);
- a check of an item already done ticked (owner_handlers.checklist_updated, `done_already`):
  a done item's checks are history, as its replacement, properties and milestones were
  already; before, only a withdrawal was refused, and a tick made a new plan version. The
  API's receipt refuses it whenever it is asked (`item_done`);
- a re-plan's cause for an owner's change of a plan's settings or an item's properties names
  only the fields it changed, not every field it gave (owner_handlers._named,
  no_change.changed_fields). No verdict changes, but the causes of revisions not yet planned
  are replayed by a rebuild, so one recorded before keeps the words it had;
- a plan freed by the registry's announcement says of each bar that had not run its course
  that it "ended early" as of the announcement's day (bars.ended_bars,
  handlers.WorldHandlers._ended), where it gave a lifted sanction's announced end as its
  own. A plan's reason is replayed, so one freed before keeps its words in a rebuild.

and risk's (added on 2026-12-06 too, the instant still to come):

- a claim in another currency than the yen is weighed at the risk model's rate for its
  currency, or by its base points alone when the model gives none (claim_factors, by the
  instant of its filing kept by fold.fold_one); before, its figure counted as yen (US$1M,
  100,000,000 cents, as ¥100M). No verdict changes, but risk's rebuild replays the claims, so
  one filed before counts its figure as yen in a rebuild too, its evidence saying so;
- a finding of unapproved subcontracting stays on record (fold._apply, by the instant the
  log recorded the investigation, kept by fold.fold_one): a later investigation of the
  incident that finds none no longer erases it, and it keeps the day it was made. Before, the
  last investigation's answer replaced it, and its points vanished, while the model says the
  finding stays; an investigation recorded before replaces it in a rebuild too.
"""

from __future__ import annotations

import datetime as dt

LATER_RULES_FROM = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
SECOND_RULES_FROM = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
THIRD_RULES_FROM = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
FOURTH_RULES_FROM = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
FIFTH_RULES_FROM = dt.datetime(2026, 12, 8, tzinfo=dt.UTC)

# The zone whose calendar is ahead of every other's (Kiribati's Line Islands).
_LAST_ZONE = dt.timezone(dt.timedelta(hours=14))


def judged_by_later_rules(recorded_at: dt.datetime) -> bool:
    """Whether an event the log recorded at `recorded_at` is held to the later rules."""
    return recorded_at >= LATER_RULES_FROM


def judged_by_second_rules(recorded_at: dt.datetime) -> bool:
    """Whether an event the log recorded at `recorded_at` is held to the rules added on
    2026-12-05 too."""
    return recorded_at >= SECOND_RULES_FROM


def judged_by_third_rules(recorded_at: dt.datetime) -> bool:
    """Whether an event the log recorded at `recorded_at` is held to the rules judging from
    2026-12-06 too."""
    return recorded_at >= THIRD_RULES_FROM


def judged_by_fourth_rules(recorded_at: dt.datetime) -> bool:
    """Whether an event the log recorded at `recorded_at` is held to the rules judging from
    2026-12-07 too."""
    return recorded_at >= FOURTH_RULES_FROM


def judged_by_fifth_rules(recorded_at: dt.datetime) -> bool:
    """Whether an event the log recorded at `recorded_at` is held to the rules judging from
    2026-12-08 too."""
    return recorded_at >= FIFTH_RULES_FROM


def future_day(day: dt.date, recorded_at: dt.datetime) -> str | None:
    """Why a day an event states as past cannot be (it had begun nowhere on Earth when the
    log recorded the event), in the words every refusal of it uses; None when it could. A
    calendar day carries no time zone, so the instant is compared with the date of the last
    zone, UTC+14: no zone's honest today is refused."""
    if day > recorded_at.astimezone(_LAST_ZONE).date():
        return f"{day} is in the future"
    return None
