"""The errors a resolver raises for the client to fix; their message reaches the client as is
(services/gateway/execution/errors.py masks every other error)."""

from __future__ import annotations


class InvalidArgument(ValueError):
    """An argument the API cannot use as given; the message names it and says why."""


class RoleRefused(InvalidArgument):
    """An argument naming what the caller's role may not read at all (an id of such a type):
    told as FORBIDDEN, as the root field that serves it refuses the role."""
