"""A URL shown in a log line, an error or an API answer says where, never with what
credentials: no password, no query string (a webhook's token, libpq's `password=`); the
database's keeps its role, a webhook's no userinfo at all (a tester's finding: an alert
webhook's URL was shown whole)."""

from __future__ import annotations

import pytest

from services.platform.errors import StartupError
from services.platform.postgres.database import redacted
from services.platform.settings import Settings
from services.platform.urls import redacted_url

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
    ],
)
def test_a_webhooks_url_is_shown_without_userinfo_or_query(url: str, shown: str) -> None:
    assert redacted_url(url) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://vw:secret@db:5432/vendorwatch", "postgresql://vw@db:5432/vendorwatch"),
        ("postgresql://vw:se@cret@db/vw?sslpassword=x", "postgresql://vw@db/vw"),
        ("postgresql:///vendorwatch?host=/tmp&password=secret", "postgresql:///vendorwatch"),
        ("postgresql://:secret@db/vw", "postgresql://db/vw"),
    ],
)
def test_a_database_url_keeps_its_role_only(url: str, shown: str) -> None:
    assert redacted(url) == shown


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
