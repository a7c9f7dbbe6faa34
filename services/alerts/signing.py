"""Pure rules of webhook signatures (services/alerts/README.md, "Verifying a webhook").

The header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed
with the exact body bytes, so a receiver that refuses old timestamps cannot be replayed an old
delivery, and one that verifies the bytes it received cannot be fooled by a re-encoded body.

Each agency's deliveries are signed with a key of its own, derived from the deployment's
secret (`agency_key`): with one key for all, any receiving agency could sign a delivery to
another agency's webhook. The operator hands each agency its key (`vendorwatch alerts
webhook-key`); the deployment keeps one secret.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-VendorWatch-Signature"
ALERT_ID_HEADER = "X-VendorWatch-Alert-Id"
# How old a signature a receiver should accept (our own check uses it).
TOLERANCE_SECONDS = 300


def agency_key(secret: bytes, agency: str) -> bytes:
    """The key `agency`'s deliveries are signed with: printable (hex), as its receiver is
    given it, and not derivable from another agency's."""
    label = b"vendorwatch alert webhook\x1f" + agency.encode()
    return hmac.new(secret, label, hashlib.sha256).hexdigest().encode()


def _mac(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def signature_problem(
    secret: bytes, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS
) -> str | None:
    """Why a received signature must be refused, or None when it is good."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return f"{SIGNATURE_HEADER}: expected t=<unix seconds>,v1=<hex>, got {header!r}"
    timestamp = int(parts["t"])
    if abs(now - timestamp) > tolerance:
        return f"{SIGNATURE_HEADER}: signed at {timestamp}, more than {tolerance} s from {now}"
    if not hmac.compare_digest(parts["v1"], _mac(secret, timestamp, body)):
        return f"{SIGNATURE_HEADER}: does not match the body"
    return None
