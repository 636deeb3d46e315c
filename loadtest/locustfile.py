"""Simulated phones for Locust, driven by loadtest/run.py (`make loadtest`), which sets LOADTEST_*.

A phone behaves like the lifecycle include and a person: it signs in once through the real flow
(the Login page, the emulator's sign-in form, the code exchange), then checks its session every
LOADTEST_CHECK_SECONDS with jitter, opens a page every LOADTEST_PAGE_SECONDS or so (role home,
asset list, an asset page), sometimes starts an export, and, if it is among the resume burst's
share, checks at the burst's very second with the others (phones coming back at a shift change).

What the app answers is counted by kind; each check that the app runs is remembered, so run.py can
say how many refreshes there should have been (one per person per expiry).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, events, task

from loadtest.pages import ASSET_LINK, CSRF, outcome, request_kind

TENANTS = ("acme", "globex")
HTMX = {"HX-Request": "true"}


def setting(name: str, default: float) -> float:
    return float(os.environ.get(f"LOADTEST_{name}", default))


CHECK_SECONDS = setting("CHECK_SECONDS", 60)
PAGE_SECONDS = setting("PAGE_SECONDS", 180)
EXPORT_SHARE = setting("EXPORT_SHARE", 0.05)  # of page visits
BURST_AT = setting("BURST_AT", 0)  # POSIX time of the resume burst (0: none)
BURST_SHARE = setting("BURST_SHARE", 0.3)
PREFIX = os.environ.get("LOADTEST_PREFIX", "load")
SIGN_IN_ATTEMPTS = 3
SIGN_IN_RETRY_SECONDS = 5

_numbers = itertools.count()
_lock = threading.Lock()
# What the phones saw, written to LOADTEST_COUNTERS when the run stops.
counters: dict = {"signed_in": 0, "sign_in_failures": 0, "outcomes": [], "checks": []}


def csrf(html: str) -> str:
    """The CSRF token of the page's form; KeyError when the page has none (not the page expected)."""
    match = CSRF.search(html)
    if match is None:
        raise KeyError("csrfmiddlewaretoken")
    return match.group(1)


def record(kind: str, name: str, status: int) -> None:
    """An answer other than the expected one: (time, kind, URL name, status), for run.py to judge."""
    with _lock:
        counters["outcomes"].append([time.time(), kind, name, status])


class Phone(HttpUser):
    """One phone: a person signed in through the real flow, doing what phones do."""

    def on_start(self) -> None:
        number = next(_numbers)
        self.tenant = TENANTS[number % len(TENANTS)]
        self.email = f"{PREFIX}-{number}@{self.tenant}.example"
        # [sent, answered, status, is the session check] of every signed-in request
        self.checks: list[list[float]] = []
        with _lock:
            counters["checks"].append(self.checks)
        self.home = "/"
        self.signed_in = self.sign_in()
        now = time.time()
        self.next_check = now + random.uniform(0, CHECK_SECONDS)
        self.next_page = now + random.uniform(0, PAGE_SECONDS)
        self.in_burst = now < BURST_AT and random.random() < BURST_SHARE
        self.asset = ""

    # --- sign-in ------------------------------------------------------------------------------------

    def sign_in(self) -> bool:
        """The real flow, tried again like a person would (SIGN_IN_ATTEMPTS) when an attempt fails."""
        for attempt in range(SIGN_IN_ATTEMPTS):
            if attempt:
                time.sleep(SIGN_IN_RETRY_SECONDS)
                self.client.cookies.clear()
            failure = self.sign_in_once()
            if failure is None:
                with _lock:
                    counters["signed_in"] += 1
                return True
            record("sign_in_failed", *failure)
        with _lock:
            counters["sign_in_failures"] += 1
        return False

    def sign_in_once(self) -> tuple[str, int] | None:
        """None when signed in, else (the step that failed, its status)."""
        client = self.client
        step, status = "sign-in: Login page", 0
        try:
            page = client.get("/", name=step)
            step = "sign-in: start"
            started = client.post(
                "/accounts/mindsphere/login/",
                data={"csrfmiddlewaretoken": csrf(page.text), "tenant": self.tenant},
                headers={"Referer": f"{self.host}/"},
                allow_redirects=False,
                name=step,
            )
            status = started.status_code
            step = "sign-in: MindSphere form"
            form = client.get(started.headers["Location"], name=step)
            status = form.status_code
            step = "sign-in: MindSphere credentials"
            posted = client.post(
                form.url,
                data={"csrfmiddlewaretoken": csrf(form.text), "email": self.email, "password": "demo"},
                headers={"Referer": form.url},
                allow_redirects=False,
                name=step,
            )
            status = posted.status_code
            step = "sign-in: code exchange"
            sent = time.time()
            landed = client.get(posted.headers["Location"], name=step)
            status = landed.status_code
        except KeyError:  # no form, no redirect: the answer was not the page expected
            return step, status
        if landed.status_code != 200 or "/home/" not in landed.url:
            return step, status
        self.home = urlparse(landed.url).path  # the role home
        self.checks.append([sent, time.time(), -1, 0])  # -1: the sign-in (the token's issue time)
        return None

    # --- what a phone does ----------------------------------------------------------------------------

    def wait_time(self) -> float:
        upcoming = [self.next_check, self.next_page] + ([BURST_AT] if self.in_burst else [])
        return max(0.0, min(upcoming) - time.time())

    @task
    def tick(self) -> None:
        if not self.signed_in:
            self.stop()
            return
        now = time.time()
        if self.in_burst and now >= BURST_AT:
            self.in_burst = False
            self.check("/sso/session/ (resume burst)")
            self.page()
        elif now >= self.next_page:
            self.next_page = now + random.uniform(0.5, 1.5) * PAGE_SECONDS
            self.page()
        else:
            self.next_check = now + CHECK_SECONDS + random.uniform(-5, 5)
            self.check("/sso/session/")

    def check(self, name: str) -> None:
        self.request("GET", "/sso/session/", name, expected=204, headers=HTMX)

    def page(self) -> None:
        kind = random.choice(("home", "assets", "asset"))
        if kind == "asset" and self.asset:
            self.request("GET", f"/assets/{self.asset}/?range=24h", "/assets/[id]/", expected=200)
            if random.random() < EXPORT_SHARE:
                self.export()
        elif kind == "assets" or kind == "asset":
            response = self.request("GET", "/assets/", "/assets/", expected=200)
            found = ASSET_LINK.findall(response.text if response is not None else "")
            self.asset = random.choice(found) if found else self.asset
        else:
            self.request("GET", self.home, "/home/[role]/", expected=200)

    def export(self) -> None:
        today = date.today().isoformat()
        data = {"property_set": "Environment", "variables": "temperature", "start": today, "end": today}
        data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken") or ""
        headers = {"Referer": f"{self.host}/", "X-CSRFToken": data["csrfmiddlewaretoken"]}
        self.request("POST", f"/assets/{self.asset}/export/", "export", expected=302, data=data, headers=headers)

    def request(self, method: str, path: str, name: str, *, expected: int, **kwargs):
        sent = time.time()
        with self.client.request(
            method, path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            status = response.status_code
            self.checks.append([sent, time.time(), status, request_kind(path, name)])
            kind = outcome(response, status, expected)
            if kind is None:
                response.success()
            else:
                response.failure(kind)
                record(kind, name, status)
                if kind == "signed_out":
                    self.signed_in = False
            return response


@events.test_stop.add_listener
def write_counters(environment, **kwargs) -> None:
    path = os.environ.get("LOADTEST_COUNTERS")
    if path:
        Path(path).write_text(json.dumps(counters))
