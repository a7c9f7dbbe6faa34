"""The risk model: the weights of the scoring, from a versioned TOML file (pure but for reading).

The file format, and what every weight does, is documented in ``models/v1.toml``; the
scoring that applies a model is in scoring.py. A model is validated when loaded: missing or
unknown keys, negative weights and bands out of order are refused with an error naming the
file and the key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from services.events.currencies import not_payable
from services.events.incident import IncidentKind, LeakFinding, Severity
from services.events.sanction import SanctionKind
from services.platform.config_table import ConfigTable, read_toml
from services.risk.domain.money import YEN

PACKAGED_MODEL = "v1.toml"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_E = TypeVar("_E", bound=StrEnum)


class ModelError(ValueError):
    """A risk model file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Bands:
    """Lower bounds of the bands above low: 0 < medium < high < critical <= 100."""

    medium: float
    high: float
    critical: float


@dataclass(frozen=True)
class IncidentWeights:
    half_life_days: int
    closed_multiplier: float
    severity_points: Mapping[Severity, float]
    kind_multiplier: Mapping[IncidentKind, float]
    leak_multiplier: Mapping[LeakFinding, float]


@dataclass(frozen=True)
class SanctionWeights:
    recent_days: int
    active_points: Mapping[SanctionKind, float]
    recent_points: Mapping[SanctionKind, float]


@dataclass(frozen=True)
class SubcontractingWeights:
    per_unapproved_finding: float
    per_unapproved_subcontract: float
    approval_grace_days: int
    per_chain_level: float


@dataclass(frozen=True)
class ComplianceWeights:
    per_missing_erasure: float
    per_missing_disposal: float
    per_missing_fitness: float


@dataclass(frozen=True)
class ClaimWeights:
    per_pending_claim: float
    per_100m_yen: float
    cap: float
    # Yen per unit of a currency (a dollar, not a cent): a claim in a currency without one
    # counts its base points only (claim_factors.py).
    yen_per_unit: Mapping[str, float]


@dataclass(frozen=True)
class ConcentrationWeights:
    points: float
    min_contracts: int


@dataclass(frozen=True)
class InheritedWeights:
    multiplier: float


@dataclass(frozen=True)
class RiskModel:
    """One version of the scoring model; `fingerprint` identifies its exact weights."""

    version: str
    announce_min_step: float
    bands: Bands
    incidents: IncidentWeights
    sanctions: SanctionWeights
    subcontracting: SubcontractingWeights
    compliance: ComplianceWeights
    claims: ClaimWeights
    concentration: ConcentrationWeights
    inherited: InheritedWeights
    fingerprint: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", _fingerprint(self))


def model_fingerprint(model: RiskModel) -> str:
    """``"<version>:<8 hex digits>"``: the version and a hash of the normalised weights.

    Equal weights give equal fingerprints whatever the file's layout, comments, key order or
    number spelling (20 and 20.0); any change of a weight changes it.
    """
    return model.fingerprint


# Weights added to the model after scores were recorded under it, with the value that leaves
# a model as it stood before (an empty table of rates: no currency weighed): a model giving
# that value keeps the fingerprint its scores already name.
_ADDED_LATER: dict[str, object] = {"yen_per_unit": {}}
_NOT_ADDED = object()


