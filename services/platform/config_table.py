"""Validating a configuration file read from TOML, with errors naming the file and the key.

The suspension policies (registry/policy_loading.py) and the risk model (risk/domain/model.py) are
both versioned TOML files that are checked when loaded: missing, mistyped or unknown keys
are refused with a message such as ``policies/x.toml: grounds.fraud.min_months: expected an
integer, got 'six'``. The reading and the messages were the same in both, so they live here
once. Each caller keeps its own exception type: it is given to the table
(``ConfigTable(source, data, error=PolicyError)``) and every nested table inherits it.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from typing import Any


def read_toml(file: Traversable, source: str, *, error: type[Exception]) -> dict[str, Any]:
    """The parsed document; text that is not UTF-8 or not TOML raises ``error``.

    Errors of reading (``OSError``) pass through, for the caller to word.
    """
    try:
        return tomllib.loads(file.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{source}: not UTF-8 text ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from exc


class ConfigTable:
    """A TOML table being validated: typed reads with errors naming the file and the key.

    Every key read is remembered, so that `no_unknown_keys` can refuse the others.
    """

    def __init__(
        self,
        source: str,
        data: Mapping[str, Any],
        *,
        error: type[Exception],
        prefix: str = "",
    ) -> None:
        self.source = source
        self.data = data
        self.error_type = error
        self.prefix = prefix
        self.read: set[str] = set()

    def error(self, key: str, message: str) -> Exception:
        """The error to raise about `key` (of the caller's exception type)."""
        return self.error_type(f"{self.source}: {self.prefix}{key}: {message}")

    def _get(self, key: str, required: bool = True) -> Any:
        self.read.add(key)
        if key not in self.data:
            if required:
                raise self.error(key, "missing (required)")
            return None
        return self.data[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return value

    def number(self, key: str, *, positive: bool = False) -> float:
        """An integer or decimal, never negative (or, if `positive`, above 0)."""
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise self.error(key, f"must be a finite number, got {value!r}")
        if value < 0:
            raise self.error(key, f"must not be negative, got {value}")
        if positive and value == 0:
            raise self.error(key, "must be greater than 0, got 0")
        return float(value)

    def integer(self, key: str, minimum: int) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected an integer, got {value!r}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        """An optional true or false: `default` when the key is absent."""
        value = self._get(key, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def table(self, key: str) -> ConfigTable:
        """A nested table; its errors name the full key path and use the same error type."""
        value = self._get(key)
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {value!r}")
        return ConfigTable(self.source, value, error=self.error_type, prefix=f"{self.prefix}{key}.")

    def no_unknown_keys(self) -> None:
        """Refuse the keys that were not read: they are unknown (often misspelt)."""
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            allowed = ", ".join(sorted(self.read))
            raise self.error(unknown[0], f"unknown key (allowed here: {allowed})")
