"""A URL shown in a log line, an error or an API answer says where, never with what
credentials: no password, no query parameter that may be a secret (a webhook's token,
libpq's `password=`); the database's keeps its role and which server (`host=`), a webhook's
no userinfo and no query at all (a tester's finding: an alert webhook's URL was shown whole)."""

from __future__ import annotations

import pytest

from services.platform.errors import Misconfigured, StartupError
from services.platform.postgres.database import SECRET_PARAMETERS, connect, malformed, redacted
from services.platform.settings import Settings
from services.platform.urls import redacted_text, redacted_url

WEBHOOK = "http://hookuser:HookPw123@127.0.0.1:8162/hook-minato?token=QueryTok999"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (WEBHOOK, "http://127.0.0.1:8162/hook-minato"),
        ("https://hooks.city.example/vendorwatch", "https://hooks.city.example/vendorwatch"),
        ("https://:pw@hooks.example/a#frag", "https://hooks.example/a"),
        ("https://hookuser@hooks.example/a?x", "https://hooks.example/a"),
        # An unescaped `/` or `@` in a password: the last `@` ends the userinfo.
        ("https://u:p/w@d@hooks.example/a", "https://hooks.example/a"),
        # An `@` in the query's values is not taken for the userinfo's.
        ("https://hooks.example/a?notify=ops@city.example", "https://hooks.example/a"),
        ("u:pw@hooks.example/a", "hooks.example/a"),
        # An unescaped `#` or `?` in a password: it was shown up to there (`http://u:Pw`).
        ("http://u:Pw#1@hooks.example/a?t=T", "http://hooks.example/a"),
        ("http://u:Pw?1@hooks.example/a", "http://hooks.example/a"),
    ],
)
def test_a_webhooks_url_is_shown_without_userinfo_or_query(url: str, shown: str) -> None:
    assert redacted_url(url) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://vw:secret@db:5432/vendorwatch", "postgresql://vw@db:5432/vendorwatch"),
        ("postgresql://vw:se@cret@db/vw?sslpassword=x", "postgresql://vw@db/vw"),
        ("postgresql://:secret@db/vw", "postgresql://db/vw"),
    ],
)
def test_a_database_url_keeps_its_role_only(url: str, shown: str) -> None:
    assert redacted(url) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # The socket directory is the server (a tester's finding: it was dropped, and
        # `postgresql:///vendorwatch` named none).
        (
            "postgresql:///vendorwatch?host=/run/postgresql&password=secret",
            "postgresql:///vendorwatch?host=/run/postgresql",
        ),
        (
            "postgresql://vw:secret@/vw?host=%2Ftmp%2Fpg&port=5433&sslpassword=x&sslmode=require",
            "postgresql://vw@/vw?host=%2Ftmp%2Fpg&port=5433&sslmode=require",
        ),
        (
            "postgresql://vw@db/vw?dbname=other&token=QueryTok999",
            "postgresql://vw@db/vw?dbname=other",
        ),
        ("postgresql://vw@db/vw?password=secret#host=x", "postgresql://vw@db/vw"),
    ],
)
def test_a_database_url_keeps_which_server_and_how(url: str, shown: str) -> None:
    """Its query's parameters that name the server (`host`, `port`, `dbname`) and how it is
    reached (`sslmode`) are shown; a password, an SSL key's password or anything else is not."""
    assert redacted(url) == shown
    assert "secret" not in redacted(url) and "QueryTok999" not in redacted(url)


def test_a_webhooks_query_is_never_shown_whatever_its_names() -> None:
    """The parameters a database's URL shows are no exception for a webhook's."""
    assert redacted_url("https://hooks.example/a?host=x&token=QueryTok999") == (
        "https://hooks.example/a"
    )


def _webhook_refused(url: str) -> str:
    """What the settings say refusing agency `a`'s webhook at `url`."""
    with pytest.raises(StartupError) as refused:
        Settings(database_url="unused", alert_webhook_secret="secret", alert_webhooks={"a": url})
    return str(refused.value)


def test_a_refused_webhook_is_said_without_its_credentials() -> None:
    """A webhook that is not an http(s) URL is refused naming its agency and the URL as
    it may be shown: its password and query were echoed."""
    assert _webhook_refused("ftp://user:HookPw123@hooks.example/in?token=QueryTok999") == (
        "invalid setting: VENDORWATCH_ALERT_WEBHOOKS: 'a' has 'ftp://hooks.example/in',"
        " not an http(s) URL"
    )


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        (
            "http://hookuser:Hook#Pw123@hooks.example/in",
            "which httpx cannot parse: Invalid port: '***'",
        ),
        ("http://hooks.example:99999/in", "with port 99999, not 1-65535"),
        ("http://hooks\x01.example/in", "which httpx cannot parse: Invalid non-printable ASCII"),
        ("http:///in", "with no host"),
    ],
)
def test_a_webhook_httpx_cannot_send_to_is_refused_at_start(url: str, refused: str) -> None:
    """A URL httpx's parser refuses, or with a port no socket takes, passed the settings and
    failed every delivery to it; it is refused at start, its credentials nowhere."""
    said = _webhook_refused(url)
    assert said.startswith("invalid setting: VENDORWATCH_ALERT_WEBHOOKS: 'a' has "), said
    assert refused in said, said
    assert not any(secret in said for secret in ("hookuser", "Hook", "Pw123")), said


