"""A phone's browser without JavaScript, as a requests.Session: signs in to the app through the emulator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@dataclass
class SignInResult:
    browser: requests.Session
    final: requests.Response
    hops: list[requests.Response]


class AppClient:
    """Talks to the live app the way a browser does (cookies, redirects one hop at a time)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def new_browser(self) -> requests.Session:
        return requests.Session()

    def follow(self, browser: requests.Session, response: requests.Response, hops: list) -> requests.Response:
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            response = browser.get(target, allow_redirects=False, timeout=15)
            hops.append(response)
        return response

    def start_sign_in(self, browser: requests.Session, tenant: str, next_url: str | None = None) -> requests.Response:
        page = browser.get(self.url("/"), timeout=15)
        data = {"csrfmiddlewaretoken": csrf_from(page.text), "tenant": tenant}
        if next_url is not None:
            data["next"] = next_url
        return browser.post(
            self.url("/accounts/mindsphere/login/"),
            data=data,
            headers={"Referer": self.url("/")},
            allow_redirects=False,
            timeout=15,
        )

    def sign_in(
        self, tenant: str, email: str, password: str = "demo", *, browser: requests.Session | None = None, next_url=None
    ) -> SignInResult:
        browser = browser or self.new_browser()
        hops: list[requests.Response] = []
        posted = self._submit_credentials(browser, tenant, email, password, next_url, hops)
        hops.append(posted)
        final = self.follow(browser, posted, hops)
        return SignInResult(browser=browser, final=final, hops=hops)

    def until_callback(self, tenant: str, email: str, password: str = "demo") -> tuple[requests.Session, str]:
        """A sign-in up to MindSphere's redirect back to the app: (browser, callback URL), not yet followed."""
        browser = self.new_browser()
        posted = self._submit_credentials(browser, tenant, email, password, None, [])
        return browser, posted.headers["Location"]

    def _submit_credentials(self, browser, tenant, email, password, next_url, hops: list) -> requests.Response:
        """The Login page, then the emulator's sign-in form: its answer (the redirect to the callback)."""
        started = self.start_sign_in(browser, tenant, next_url)
        hops.append(started)
        assert started.status_code == 302, started.text[:500]
        form = self.follow(browser, started, hops)
        return browser.post(
            form.url,
            data={"csrfmiddlewaretoken": csrf_from(form.text), "email": email, "password": password},
            headers={"Referer": form.url},
            allow_redirects=False,
            timeout=15,
        )

    def land(self, browser: requests.Session, url: str) -> requests.Response:
        """Follow a callback URL (and the redirects after it) as the browser would."""
        return self.follow(browser, browser.get(url, allow_redirects=False, timeout=30), [])

    def post(self, browser: requests.Session, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        """POST with the CSRF token of the page the form lives on (the role home)."""
        token = browser.cookies.get("csrftoken")
        return browser.post(
            self.url(path),
            data={"csrfmiddlewaretoken": token, **(data or {})},
            headers={"Referer": self.url("/"), "X-CSRFToken": token or ""},
            allow_redirects=False,
            timeout=15,
            **kwargs,
        )
