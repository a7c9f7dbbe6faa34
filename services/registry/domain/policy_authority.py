"""Which suspension policy a sanction's authority names, and why an authority written
otherwise than its policy writes it is refused (pure).

Policies are looked up by their authority as written. A sanction's authority that differed
from it only by case, character width or inner spaces ("City Procurement Office",
"ＣＩＴＹ procurement office") found no policy, so its period was never checked, and it
listed a second authority in `sanctionAuthorities`. Such an authority is refused, saying how
its policy writes it, rather than judged by that policy under its own spelling: one
authority's sanctions then stay one authority's for those who read the register (auditors
count them by authority), and the stored name is always the policy's. Names compare as
sanction scopes do (`events.sanction.scope_key`: NFKC, case folding, spaces collapsed).

A rule added once the log had begun (`later_rules.SECOND_RULES_FROM`): before it, every
spelling but the policy's passed unchecked, and a rebuild judges those events so again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from services.events.sanction import scope_key
from services.platform.eventstore.later_rules import judged_by_second_rules
from services.registry.domain.policy import SuspensionPolicy


def spelled_otherwise(
    policies: Mapping[str, SuspensionPolicy], authority: str
) -> SuspensionPolicy | None:
    """The policy whose authority `authority` names only once folded (None: it names one
    as written, or none at all)."""
    if authority in policies:
        return None
    key = scope_key(authority)
    # A handful of policies: folding each is cheaper than keeping an index beside the mapping.
    return next((p for name, p in policies.items() if scope_key(name) == key), None)


def governing_policy(
    policies: Mapping[str, SuspensionPolicy], authority: str, recorded_at: dt.datetime
) -> SuspensionPolicy | None:
    """The policy that governs a sanction of `authority` for an event the log recorded at
    `recorded_at`: the one it names as written, or, from the second rules on, once folded
    (an amendment of a sanction imposed under another spelling before the rule is held to
    its policy's range as any other is)."""
    policy = policies.get(authority)
    if policy is None and judged_by_second_rules(recorded_at):
        return spelled_otherwise(policies, authority)
    return policy


def authority_refusal(
    policies: Mapping[str, SuspensionPolicy], authority: str, recorded_at: dt.datetime
) -> str | None:
    """Why a sanction of `authority`, recorded at `recorded_at`, is refused for how it writes
    its authority; None when it writes it as its policy does, or has no policy."""
    if not judged_by_second_rules(recorded_at):
        return None
    policy = spelled_otherwise(policies, authority)
    if policy is None:
        return None
    return (
        f"payload.authority: {authority!r} names the suspension policy of"
        f" {policy.authority!r}; write it as its policy does: {policy.authority!r}"
    )
