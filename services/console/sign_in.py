"""The one-time sign-in link `vendorwatch up` prints for the local admin.

The token rides in the URL's fragment, which browsers never send to a server (so it is in no
access log) and which the console takes out of the address bar, and so out of the history,
before anything else runs (static/session.js). The token itself stays valid until it
expires: one hour, short enough that a link found later in a terminal's scrollback is dead,
long enough for a morning's session; a longer one is `vendorwatch token create`'s to mint.
"""

from __future__ import annotations

import datetime as dt

from services.console.pages import PAGE_PATH

LINK_LIFETIME = dt.timedelta(hours=1)
# The fragment the console reads (static/session.js: LINK_PREFIX).
FRAGMENT = "#signin="


def sign_in_link(origin: str, token: str) -> str:
    """The console's address with `token` to sign in with; `origin`: http://host:port."""
    return f"{origin}{PAGE_PATH}{FRAGMENT}{token}"
