"""What the registry's fields read from the request context: the authorities' suspension
policies, the process's vendor-name index and the pool of its keyed look-ups (all set up at
start-up)."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from services.platform.graphql.context import ContextKey
from services.registry.domain.policy import SuspensionPolicy
from services.registry.name_search.name_index_feed import LiveNameIndex

# The authorities' suspension policies, as loaded at startup (services/registry/setup.py).
POLICIES: ContextKey[Mapping[str, SuspensionPolicy]] = ContextKey("registry.policies")
# The process's vendor-name index (services/registry/name_search/name_index_feed.py).
NAME_INDEX: ContextKey[LiveNameIndex] = ContextKey("registry.name_index")
# The pool a single eligibility check's one statement runs on (`database.open_pool`'s
# `keyed_lookups`: planned once for every vendor, not at each run).
KEYED_LOOKUPS: ContextKey[asyncpg.Pool] = ContextKey("registry.keyed_lookups")
