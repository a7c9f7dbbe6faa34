"""The registry's parts, configured from the settings (policies loaded once, at start)."""

from __future__ import annotations

from collections.abc import Mapping

from services.platform.consuming.consumer import Consumer
from services.platform.consuming.running_settings import zone_used
from services.platform.errors import StartupError
from services.platform.settings import Settings
from services.registry.domain.policy import PolicyError, SuspensionPolicy, policies_fingerprint
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies


def policies(settings: Settings) -> Mapping[str, SuspensionPolicy]:
    try:
        return load_policies(settings.policy_dir)
    except PolicyError as error:
        raise StartupError(f"suspension policies (VENDORWATCH_POLICY_DIR): {error}") from error


def consumer(settings: Settings, loaded: Mapping[str, SuspensionPolicy]) -> Consumer:
    return registry_consumer(settings.clock, loaded)


# What a process judging with `policies` says it uses (running_settings.py).
POLICIES = "suspension policies"


def used(settings: Settings, loaded: Mapping[str, SuspensionPolicy]) -> dict[str, str]:
    """What the registry judges with, by fingerprint: its policies and its time zone."""
    return {POLICIES: policies_fingerprint(loaded), **zone_used(settings)}
