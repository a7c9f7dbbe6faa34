"""Settings from the environment (pydantic-settings): what a command passes wins, an empty
variable counts as unset, and a bad value is one clear line naming its variable."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.platform.errors import StartupError
from services.platform.settings import Settings, configured_data_dir


def test_the_environment_fills_in_what_is_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENDORWATCH_TIMEZONE", "UTC")
    monkeypatch.setenv("VENDORWATCH_RISK_MODEL", "/models/v2.toml")
    monkeypatch.setenv("VENDORWATCH_POLICY_DIR", "")
    monkeypatch.setenv("VENDORWATCH_KAFKA_REPLICATION_FACTOR", "3")
    settings = Settings(database_url="postgresql:///given")
    assert settings.timezone == ZoneInfo("UTC")
    assert settings.risk_model == Path("/models/v2.toml")
    assert settings.policy_dir is None
    assert settings.kafka_replication_factor == 3
    assert Settings(database_url="postgresql:///given", risk_model=None).risk_model is None


def test_defaults_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TIMEZONE", "POLICY_DIR", "RISK_MODEL", "KAFKA_REPLICATION_FACTOR", "DATA_DIR"):
        monkeypatch.delenv(f"VENDORWATCH_{name}", raising=False)
    settings = Settings(database_url="postgresql:///given")
    assert settings.timezone == ZoneInfo("Asia/Tokyo")
    assert (settings.policy_dir, settings.risk_model, settings.kafka_replication_factor) == (
        None,
        None,
        1,
    )
    assert configured_data_dir() is None
    monkeypatch.setenv("VENDORWATCH_DATA_DIR", "/srv/vendorwatch")
    assert configured_data_dir() == Path("/srv/vendorwatch")


def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENDORWATCH_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("VENDORWATCH_KAFKA_REPLICATION_FACTOR", "0")
    with pytest.raises(StartupError) as refused:
        Settings(database_url="postgresql:///given")
    message = str(refused.value)
    assert message.startswith("invalid setting: VENDORWATCH_TIMEZONE: invalid timezone")
    assert "VENDORWATCH_KAFKA_REPLICATION_FACTOR: Input should be greater than or equal to 1" in (
        message
    )


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("{'市民課': 'https://x'}", "Expecting property name enclosed in double quotes"),
        ("not-json", "Expecting value: line 1 column 1"),
    ],
)
def test_a_json_variable_that_is_not_json_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, why: str
) -> None:
    """pydantic-settings refuses a JSON object's variable it cannot parse before validating it:
    the refusal is the same one line, naming the variable and where the JSON went wrong."""
    monkeypatch.setenv("VENDORWATCH_ALERT_WEBHOOKS", value)
    with pytest.raises(StartupError) as refused:
        Settings(database_url="postgresql:///given")
    message = str(refused.value)
    assert message.startswith("invalid setting: VENDORWATCH_ALERT_WEBHOOKS: not valid JSON (")
    assert why in message


@pytest.mark.parametrize(
    ("first", "longest"),
    [
        ("VENDORWATCH_ALERT_RETRY_FIRST_SECONDS", "VENDORWATCH_ALERT_RETRY_MAX_SECONDS"),
        ("VENDORWATCH_RETRY_FIRST_SECONDS", "VENDORWATCH_RETRY_MAX_SECONDS"),
    ],
)
def test_a_back_off_whose_longest_wait_is_below_its_first_is_refused(
    monkeypatch: pytest.MonkeyPatch, first: str, longest: str
) -> None:
    """A maximum below the first wait capped every wait at it, the first included (alert
    deliveries retried every 2 s where the first wait asked for was 5 s), in silence: the
    start refuses it, naming both variables and what each holds."""
    monkeypatch.setenv(first, "5")
    monkeypatch.setenv(longest, "2")
    with pytest.raises(StartupError) as refused:
        Settings(database_url="postgresql:///given")
    assert str(refused.value) == (
        f"invalid setting: {longest}: 2 is below {first} (5); the longest wait must be at least"
        " the first"
    )
    monkeypatch.setenv(longest, "5")
    Settings(database_url="postgresql:///given")  # as long as the first: each wait is it


@pytest.mark.parametrize("value", ["disabled", "maybe", "none", "of"])
@pytest.mark.parametrize(
    "variable", ["VENDORWATCH_GRAPHQL_INTROSPECTION", "VENDORWATCH_ACCESS_LOG"]
)
def test_a_switch_set_to_a_word_it_does_not_know_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """VENDORWATCH_GRAPHQL_INTROSPECTION=disabled (any word but off/false/0/no) left the
    schema open to introspection, in silence, where production meant it closed."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(StartupError) as refused:
        Settings(database_url="postgresql:///given")
    assert str(refused.value) == (
        f"invalid setting: {variable}: must be on or off (or true/false, yes/no, 1/0),"
        f" not {value!r}"
    )


@pytest.mark.parametrize(
    ("value", "introspection"),
    [("off", False), ("OFF", False), ("false", False), ("0", False), ("no", False), ("on", True)],
)
def test_introspection_is_switched_by_its_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, introspection: bool
) -> None:
    monkeypatch.setenv("VENDORWATCH_GRAPHQL_INTROSPECTION", value)
    assert Settings(database_url="postgresql:///given").graphql_introspection is introspection
    monkeypatch.delenv("VENDORWATCH_GRAPHQL_INTROSPECTION")
    assert Settings(database_url="postgresql:///given").graphql_introspection is True


def test_the_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    """None by default: the API records the connection's address (services/cli/serving.py)."""
    monkeypatch.delenv("VENDORWATCH_FORWARDED_ALLOW_IPS", raising=False)
    assert Settings(database_url="postgresql:///given").forwarded_allow_ips == ()
    monkeypatch.setenv("VENDORWATCH_FORWARDED_ALLOW_IPS", " 172.30.0.10, 10.0.0.0/8,::1")
    settings = Settings(database_url="postgresql:///given")
    assert settings.forwarded_allow_ips == ("172.30.0.10", "10.0.0.0/8", "::1")
    variable = "VENDORWATCH_FORWARDED_ALLOW_IPS"
    for value, said in [
        ("*", "'*' would believe any client's X-Forwarded-For; name the proxy's addresses"),
        ("api-gateway", "'api-gateway' is not an IP address or network"),
        ("10.0.0.1/8", "'10.0.0.1/8' is not an IP address or network"),
        ("10.0.0.1,,10.0.0.2", "an empty entry; separate addresses or networks with single"),
    ]:
        monkeypatch.setenv(variable, value)
        with pytest.raises(StartupError) as refused:
            Settings(database_url="postgresql:///given")
        assert str(refused.value).startswith(f"invalid setting: {variable}: {said}")
