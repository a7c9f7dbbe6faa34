"""What a process judging with suspension policies says it uses (running_settings.py): the
same policies say the same, whatever the file's layout; any change of what they say is
told apart, even under the same version."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from services.registry.domain.policy import policies_fingerprint
from services.registry.policy_loading import load_policies

_PACKAGED = files("services.registry").joinpath("policies", "city-example.toml").read_text()


def _written(tmp_path: Path, text: str) -> str:
    (tmp_path / "city.toml").write_text(text, encoding="utf-8")
    return policies_fingerprint(load_policies(tmp_path))


def test_the_same_policies_laid_out_otherwise_say_the_same(tmp_path: Path) -> None:
    packaged = policies_fingerprint(load_policies())
    assert packaged.startswith("example-1:")
    relaid = "# another comment\n" + _PACKAGED.replace(" = ", "=")
    assert _written(tmp_path, relaid) == packaged


def test_a_range_changed_under_the_same_version_is_told_apart(tmp_path: Path) -> None:
    packaged = policies_fingerprint(load_policies())
    assert "max_months = 9\n" in _PACKAGED
    longer = _written(tmp_path, _PACKAGED.replace("max_months = 9\n", "max_months = 12\n"))
    assert longer != packaged and longer.startswith("example-1:")
