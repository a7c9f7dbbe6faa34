"""Reading suspension policy files (TOML): validated, with errors naming the file and key.

The format is documented in ``policies/city-example.toml``; the rules that use a policy are
in policy.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from services.platform.config_table import ConfigTable, read_toml
from services.registry.domain.policy import GroundRange, PolicyError, SuspensionPolicy
from services.registry.domain.policy_authority import same_authority

# The same shape as the sanction events' GroundCode.
_GROUND_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def _parse_ground(table: ConfigTable, ground: str) -> GroundRange:
    label = table.table("label")
    label_ja, label_en = label.text("ja"), label.text("en")
    label.no_unknown_keys()
    min_months = table.integer("min_months", 1)
    max_months = table.integer("max_months", 1)
    if min_months > max_months:
        raise table.error("min_months", f"{min_months} is greater than max_months {max_months}")
    table.no_unknown_keys()
    return GroundRange(ground, label_ja, label_en, min_months, max_months)


def parse_policy(data: Mapping[str, Any], source: str) -> SuspensionPolicy:
    """A policy from a parsed TOML document; errors name ``source`` and the key."""
    top = ConfigTable(source, data, error=PolicyError)
    authority = top.text("authority")
    version = top.text("version")
    description = top.text("description")
    factor = top.integer("aggravation_factor", 1)
    scales_min = top.boolean("aggravation_scales_min", True)
    start = top.table("start")
    days_after = start.integer("days_after_decision", 0)
    start.no_unknown_keys()
    grounds_table = top.table("grounds")
    if not grounds_table.data:
        raise top.error("grounds", "at least one ground is needed")
    grounds: dict[str, GroundRange] = {}
    for ground in grounds_table.data:
        if not _GROUND_ID.match(ground):
            raise grounds_table.error(
                ground, "a ground id is a lowercase identifier (a-z, 0-9, _; 2 to 64 characters)"
            )
        grounds[ground] = _parse_ground(grounds_table.table(ground), ground)
    top.no_unknown_keys()
    return SuspensionPolicy(
        authority=authority,
        version=version,
        description=description,
        days_after_decision=days_after,
        aggravation_factor=factor,
        aggravation_scales_min=scales_min,
        grounds=MappingProxyType(grounds),
    )


def _parse_file(file: Traversable, source: str) -> SuspensionPolicy:
    return parse_policy(read_toml(file, source, error=PolicyError), source)


def load_policy_file(path: Path) -> SuspensionPolicy:
    """Read and validate one policy file."""
    try:
        return _parse_file(path, str(path))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot be read: {exc}") from exc


def _packaged_policies() -> Traversable:
    return files("services.registry").joinpath("policies")


def load_policies(directory: Path | None = None) -> dict[str, SuspensionPolicy]:
    """Every ``*.toml`` policy in ``directory`` (default: the packaged ones), by authority."""
    folder: Traversable = _packaged_policies() if directory is None else directory
    if not folder.is_dir():
        raise PolicyError(f"{folder}: the policy directory does not exist")
    policies: dict[str, SuspensionPolicy] = {}
    sources: dict[str, str] = {}  # by authority as written: its spellings name one policy
    entries = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml") and entry.is_file()),
        key=lambda entry: entry.name,
    )
    for entry in entries:
        source = str(entry)
        try:
            policy = _parse_file(entry, source)
        except OSError as exc:
            raise PolicyError(f"{source}: cannot be read: {exc}") from exc
        # "City IT" and "city it." are one authority (policy_authority.py), so two policies
        # written so would leave a sanction of either spelling to the other's range. A
        # handful of files: each is compared with those before it.
        twin = next((a for a in sources if same_authority(a, policy.authority)), None)
        if twin is not None:
            raise PolicyError(
                f"{source}: authority: {policy.authority!r} is already defined by "
                f"{sources[twin]}; one policy per authority (names that differ only in case,"
                " width, spaces, punctuation, symbols, kana or legal-form words are one)"
            )
        policies[policy.authority] = policy
        sources[policy.authority] = source
    if not policies:
        raise PolicyError(f"{folder}: no *.toml policy files in the policy directory")
    return policies
