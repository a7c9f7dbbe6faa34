"""Whether an alert webhook's URL can be sent to, asked of httpx's own parser, which the
deliveries send with (services/alerts/webhooks.py): a URL it refuses (a port that is no
number, a character it does not take, a host that is no IDNA name) passed the settings and
failed every attempt of every delivery to it; so did one whose port it takes and no socket
does (above 65535). The settings refuse them at start (settings.py)."""

from __future__ import annotations

from services.platform.urls import redacted_text

_PORTS = range(1, 65536)


def webhook_url_problem(url: str) -> str | None:
    """Why no delivery can be sent to `url`, without its credentials (`redacted_text`), or
    None when httpx takes it."""
    if not url.startswith(("https://", "http://")):
        return "not an http(s) URL"
    # Imported when a webhook is set: every command reads the settings, and httpx took 35 ms
    # of each one's start (a rebuild's 0.5 s) for nothing when none is.
    import httpx

    try:
        parsed = httpx.Request("POST", url).url
    except (httpx.InvalidURL, ValueError) as error:  # an IDNA name refused: a ValueError
        return f"which httpx cannot parse: {redacted_text(str(error), url)}"
    if not parsed.host:
        return "with no host"
    if parsed.port is not None and parsed.port not in _PORTS:
        return f"with port {parsed.port}, not 1-65535"
    return None
