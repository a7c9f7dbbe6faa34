"""The risk model's file (pure): the packaged model and its fingerprint (the weights', not
their layout's), errors that name the key at fault, and files that cannot be read or parsed."""

from __future__ import annotations

import json
import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from services.risk.domain.model import ModelError, RiskModel, load_model


def packaged() -> dict[str, Any]:
    text = (files("services.risk") / "models" / "v1.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    scalars = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        f"\n[{prefix}{k}]\n" + to_toml(v, f"{prefix}{k}.")
        for k, v in data.items()
        if isinstance(v, dict)
    ]
    return "\n".join(scalars) + "".join(tables) + "\n"


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "model.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def test_packaged_model_and_fingerprint(model: RiskModel, tmp_path: Path) -> None:
    assert model.version == "1"
    assert re.fullmatch(r"1:[0-9a-f]{8}", model.fingerprint)
    # Same weights, another layout (no comments, ints spelt as floats): same fingerprint.
    data = packaged()
    data["bands"] = {k: float(v) for k, v in data["bands"].items()}
    assert load_model(write(tmp_path, data)).fingerprint == model.fingerprint
    data["claims"]["cap"] += 1
    assert load_model(write(tmp_path, data)).fingerprint != model.fingerprint


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, key = dotted.split(".")
    for name in parents:
        data = data[name]
    if value is _DELETE:
        del data[key]
    else:
        data[key] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("bands.high", _DELETE, "bands.high: missing (required)"),
        ("incidents.severity_points.critical", _DELETE, "severity_points.critical: missing"),
        ("incidents.half_lif_days", 365, "incidents.half_lif_days: unknown key"),
        ("incidents.kind_multiplier.fire", 1.0, "kind_multiplier.fire: unknown key"),
        ("sanctions.active_points.warning", -1, "active_points.warning: must not be negative"),
        ("claims.cap", "15", "claims.cap: expected a number"),
        ("bands.high", 10, "bands.high: 10 must be greater than medium"),
        ("bands.critical", 40, "bands.critical: 40 must be greater than high"),
        ("bands.critical", 101, "bands.critical: 101 is above 100"),
        ("bands.medium", 0, "bands.medium: must be greater than 0"),
        ("incidents.half_life_days", 0, "incidents.half_life_days: must be at least 1"),
        ("concentration.min_contracts", 2.5, "min_contracts: expected an integer"),
        ("version", "1 beta", "version: '1 beta'"),
        ("inherited", 1.0, "inherited: expected a table"),
        ("claims.yen_per_unit", 150, "claims.yen_per_unit: expected a table"),
        ("claims.yen_per_unit.USD", 0, "yen_per_unit.USD: must be greater than 0"),
        ("claims.yen_per_unit.JPY", 1, "yen_per_unit.JPY: the yen is the unit claims are"),
        ("claims.yen_per_unit.usd", 150, "yen_per_unit.usd: not an ISO 4217 code in use"),
        # Gold is an ISO 4217 code, of no currency of payment (no minor unit).
        (
            "claims.yen_per_unit.XAU",
            9000,
            "yen_per_unit.XAU: not a currency of payment (ISO 4217 gives it no minor unit)",
        ),
    ],
)
def test_model_errors_name_the_key(tmp_path: Path, key: str, value: Any, message: str) -> None:
    data = packaged()
    _set(data, key, value)
    path = write(tmp_path, data)
    with pytest.raises(ModelError, match=re.escape(message)) as raised:
        load_model(path)
    assert str(raised.value).startswith(str(path))


def test_a_model_written_before_the_rates_loads_as_giving_none(
    model: RiskModel, tmp_path: Path
) -> None:
    data = packaged()
    del data["claims"]["yen_per_unit"]
    older = load_model(write(tmp_path, data))
    assert dict(older.claims.yen_per_unit) == {} and older.fingerprint == model.fingerprint


def test_unreadable_model_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("version = \n", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid TOML"):
        load_model(broken)
    with pytest.raises(ModelError, match="cannot be read"):
        load_model(tmp_path / "absent.toml")
