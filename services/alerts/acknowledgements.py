"""An alert is acknowledged once (pure). Who acknowledged it, when and what they said are the
agency's record of having seen it: a later acknowledgement must neither rewrite that record
nor be dropped from it in silence, so it is refused, saying whose stands. The mutation refuses
it in its receipt; the alerts service refuses one that reaches the log all the same (two sent
before either was applied, or one sent by a producer), a dead letter in the same words."""

from __future__ import annotations

import datetime as dt
import uuid


def already_acknowledged(alert_id: uuid.UUID, by: str | None, at: dt.datetime) -> str:
    """Why another acknowledgement of an acknowledged alert is refused; `by`: the subject of
    the token that recorded the first (None: a producer's, recorded without one); `at`: when
    the log recorded it, written as the alert's `acknowledgedAt` is."""
    who = by if by is not None else "a producer (recorded without a token)"
    return (
        f"alert {alert_id} was acknowledged by {who} at {at.isoformat()}; the first"
        " acknowledgement stands"
    )
