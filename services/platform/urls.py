"""A URL as it may be shown (a log line, an error, an API answer): where, never with what
credentials. The database's URL (`postgres.database.redacted`) and the alert webhooks' are
shown through it, and the texts of their errors (`redacted_text`); what connects is always
given the URL whole."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple
from urllib.parse import unquote, unquote_plus


class _Read(NamedTuple):
    """A URL's parts as this module reads them (`_read`)."""

    start: str  # its scheme and `://`, or nothing
    userinfo: str | None  # None when it has none (`https://:pw@host` has one: `:pw`)
    where: str  # its host, port and path
    query: str  # between its query's `?` and a `#`
    fragment: str  # after that `#`


def _read(url: str) -> _Read:
    """`url`'s parts. The last `@` before the query ends the userinfo, wherever it is: a
    password with an unescaped `/` or `@` is never taken for a host or path, where a path with
    an `@` (rare) loses its start. A password with an unescaped `?` or `#` (`user:Pw#1@host`)
    reads as a host and a port that is no number before a query: the userinfo then ends at
    the first `@` after it (it was shown as `http://user:Pw`), unless a path came before the
    `?` and what follows it up to the `@` is a parameter's `name=value`: that is a mistyped
    port with a digit in it, its query an address (`host:80a/in?notify=ops@city.example`),
    whose host and port are what to mend (they were hidden, and shown as
    `http://city.example`). When in doubt a password is assumed: with no path before the
    `?` or `#`, what precedes the `@` after it is always the userinfo (`app:2024#Secret@db`,
    whose port of digits showed `2024`); one holding a digit, an unescaped `/`, then `?`,
    then `=` (`u:8P/w?x=1@h`) reads as a mistyped port, shown up to its `?`; without a digit
    (`u:P/w?x=1@h`) it stays hidden."""
    head, separator, after = _split_at_query(url)
    scheme, sep, rest = head.partition("://")
    start = f"{scheme}{sep}" if sep else ""
    rest = rest if sep else head
    credentials, at, where = rest.rpartition("@")
    if at:
        return _Read(start, credentials, where, *_query(separator, after))
    tail, at, beyond = after.partition("@")
    port = rest.split("/", 1)[0].rpartition(":")[2]
    mistyped_port = (
        separator == "?" and "/" in rest and "=" in tail and any(c.isdigit() for c in port)
    )
    # No path before the `?` or `#`: what comes before the `@` after it is a password's
    # whatever it looks like (`app:2024#Secret@db`: a port of digits showed its start).
    if at and ("/" not in rest or (_port_no_number(rest.split("/", 1)[0]) and not mistyped_port)):
        inner = _read(f"{start}{beyond}")
        userinfo = f"{rest}{separator}{tail}"
        if inner.userinfo is not None:
            userinfo = f"{userinfo}@{inner.userinfo}"
        return inner._replace(userinfo=userinfo)
    return _Read(start, None, rest, *_query(separator, after))


def _split_at_query(url: str) -> tuple[str, str, str]:
    """`url` before its first `?` or `#`, that character, and what follows it."""
    head, *found = re.split(r"([?#])", url, maxsplit=1)
    return (head, found[0], found[1]) if found else (head, "", "")


def _query(separator: str, after: str) -> tuple[str, str]:
    """The query and the fragment, given what follows a URL's first `?` or `#`."""
    if separator == "?":
        query, _, fragment = after.partition("#")
        return query, fragment
    return "", after


def _port_no_number(authority: str) -> bool:
    """Whether an authority without userinfo has a port that is no number (an IPv6 address,
    in brackets, has colons of its own)."""
    _, colon, port = authority.rpartition(":")
    return bool(colon) and not port.isdigit() and not authority.startswith("[")


