"""What a simulated phone reads in the app's pages (no Locust here, so the suite can test it)."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# An asset's link: MindSphere asset ids are 32 hex digits ("My exports", /assets/exports/, is no asset).
ASSET_LINK = re.compile(r'href="/assets/([0-9a-f]{32})/"')
# What a phone's request was: the fourth field of each request in phones.json.
PAGE_REQUEST, CHECK_REQUEST, EXPORT_REQUEST, BURST_CHECK_REQUEST = 0, 1, 2, 3
APP_UNAVAILABLE_PAGE = 'id="error-heading">The app is briefly unavailable<'


def request_kind(path: str, name: str) -> int:
    """The session check always refreshes a due token; a page may (API and privileged pages) or not;
    an export's worker may refresh later. The resume burst's checks are apart from the minute's."""
    if path == "/sso/session/":
        return BURST_CHECK_REQUEST if "resume burst" in name else CHECK_REQUEST
    return EXPORT_REQUEST if name == "export" else PAGE_REQUEST


def outcome(response, status: int, expected: int) -> str | None:
    """None when the answer is the expected one, else its kind."""
    location = response.headers.get("Location", "").split("?")[0]
    if status == 401 or (status == 302 and location == "/"):
        return "signed_out"  # 401 + HX-Redirect for the check, the Login page for pages and forms
    if status == expected:
        return None
    if status == 503:
        try:
            error = response.json().get("error", "")
        except ValueError:
            # The app's own 503 page (templates/503.html) by its heading: every page of the layout holds
            # the lifecycle include's hidden "briefly unavailable" notice, MindSphere's outage page too.
            error = "app_unavailable" if APP_UNAVAILABLE_PAGE in response.text else "unavailable"
        return f"503_{error or 'unknown'}"
    if status == 0:
        return "connection"
    return f"status_{status}"
