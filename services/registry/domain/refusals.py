"""A registry rule's refusal as each of its two readers says it (pure): the registry's handlers
dead-letter the event with the reason, the API's receipt tells the field, the same words and a
code, for clients that say it in their user's language (contract_rules.py, record_steps.py,
reference_rules.py)."""

from __future__ import annotations

from services.events.catalog import Problem

# The receipt's code, and the registry's reason: "payload.<field>: <words>".
Refusal = tuple[str, str]


def reason(refusal: Refusal | None) -> str | None:
    """A rule's reason, without the code the receipt gives it."""
    return None if refusal is None else refusal[1]


def coded(code: str, reason: str | None) -> Refusal | None:
    """The reason of a rule that says only why (one the batch asks too, record_dates'), with
    the code the receipt gives it."""
    return None if reason is None else (code, reason)


def problem(refusal: Refusal | None) -> Problem | None:
    """A rule's refusal as the receipt's field error: the reason's field, its words, its code."""
    if refusal is None:
        return None
    code, said = refusal
    field, _, words = said.partition(": ")
    return Problem(field, words, code)