def redacted_url(
    url: str, *, keep_user: bool = False, kept_parameters: Collection[str] = ()
) -> str:
    """The URL without its password, its user unless `keep_user` (a database's role says
    which login was refused; a webhook's user is half of its credentials), its fragment and
    every query parameter but those named in `kept_parameters`: a query's values may be
    secrets (a webhook's token, libpq's `password=` and `sslpassword=`), so what is kept is
    named, never guessed. A kept parameter is shown as given, in its place. The userinfo is
    read as `_read` reads it."""
    read = _read(url)
    user = (read.userinfo or "").split(":", 1)[0]
    where = f"{user}@{read.where}" if keep_user and user else read.where
    shown = [pair for pair in read.query.split("&") if pair.partition("=")[0] in kept_parameters]
    return f"{read.start}{where}" + (f"?{'&'.join(shown)}" if shown else "")


# A URL quoted in a text: up to a space or a quote.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")


def redacted_text(
    text: str,
    url: str,
    *,
    keep_user: bool = False,
    secret_parameters: Collection[str] | None = None,
) -> str:
    """An error's text about `url` (a failed webhook delivery's, a refused setting's, a
    database's refusal) as it may be shown: without `url`'s secrets wherever they show, and
    nothing else hidden, for the rest may be what to mend (a mistyped port, which host, an
    `sslmode`). The secrets are its password, its user unless `keep_user` (and unless the URL
    as shown has it as a word: user `hooks` of `/hooks/in` hid that path), the values of its
    query's `secret_parameters`, each with its name (None: every parameter's, a webhook's,
    whose receiver may take a token by any name), and its fragment. What went wrong may
    quote a piece of the URL, where a URL is no longer recognised (httpx: a receiver that
    echoed the request, `illegal status line: …'POST /hook?token=…'`; a password's
    unescaped `#`, where its parser ended the userinfo, `Invalid port: 'Pw'`): the
    password's pieces, as a parser may split it at a `/`, `?`, `#` or `@`, are secrets too.
    A secret is replaced by `***` where it stands as a word of its own (`u`, a user, leaves
    `unsupported` whole); a URL the text quotes is shown as `redacted_url` has it, with its
    query's other parameters."""

    def shown(quoted: re.Match[str]) -> str:
        # No empty name (a URL without a query gained a `?`), none whose pair holds an `@`
        # (what follows a password's unescaped `?` may read as one).
        pairs = _read(quoted[0]).query.split("&")
        names = {pair.partition("=")[0] for pair in pairs if pair and "@" not in pair}
        kept = {name for name in names if not _secret(name, secret_parameters)}
        return redacted_url(quoted[0], keep_user=keep_user, kept_parameters=kept)

    said = _URL_IN_TEXT.sub(shown, text)
    for secret in sorted(_secrets(url, keep_user, secret_parameters), key=len, reverse=True):
        said = _as_word(secret).sub("***", said)
    return said


def _secret(name: str, secret_parameters: Collection[str] | None) -> bool:
    """Whether a query parameter's value is a secret (`redacted_text`)."""
    return secret_parameters is None or unquote_plus(name) in secret_parameters


def _as_word(piece: str) -> re.Pattern[str]:
    """`piece` where no letter or digit joins it to what stands around it."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(piece)}(?![A-Za-z0-9])")


def _secrets(url: str, keep_user: bool, secret_parameters: Collection[str] | None) -> set[str]:
    """What `redacted_text` hides of `url`: its userinfo, its password and the pieces a
    parser may split it into, its user unless kept or a word of the URL as shown, and its
    secret parameters, each as given and as it reads decoded, and its fragment (never sent,
    and not shown: a token may be put there)."""
    read = _read(url)
    found = {read.fragment}
    if read.userinfo is not None:
        user, _, password = read.userinfo.partition(":")
        found |= _pieces(password)
        if not keep_user:
            shown = redacted_url(url)
            found.add(read.userinfo)
            found |= {piece for piece in _pieces(user) if not _as_word(piece).search(shown)}
    for pair in read.query.split("&"):
        name, _, value = pair.partition("=")
        if _secret(name, secret_parameters):
            found |= {pair, value, unquote_plus(value)}
    return found - {""}


def _pieces(credential: str) -> set[str]:
    """A user's or password's forms a text may quote: whole, decoded, and its pieces where a
    parser ends an authority (`/`, `?`, `#`) or a userinfo (`@`)."""
    return {credential, unquote(credential), *re.split(r"[/?#@]", credential)}
