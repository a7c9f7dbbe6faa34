"""Every label and message of the console exists in English and Japanese: the two languages
have the same keys, every key the console's modules name is there, and every value the API
can send where the console shows a label (statuses, kinds, bands, roles, event types, the risk
model's factors, the codes of its refusals) has one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graphql import GraphQLEnumType, build_schema
from services.console import pages
from services.events.catalog import EVENT_TYPES
from services.platform.error_codes import ErrorCode
from services.platform.security.auth import Role
from services.risk.domain.risk_score import FACTOR_NAMES

STATIC = Path(pages.__file__).parent / "static"
MESSAGES: dict[str, dict[str, str]] = json.loads((STATIC / "messages.json").read_text())
SCHEMA = build_schema((Path(__file__).parents[2] / "graphql" / "schema.graphql").read_text())
# Literal keys: t("signin.title"), t("sanction.openEnded", …).
LITERAL_KEY = re.compile(r"""\bt\(\s*"([a-zA-Z.]+)"\s*[,)]""")
# Keys a module names for another to translate: a screen's label (app.js's SCREENS and PAGES,
# which the window's title says too).
LABEL_KEY = re.compile(r'\blabel: "([a-zA-Z.]+)"')
# Labels chosen by a value the API sends: message-key prefix → the schema's enum.
ENUM_LABELS = {
    "status": "ScreeningStatus",
    "sanctionKind": "SanctionKind",
    "nameKind": "NameKind",
    "criticality": "Criticality",
    "band": "RiskBand",
    "migration.status": "MigrationItemStatus",
    "migration.check": "ReadinessCheck",
    "migration.solver": "SolverStatus",
    "migration.trigger": "MigrationTrigger",
    "migration.early": "EarlyCutover",
    "alertChange": "AlertChange",
    "alertWhy": "AlertChange",
    "webhookState": "WebhookDeliveryState",
    "incidentStatus": "IncidentStatus",
    "incidentKind": "IncidentKind",
    "severity": "Severity",
    "leak": "LeakFinding",
    "controlFailure": "ControlFailure",
    "auditOutcome": "AuditOutcome",
    "matchDecision": "MatchDecision",
}


def keys(prefix: str) -> set[str]:
    return {
        key.removeprefix(f"{prefix}.") for key in MESSAGES["en"] if key.startswith(f"{prefix}.")
    }


def test_both_languages_have_every_message() -> None:
    """A message's form for a count of one (`<key>@one`, i18n.translator) is a language's own
    (English says "1 bidder", Japanese needs none): every other key is in both."""
    assert set(MESSAGES) == {"en", "ja"}
    common = {
        language: {k for k in m if not k.endswith("@one")} for language, m in MESSAGES.items()
    }
    assert common["en"] == common["ja"]
    singular = [(language, k) for language, m in MESSAGES.items() for k in m if k.endswith("@one")]
    assert [
        (language, k) for language, k in singular if k.removesuffix("@one") not in common[language]
    ] == []
    empty = [(language, key) for language, m in MESSAGES.items() for key, v in m.items() if not v]
    assert empty == []


def test_every_key_the_modules_name_has_a_message() -> None:
    named = {
        key
        for module in STATIC.glob("*.js")
        for pattern in (LITERAL_KEY, LABEL_KEY)
        for key in pattern.findall(module.read_text())
    }
    assert len(named) > 50  # the pattern still finds the console's keys
    assert named - MESSAGES["en"].keys() == set()


@pytest.mark.parametrize(("prefix", "enum"), ENUM_LABELS.items())
def test_every_value_the_api_sends_has_a_label(prefix: str, enum: str) -> None:
    values = SCHEMA.get_type(enum)
    assert isinstance(values, GraphQLEnumType)
    assert keys(prefix) == set(values.values)


def test_every_role_and_event_type_has_a_label() -> None:
    assert keys("role") == {role.value for role in Role}
    assert keys("event") == set(EVENT_TYPES)


def test_every_factor_of_the_risk_model_has_a_label() -> None:
    assert keys("factor") == set(FACTOR_NAMES)


def test_every_refusal_code_has_its_words() -> None:
    """The API's request codes, those the console gives a refusal by its HTTP status when a
    proxy answers without one (api.js's STATUS_CODES), and its own for no answer at all or
    in time."""
    api = (STATIC / "api.js").read_text()
    by_status = set(re.findall(r'^\s+\d{3}: "([A-Z_]+)",$', api, re.M))
    assert {"RATE_LIMITED", "UNAVAILABLE"} <= by_status  # the pattern still reads the table
    no_answer = set(re.findall(r'^export const NO_ANSWER\w* = "([A-Z_]+)";$', api, re.M))
    assert len(no_answer) == 2  # none at all, none in time
    upper_case = {code for code in keys("apiError") if code.isupper()}
    assert upper_case == {code.value for code in ErrorCode} | by_status | no_answer


@pytest.mark.parametrize(
    "code",
    [
        "unknown_contract",
        "unknown_subcontract",
        "unknown_incident",
        "unknown_claim",
        "unknown_alert",
    ],
)
def test_a_record_not_on_record_is_said_alike_to_every_caller(code: str) -> None:
    """The receipt refuses a record the vendor does not have under these codes to an admin,
    an officer or an authority (registry/reads/unknown_records.py) as to a system owner
    (record_scope.out_of_view, whose message says "of your agencies"); an alert no one has,
    or one of another agency's, is refused alike to an officer or an admin, who see every
    agency's alerts (alerts/graphql_types.acknowledge_alert): their words name no agencies,
    which only a system owner has. They had said "of your agencies" to everyone."""
    for language, agencies in (("en", "agencies"), ("ja", "担当機関")):
        assert agencies not in MESSAGES[language][f"apiError.{code}"]
