"""A URL as it may be shown (a log line, an error, an API answer): where, never with what
credentials. The database's URL (`postgres.database.redacted`) and the alert webhooks' are
shown through it; what connects is always given the URL whole."""

from __future__ import annotations

from collections.abc import Collection


def redacted_url(
    url: str, *, keep_user: bool = False, kept_parameters: Collection[str] = ()
) -> str:
    """The URL without its password, its user unless `keep_user` (a database's role says
    which login was refused; a webhook's user is half of its credentials), its fragment and
    every query parameter but those named in `kept_parameters`: a query's values may be
    secrets (a webhook's token, libpq's `password=` and `sslpassword=`), so what is kept is
    named, never guessed. A kept parameter is shown as given, in its place. The last `@`
    before the query ends the userinfo, wherever it is: a password with an unescaped `/` or
    `@` is never shown, where a path with an `@` (rare) loses its start."""
    kept, _, query = url.split("#", 1)[0].partition("?")
    scheme, sep, rest = kept.partition("://")
    if not sep:
        scheme, rest = "", kept
    credentials, at, host = rest.rpartition("@")
    if at:
        user = credentials.split(":", 1)[0]
        rest = f"{user}@{host}" if keep_user and user else host
    shown = [pair for pair in query.split("&") if pair.partition("=")[0] in kept_parameters]
    return f"{scheme}{sep}{rest}" + (f"?{'&'.join(shown)}" if shown else "")
