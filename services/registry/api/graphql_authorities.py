"""The sanction authorities a client can choose from: those with a suspension policy (its
grounds and their ranges, `policy.py`) and those already named by a recorded sanction, so that
a form offers choices instead of free text. An authority on neither list may still impose a
sanction (the API checks a period against a policy only when the authority has one), but not
one that writes a policy's authority otherwise (`domain/policy_authority.py`): each policy's
authority is listed once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import strawberry

from services.platform.graphql.context import Info
from services.registry.api.graphql_context import POLICIES
from services.registry.domain.policy import GroundRange, Proposal, SuspensionPolicy
from services.registry.storage import sanction_repository


@strawberry.type(description="A ground of a suspension policy and its normal range of months.")
class PolicyGround:
    code: str = strawberry.field(
        description="The ground's code, as given in `grounds` of proposeSuspension and of a"
        " sanction, e.g. breach_of_contract."
    )
    label_ja: str = strawberry.field(description="The ground's name in Japanese.")
    label_en: str = strawberry.field(description="The ground's name in English.")
    min_months: int = strawberry.field(
        description="Shortest normal period, in calendar months (before aggravation)."
    )
    max_months: int = strawberry.field(
        description="Longest normal period, in calendar months (before aggravation)."
    )

    @classmethod
    def of(cls, ground: GroundRange) -> PolicyGround:
        return cls(
            code=ground.ground,
            label_ja=ground.label_ja,
            label_en=ground.label_en,
            min_months=ground.min_months,
            max_months=ground.max_months,
        )


@strawberry.type(description="An authority's suspension policy (措置要領), as the API applies it.")
class SuspensionPolicyRules:
    version: str = strawberry.field(description="The policy's version, as its file names it.")
    description: str = strawberry.field(description="What the policy is, in its own words.")
    days_after_decision: int = strawberry.field(
        description="Days from the decision to a suspension's first day (0: the decision day)."
    )
    aggravation_factor: int = strawberry.field(
        description="What a serious case's range is multiplied by."
    )
    aggravation_scales_min: bool = strawberry.field(
        description="True when aggravation multiplies the shortest period too, not only the"
        " longest."
    )
    grounds: list[PolicyGround] = strawberry.field(
        description="The policy's grounds, in the order the policy lists them."
    )

    @classmethod
    def of(cls, policy: SuspensionPolicy) -> SuspensionPolicyRules:
        return cls(
            version=policy.version,
            description=policy.description,
            days_after_decision=policy.days_after_decision,
            aggravation_factor=policy.aggravation_factor,
            aggravation_scales_min=policy.aggravation_scales_min,
            grounds=[PolicyGround.of(g) for g in policy.grounds.values()],
        )


@strawberry.type(description="An authority that imposes sanctions, with its policy if it has one.")
class SanctionAuthority:
    name: str = strawberry.field(
        description="The authority, as a sanction's `authority` and proposeSuspension's"
        " `authority` name it."
    )
    policy: SuspensionPolicyRules | None = strawberry.field(
        description="Its suspension policy; null when it has none (its periods are not"
        " checked against a range)."
    )
    sanctions_recorded: int = strawberry.field(
        description="How many sanctions on record it imposed (0: only its policy is known)."
    )


def authorities(
    policies: Mapping[str, SuspensionPolicy], recorded: Mapping[str, int]
) -> list[SanctionAuthority]:
    """Every authority with a policy or a recorded sanction, by name."""
    return [
        SanctionAuthority(
            name=name,
            policy=SuspensionPolicyRules.of(policies[name]) if name in policies else None,
            sanctions_recorded=recorded.get(name, 0),
        )
        for name in sorted(policies.keys() | recorded.keys())
    ]


@strawberry.type
class AuthoritiesQuery:
    @strawberry.field(
        description="The sanction authorities: each with a suspension policy (its grounds and"
        " ranges, what proposeSuspension applies) or named by a recorded sanction, by name."
        " A sanction may name an authority not listed here, but one with a policy only as"
        " the policy writes it (`authority_spelling`: not in another case, width, spacing,"
        " punctuation or symbols, nor with hiragana for katakana, small kana for large, or"
        " legal-form words such as Co., Ltd., Company or 株式会社 added or dropped, which"
        " vendor-name matching ignores too); another letter or word names another authority,"
        " with no policy."
    )
    async def sanction_authorities(self, info: Info) -> list[SanctionAuthority]:
        async with info.context.pool.acquire() as conn:
            recorded = await sanction_repository.authorities_recorded(conn)
        return authorities(info.context.part(POLICIES), recorded)


@strawberry.type(description="The period a suspension policy proposes for a decision.")
class SuspensionProposal:
    authority: str = strawberry.field(description="The authority whose policy was applied.")
    starts_on: dt.date = strawberry.field(
        description="First day the suspension would apply: the decision day plus the policy's"
        " days after a decision."
    )
    min_months: int = strawberry.field(
        description="Shortest period the policy allows, in calendar months."
    )
    max_months: int = strawberry.field(
        description="Longest period the policy allows, in calendar months."
    )
    earliest_last_day: dt.date = strawberry.field(
        description="Last day (inclusive) of the shortest period."
    )
    latest_last_day: dt.date = strawberry.field(
        description="Last day (inclusive) of the longest period."
    )
    governing_ground: str = strawberry.field(description="The ground whose range applies.")
    serious: bool = strawberry.field(description="Whether the case was judged serious.")
    aggravation_factor: int = strawberry.field(
        description="The factor applied to the range for a serious case (1 when not serious)."
    )

    @classmethod
    def of(cls, authority: str, proposal: Proposal) -> SuspensionProposal:
        return cls(
            authority=authority,
            starts_on=proposal.starts_on,
            min_months=proposal.min_months,
            max_months=proposal.max_months,
            earliest_last_day=proposal.earliest_last_day,
            latest_last_day=proposal.latest_last_day,
            governing_ground=proposal.governing_ground,
            serious=proposal.serious,
            aggravation_factor=proposal.aggravation_factor,
        )
