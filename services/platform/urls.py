"""A URL as it may be shown (a log line, an error, an API answer): where, never with what
credentials. The database's URL (`postgres.database.redacted`) and the alert webhooks' are
shown through it, and the texts of a webhook's errors (`redacted_text`); what connects is
always given the URL whole."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection
from urllib.parse import parse_qsl, urlsplit


def redacted_url(
    url: str, *, keep_user: bool = False, kept_parameters: Collection[str] = ()
) -> str:
    """The URL without its password, its user unless `keep_user` (a database's role says
    which login was refused; a webhook's user is half of its credentials), its fragment and
    every query parameter but those named in `kept_parameters`: a query's values may be
    secrets (a webhook's token, libpq's `password=` and `sslpassword=`), so what is kept is
    named, never guessed. A kept parameter is shown as given, in its place. The last `@`
    before the query ends the userinfo, wherever it is: a password with an unescaped `/` or
    `@` is never shown, where a path with an `@` (rare) loses its start. A password with an
    unescaped `?` or `#` (`user:Pw#1@host`) reads as a host and a port that is no number
    before a query: the userinfo then ends at the first `@` after it (it was shown as
    `http://user:Pw`)."""
    kept, *query = re.split(r"[?#]", url, maxsplit=1)
    scheme, sep, rest = kept.partition("://")
    if not sep:
        scheme, rest = "", kept
    credentials, at, host = rest.rpartition("@")
    after = "".join(query)
    if not at and "@" in after and _port_no_number(rest.split("/", 1)[0]):
        user, host = rest.split(":", 1)[0], after.split("@", 1)[1]
        return redacted_url(
            f"{scheme}{sep}{user}@{host}", keep_user=keep_user, kept_parameters=kept_parameters
        )
    if at:
        user = credentials.split(":", 1)[0]
        rest = f"{user}@{host}" if keep_user and user else host
    given = url.split("#", 1)[0].partition("?")[2]
    shown = [pair for pair in given.split("&") if pair.partition("=")[0] in kept_parameters]
    return f"{scheme}{sep}{rest}" + (f"?{'&'.join(shown)}" if shown else "")


def _port_no_number(authority: str) -> bool:
    """Whether an authority without userinfo has a port that is no number (an IPv6 address,
    in brackets, has colons of its own)."""
    _, colon, port = authority.rpartition(":")
    return bool(colon) and not port.isdigit() and not authority.startswith("[")


# A URL quoted in a text: up to a space or a quote.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")


def redacted_text(text: str, url: str) -> str:
    """An error's text about `url` (a failed webhook delivery's, a refused setting's) as it
    may be shown: every URL in it as `redacted_url` has it, and `url`'s userinfo and query
    nowhere, however they show: what went wrong may quote a piece of the URL, where a URL
    is no longer recognised (httpx: a receiver that echoed the request, `illegal status line:
    …'POST /hook?token=…'`; a password's unescaped `#`, where its parser ended the userinfo,
    `Invalid port: 'Pw'`). A piece is replaced where it stands as a word of its own (`u`, a
    user, leaves `unsupported` whole), by `***`."""
    shown = _URL_IN_TEXT.sub(lambda found: redacted_url(found[0]), text)
    for secret in sorted(_secrets(url), key=len, reverse=True):
        shown = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", "***", shown)
    return shown


def _secrets(url: str) -> set[str]:
    """What `redacted_url` leaves out of `url`, read as it reads it (the userinfo ends at the
    last `@` before the query) and as a parser does (the authority ends at the first `/`,
    `?` or `#`, which a password may hold unescaped: what then reads as a host and a port
    that is no number is the userinfo's start): the userinfo, its user and password, what
    follows the first `?` or `#`, its part before an `@`, and its parameters' values."""
    kept, *query = re.split(r"[?#]", url, maxsplit=1)
    after = "".join(query)
    credentials = kept.split("://", 1)[-1].rpartition("@")[0]
    found = {credentials, *credentials.split(":", 1), after, after.rpartition("@")[0]}
    found.update(value for _, value in parse_qsl(after))
    with contextlib.suppress(ValueError):  # a `[` without its `]`: the reading above stands
        userinfo, at, authority = urlsplit(url).netloc.rpartition("@")
        if at:
            found.update(userinfo.split(":", 1))
        elif "@" in url and _port_no_number(authority):
            found.update(authority.rsplit(":", 1))
    return found - {""}
