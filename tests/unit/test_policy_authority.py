"""A sanction's authority written otherwise than its suspension policy writes it (case,
width, inner spaces; from the fourth rules on punctuation and symbols too) is refused from the
rule's instant on, saying how the policy writes it, and an amendment is held to the policy it
names so; before the instant both passed (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.events.sanction import SanctionAmended, SanctionImposed, SanctionKind
from services.platform.eventstore.later_rules import FOURTH_RULES_FROM, SECOND_RULES_FROM
from services.registry.domain.imposition_rules import SanctionHeader, change_refusal
from services.registry.domain.imposition_rules import imposition_refusal as refusal
from services.registry.domain.policy_authority import authority_refusal
from services.registry.policy_loading import load_policies

POLICIES = load_policies()
CITY = "City procurement office"
BEFORE = SECOND_RULES_FROM - dt.timedelta(seconds=1)
# 36 months for a breach of contract, not serious: the policy gives 1–9.
LONG = SanctionImposed(
    sanction_id="s-1",
    kind=SanctionKind.BID_SUSPENSION,
    authority=CITY,
    decided_on=dt.date(2022, 7, 8),
    starts_on=dt.date(2022, 7, 9),
    duration_months=36,
    grounds=["breach_of_contract"],
)


@pytest.mark.parametrize(
    "authority",
    [
        "City Procurement Office",
        "ＣＩＴＹ procurement office",
        "City  procurement\u3000office",
        "City\u3000procurement\u3000office",
    ],
)
def test_another_spelling_of_a_policys_authority_is_refused(authority: str) -> None:
    imposed = LONG.model_copy(update={"authority": authority})
    said = refusal(POLICIES, "v", imposed, SECOND_RULES_FROM, registered=True, taken=False)
    # Quoted as typed, its ideographic spaces included: they were said as "\u3000" escapes
    # (a tester's finding).
    assert said == (
        f"payload.authority: '{authority}' names the suspension policy of '{CITY}';"
        f" write it as its policy does: '{CITY}'"
    )
    # Within the range too: the authority is one authority whatever the period.
    short = imposed.model_copy(update={"duration_months": 3})
    assert refusal(POLICIES, "v", short, SECOND_RULES_FROM, registered=True, taken=False) == said


def test_the_policys_spelling_is_judged_by_its_range() -> None:
    said = refusal(POLICIES, "v", LONG, SECOND_RULES_FROM, registered=True, taken=False)
    assert said is not None and "36 months is outside" in said


def test_an_authority_without_a_policy_passes() -> None:
    assert authority_refusal(POLICIES, "Prefectural police", SECOND_RULES_FROM) is None
    other = LONG.model_copy(update={"authority": "Prefectural police"})
    assert refusal(POLICIES, "v", other, SECOND_RULES_FROM, registered=True, taken=False) is None


def test_impositions_recorded_before_the_rule_are_judged_as_they_were() -> None:
    # Live processing applied it: a rebuild refusing it would lift what risk counted.
    imposed = LONG.model_copy(update={"authority": "City Procurement Office"})
    assert refusal(POLICIES, "v", imposed, BEFORE, registered=True, taken=False) is None


def _held_from(authority: str, rule_from: dt.datetime, before: dt.datetime) -> None:
    """A 48-month amendment of a sanction imposed under `authority` is held to the city's
    policy when recorded from `rule_from`, and passes when recorded at `before`."""
    header = SanctionHeader(
        "v", LONG.decided_on, LONG.starts_on, authority, tuple(LONG.grounds), False
    )
    longer = SanctionAmended(
        sanction_id="s-1", effective_on=dt.date(2023, 1, 1), duration_months=48, reason="r"
    )
    said = change_refusal(POLICIES, "v", longer, header, rule_from)
    assert said is not None and f"48 months is outside {CITY}'s range" in said
    assert change_refusal(POLICIES, "v", longer, header, before) is None


def test_an_amendment_of_a_sanction_spelled_otherwise_is_held_to_its_policy() -> None:
    # Imposed under another spelling before the rule, so never checked: its amendments are.
    _held_from("City Procurement Office", SECOND_RULES_FROM, BEFORE)


# Found by exploratory testing: each escaped the policy, 24 months accepted where it gives 1–9.
PUNCTUATED = ["City procurement office.", "City procurement-office", "City-Procurement-Office!"]


@pytest.mark.parametrize("authority", PUNCTUATED)
def test_punctuation_does_not_make_another_authority(authority: str) -> None:
    imposed = LONG.model_copy(update={"authority": authority})
    said = refusal(POLICIES, "v", imposed, FOURTH_RULES_FROM, registered=True, taken=False)
    assert said == (
        f"payload.authority: '{authority}' names the suspension policy of '{CITY}';"
        f" write it as its policy does: '{CITY}'"
    )
    # Recorded before the rule, it was applied: a rebuild applies it again.
    before = FOURTH_RULES_FROM - dt.timedelta(microseconds=1)
    assert refusal(POLICIES, "v", imposed, before, registered=True, taken=False) is None


@pytest.mark.parametrize("authority", ["City procurement offices", "市 procurement office"])
def test_another_word_names_another_authority(authority: str) -> None:
    # No folding tells a slip from another office: it has no policy, and its period passes.
    imposed = LONG.model_copy(update={"authority": authority})
    assert refusal(POLICIES, "v", imposed, FOURTH_RULES_FROM, registered=True, taken=False) is None


def test_an_amendment_of_a_punctuated_authority_is_held_to_its_policy_from_the_rule() -> None:
    before = FOURTH_RULES_FROM - dt.timedelta(microseconds=1)
    _held_from("City procurement office.", FOURTH_RULES_FROM, before)