def test_an_errors_text_keeps_none_of_the_urls_credentials() -> None:
    """What an error quotes of a webhook's URL, the URL or its pieces, shown without them."""
    url = "http://hookuser:HookPw123@hooks.example/in?token=QueryTok999"
    assert redacted_text(f"failed: {url}.", url) == "failed: http://hooks.example/in"
    assert (
        redacted_text("illegal status line: b'POST /in?token=QueryTok999 HTTP/1.1'", url)
        == "illegal status line: b'POST /in?*** HTTP/1.1'"
    )
    assert redacted_text("unsupported for hookuser", url) == "unsupported for ***"


def test_a_mistyped_port_is_shown_with_its_host() -> None:
    """A port that is no number before a path, with an `@` in the query (an address), is the
    port to mend, not a password's start: it was shown as `Invalid port: '***'`, the URL as
    `http://city.example`."""
    assert _webhook_refused("http://hooks.example:80a/in?notify=ops@city.example") == (
        "invalid setting: VENDORWATCH_ALERT_WEBHOOKS: 'a' has 'http://hooks.example:80a/in',"
        " which httpx cannot parse: Invalid port: '80a'"
    )


def test_a_user_that_is_a_word_of_the_url_hides_no_word_of_it() -> None:
    """User `hooks` of `hooks.example/hooks/in`: the host and the path the URL is shown with
    stay whole in an error's text (they read `***.example/***/in`); its password and token
    are still hidden wherever they show."""
    url = "https://hooks:HookPw123@hooks.example/hooks/in?token=QueryTok999"
    assert redacted_text(
        f"failed: {url} with b'POST /hooks/in?token=QueryTok999 HTTP/1.1' (HookPw123)", url
    ) == ("failed: https://hooks.example/hooks/in with b'POST /hooks/in?*** HTTP/1.1' (***)")


async def test_a_database_error_keeps_no_piece_of_the_password() -> None:
    """A password with an unescaped `?`: asyncpg's parser quotes what follows it, which was
    shown (`bad query field: 'cret@127.0.0.1/vw'`)."""
    with pytest.raises(Misconfigured) as refused:
        await connect("postgresql://vw:se?cret@127.0.0.1/vw")
    assert str(refused.value) == (
        "the database URL (DATABASE_URL / --database-url) postgresql://vw@127.0.0.1/vw cannot"
        " be used: bad query field: '***@127.0.0.1/vw' (ValueError)"
    )


def test_a_database_error_hides_its_secrets_and_keeps_what_to_mend() -> None:
    """Its role, port, `sslmode`, a certificate's path and the URL it quotes are kept (the
    URL's secrets dropped from it); the password and `sslpassword`'s value are not (an
    `sslpassword` was shown)."""
    url = "postgresql://vw:Pw1@db:54x3/vw?sslmode=bogus&sslpassword=KeyPw2&sslrootcert=/ca.pem"
    said = "role vw, Pw1 and KeyPw2 for '54x3', sslmode bogus, /ca.pem at"
    assert str(malformed(url, ValueError(f"{said} {url}"))) == (
        "the database URL (DATABASE_URL / --database-url) postgresql://vw@db:54x3/vw?sslmode=bogus"
        " cannot be used: role vw, *** and *** for '54x3', sslmode bogus, /ca.pem at"
        " postgresql://vw@db:54x3/vw?sslmode=bogus&sslrootcert=/ca.pem (ValueError)"
    )


def test_an_errors_text_keeps_no_more_of_a_fragment_than_the_url_shown() -> None:
    """A fragment is never sent and never shown (a token may be put there): nor is it in a
    text that quotes it."""
    url = "https://hooks.example/in#FragTok999"
    assert redacted_text("no route to /in#FragTok999", url) == "no route to /in#***"


def test_a_password_with_a_slash_a_query_and_no_digit_stays_hidden() -> None:
    """A password's unescaped `/`, `?` and `=` read as a port that is no number, a path and a
    query: without a digit in that "port" it is taken for the password it more likely is."""
    text = "Invalid port: 'P' in http://u:P/w?x=1@hooks.example/in"
    shown = redacted_text(text, "http://u:P/w?x=1@hooks.example/in")
    assert "P/w" not in shown and "'P'" not in shown and "x=1" not in shown


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("postgresql://app:2024#Secret@db.internal/vw", ("2024", "Secret")),
        ("postgresql://app:12345?x@db/vw", ("12345", "x@db")),
    ],
)
def test_a_password_of_digits_before_an_unescaped_separator_is_never_shown(
    url: str, secrets: tuple[str, ...]
) -> None:
    """A password whose part before an unescaped `#` or `?` is digits read as a port: the URL
    was shown with `2024`, and an error's text quoting the URL showed the whole password as
    the URL's query (a reviewer's finding)."""
    shown = [redacted(url), redacted_text(f"refused at {url} today", url, keep_user=True)]
    assert not any(secret in said for secret in secrets for said in shown), shown


def test_a_database_url_without_a_query_is_quoted_without_one() -> None:
    """It was quoted as `postgresql://app@db/vw?` in every refusal that quotes it."""
    url = "postgresql://app:pw@db/vw"
    said = redacted_text(
        f"failed: {url} down", url, keep_user=True, secret_parameters=SECRET_PARAMETERS
    )
    assert said == "failed: postgresql://app@db/vw down"
