"""The liveness signal: a consumer failing for longer than the stall limit turns health 503."""

from __future__ import annotations

import time

from services.platform.liveness import STALL_SECONDS, Liveness, health_report


def test_a_consumer_failing_past_the_limit_is_stalled_until_it_succeeds() -> None:
    live = Liveness("registry")
    assert health_report([live]) == (
        200,
        {
            "status": "ok",
            "consumers": [{"consumer": "registry", "stalled": False, "failing_for_seconds": 0.0}],
        },
    )
    live.failed()
    assert not live.stalled()  # a brief failure is ridden out
    live.failing_since = time.monotonic() - STALL_SECONDS - 1
    live.failed()  # further failures keep the first failure's time
    status, body = health_report([live, Liveness("ingest")])
    assert status == 503 and body["status"] == "stalled"
    assert [c["stalled"] for c in body["consumers"]] == [True, False]
    live.succeeded()
    assert health_report([live])[0] == 200
