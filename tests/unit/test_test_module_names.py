"""The test folders are not packages, so pytest imports each test file by its bare name: two
files of one name in different folders cannot both be collected in one run (`pytest tests`,
or the test command's run of unit, integration and end-to-end tests), and the second is
reported as an error instead of run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_module_has_a_name_of_its_own() -> None:
    names = Counter(
        path.name for path in TESTS.rglob("test_*.py") if "node_modules" not in path.parts
    )
    assert [name for name, count in names.items() if count > 1] == []
