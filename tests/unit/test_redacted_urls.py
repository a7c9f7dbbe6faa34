"""A URL shown in a log line, an error or an API answer says where, never with what
credentials: no password, no query parameter that may be a secret (a webhook's token,
libpq's `password=`); the database's keeps its role and which server (`host=`), a webhook's
no userinfo and no query at all (a tester's finding: an alert webhook's URL was shown whole)."""

from __future__ import annotations

import pytest

from services.platform.errors import StartupError
from services.platform.postgres.database import redacted
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


def test_a_refused_webhook_is_said_without_its_credentials() -> None:
    """A webhook that is not an http(s) URL is refused naming its agency and the URL as
    it may be shown: its password and query were echoed."""
    with pytest.raises(StartupError) as refused:
        Settings(
            database_url="unused",
            alert_webhook_secret="secret",
            alert_webhooks={"a": "ftp://user:HookPw123@hooks.example/in?token=QueryTok999"},
        )
    assert str(refused.value) == (
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
    with pytest.raises(StartupError) as error:
        Settings(database_url="unused", alert_webhook_secret="secret", alert_webhooks={"a": url})
    said = str(error.value)
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
