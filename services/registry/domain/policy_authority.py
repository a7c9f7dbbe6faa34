"""Which suspension policy a sanction's authority names, and why an authority written
otherwise than its policy writes it is refused (pure).

Policies are looked up by their authority as written. A sanction's authority that differed
from it only in how it is written ("City Procurement Office", "ＣＩＴＹ procurement office",
"City procurement office.", "City procurement-office") found no policy, so its period was
never checked, and it listed a second authority in `sanctionAuthorities`. Such an authority
is refused, saying how its policy writes it, rather than judged by that policy under its own
spelling: one authority's sanctions then stay one authority's for those who read the register
(auditors count them by authority), and the stored name is always the policy's.

Two rules, each added once the log had begun and judging the events recorded from its instant
(`later_rules`), so that a rebuild gives an older log the verdicts live processing gave it:

- from `SECOND_RULES_FROM`, names compare as sanction scopes do (`events.sanction.scope_key`:
  NFKC, case folding, inner spaces collapsed);
- from `FOURTH_RULES_FROM`, also as vendor names are matched (`names.normalize_name`:
  punctuation, symbols and every space ignored too, kana and legal-form words folded), so a
  stray full stop or hyphen no longer escapes the policy. The API's receipt folds so whenever
  it is asked (nothing is recorded of what it refuses), and so does `proposeSuspension`'s hint.
  What folds alike either way is one authority (policy files are refused at loading when
  theirs do).

A different letter or word, other than a legal form ("City procurement offices", "市
procurement office"), names another authority: no folding can tell a slip from another office
("District 1 office", "District 2 office"), and the lists imported name hundreds of
authorities without a policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from services.events.sanction import scope_key
from services.platform.eventstore.later_rules import (
    judged_by_fourth_rules,
    judged_by_second_rules,
)
from services.platform.wording import quoted
from services.registry.domain.names import normalize_name
from services.registry.domain.policy import SuspensionPolicy


def same_authority(one: str, other: str, *, as_names: bool = True) -> bool:
    """Whether two authorities are one once folded (`as_names` False: only as the rules of
    `SECOND_RULES_FROM` fold them, case, width and spaces). Both folds are asked, so that
    whatever the first found alike stays alike ("™" and "TM" are one to NFKC, not to
    `normalize_name`, which drops the sign); a name with no letter or digit names nothing."""
    if scope_key(one) == scope_key(other):
        return True
    if not as_names:
        return False
    key = normalize_name(one)
    return key != "" and key == normalize_name(other)


def spelled_otherwise(
    policies: Mapping[str, SuspensionPolicy], authority: str, *, as_names: bool = True
) -> SuspensionPolicy | None:
    """The policy whose authority `authority` names only once folded (`as_names` False: as
    the rules before `FOURTH_RULES_FROM` fold it); None: it names one as written, or none."""
    if authority in policies:
        return None
    # A handful of policies: folding each is cheaper than keeping an index beside the mapping.
    return next(
        (p for name, p in policies.items() if same_authority(name, authority, as_names=as_names)),
        None,
    )


def governing_policy(
    policies: Mapping[str, SuspensionPolicy], authority: str, recorded_at: dt.datetime
) -> SuspensionPolicy | None:
    """The policy that governs a sanction of `authority` for an event the log recorded at
    `recorded_at`: the one it names as written, or, from the second rules on, once folded
    (an amendment of a sanction imposed under another spelling before the rule is held to
    its policy's range as any other is)."""
    policy = policies.get(authority)
    if policy is None and judged_by_second_rules(recorded_at):
        as_names = judged_by_fourth_rules(recorded_at)
        return spelled_otherwise(policies, authority, as_names=as_names)
    return policy


def authority_refusal(
    policies: Mapping[str, SuspensionPolicy],
    authority: str,
    recorded_at: dt.datetime,
    *,
    receipt: bool = False,
) -> str | None:
    """Why a sanction of `authority`, recorded at `recorded_at`, is refused for how it writes
    its authority; None when it writes it as its policy does, or has no policy. The receipt
    (`receipt`) folds as the latest rule does whenever it is asked: nothing is recorded of
    what it refuses, so no verdict of the log can change."""
    if not judged_by_second_rules(recorded_at):
        return None
    as_names = receipt or judged_by_fourth_rules(recorded_at)
    policy = spelled_otherwise(policies, authority, as_names=as_names)
    if policy is None:
        return None
    return (
        f"payload.authority: {quoted(authority)} names the suspension policy of"
        f" {quoted(policy.authority)}; write it as its policy does: {quoted(policy.authority)}"
    )