def _plain(value: Any) -> Any:
    """The normalised content: dicts, strings and floats only (every number as a float)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(found)
            for f in dataclasses.fields(value)
            if f.name != "fingerprint"
            and (found := getattr(value, f.name)) != _ADDED_LATER.get(f.name, _NOT_ADDED)
        }
    if isinstance(value, Mapping):
        return {str(_plain(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    raise TypeError(f"unexpected value in a risk model: {value!r}")


def _fingerprint(model: RiskModel) -> str:
    canonical = json.dumps(_plain(model), sort_keys=True, separators=(",", ":"))
    return f"{model.version}:{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"


def _weights(table: ConfigTable, key: str, enum: type[_E]) -> Mapping[_E, float]:
    """A table with one weight per member of `enum`, and nothing else."""
    weights_table = table.table(key)
    weights = {member: weights_table.number(member.value) for member in enum}
    weights_table.no_unknown_keys()
    return MappingProxyType(weights)


def _bands(table: ConfigTable) -> Bands:
    bands = Bands(
        medium=table.number("medium", positive=True),
        high=table.number("high"),
        critical=table.number("critical"),
    )
    table.no_unknown_keys()
    if not bands.medium < bands.high:
        raise table.error("high", f"{bands.high:g} must be greater than medium {bands.medium:g}")
    if not bands.high < bands.critical:
        raise table.error(
            "critical", f"{bands.critical:g} must be greater than high {bands.high:g}"
        )
    if bands.critical > 100:
        raise table.error("critical", f"{bands.critical:g} is above 100, the highest score")
    return bands


def _incidents(table: ConfigTable) -> IncidentWeights:
    weights = IncidentWeights(
        half_life_days=table.integer("half_life_days", 1),
        closed_multiplier=table.number("closed_multiplier"),
        severity_points=_weights(table, "severity_points", Severity),
        kind_multiplier=_weights(table, "kind_multiplier", IncidentKind),
        leak_multiplier=_weights(table, "leak_multiplier", LeakFinding),
    )
    table.no_unknown_keys()
    return weights


def _sanctions(table: ConfigTable) -> SanctionWeights:
    weights = SanctionWeights(
        recent_days=table.integer("recent_days", 0),
        active_points=_weights(table, "active_points", SanctionKind),
        recent_points=_weights(table, "recent_points", SanctionKind),
    )
    table.no_unknown_keys()
    return weights


def _subcontracting(table: ConfigTable) -> SubcontractingWeights:
    weights = SubcontractingWeights(
        per_unapproved_finding=table.number("per_unapproved_finding"),
        per_unapproved_subcontract=table.number("per_unapproved_subcontract"),
        approval_grace_days=table.integer("approval_grace_days", 0),
        per_chain_level=table.number("per_chain_level"),
    )
    table.no_unknown_keys()
    return weights


def _compliance(table: ConfigTable) -> ComplianceWeights:
    weights = ComplianceWeights(
        per_missing_erasure=table.number("per_missing_erasure"),
        per_missing_disposal=table.number("per_missing_disposal"),
        per_missing_fitness=table.number("per_missing_fitness"),
    )
    table.no_unknown_keys()
    return weights


def _claims(table: ConfigTable) -> ClaimWeights:
    weights = ClaimWeights(
        per_pending_claim=table.number("per_pending_claim"),
        per_100m_yen=table.number("per_100m_yen"),
        cap=table.number("cap"),
        yen_per_unit=_rates(table),
    )
    table.no_unknown_keys()
    return weights


def _rates(claims: ConfigTable) -> Mapping[str, float]:
    """Yen per unit of each currency given: ISO 4217 codes of currencies of payment, the yen
    itself left out (it is the unit the weights count in). The one table a model may leave
    out: a model written before it existed gives no rate, and still loads."""
    if "yen_per_unit" not in claims.data:
        return MappingProxyType({})
    table = claims.table("yen_per_unit")
    for code in table.data:
        if code == YEN:
            raise table.error(code, "the yen is the unit claims are weighed in: give no rate")
        if (why := not_payable(code)) is not None:
            raise table.error(code, f"{why}: give rates of currencies such as USD, in capitals")
    return MappingProxyType({code: table.number(code, positive=True) for code in table.data})


def _concentration(table: ConfigTable) -> ConcentrationWeights:
    weights = ConcentrationWeights(
        points=table.number("points"), min_contracts=table.integer("min_contracts", 1)
    )
    table.no_unknown_keys()
    return weights


def _inherited(table: ConfigTable) -> InheritedWeights:
    weights = InheritedWeights(multiplier=table.number("multiplier"))
    table.no_unknown_keys()
    return weights


def parse_model(data: Mapping[str, Any], source: str) -> RiskModel:
    """A model from a parsed TOML document; errors name ``source`` and the key."""
    top = ConfigTable(source, data, error=ModelError)
    version = top.text("version")
    if not _VERSION.match(version):
        raise top.error(
            "version", f"{version!r}: use 1 to 32 letters, digits, '.', '_' or '-' (e.g. \"2\")"
        )
    model = RiskModel(
        version=version,
        announce_min_step=top.number("announce_min_step", positive=True),
        bands=_bands(top.table("bands")),
        incidents=_incidents(top.table("incidents")),
        sanctions=_sanctions(top.table("sanctions")),
        subcontracting=_subcontracting(top.table("subcontracting")),
        compliance=_compliance(top.table("compliance")),
        claims=_claims(top.table("claims")),
        concentration=_concentration(top.table("concentration")),
        inherited=_inherited(top.table("inherited")),
    )
    top.no_unknown_keys()
    return model


def _parse_file(file: Traversable, source: str) -> RiskModel:
    return parse_model(read_toml(file, source, error=ModelError), source)


def load_model(path: Path | None = None) -> RiskModel:
    """Read and validate a model file; by default the packaged ``models/v1.toml``."""
    if path is None:
        packaged = files("services.risk") / "models" / PACKAGED_MODEL
        return _parse_file(packaged, f"services/risk/models/{PACKAGED_MODEL}")
    try:
        return _parse_file(path, str(path))
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read: {exc}") from exc
