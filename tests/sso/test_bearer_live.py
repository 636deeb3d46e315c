"""The Launchpad entrance over real HTTP: browser → emulated gateway → live app, and the emulator's sign-in.

The gateway signs the person in at the emulator, keeps its own session and forwards every request
with `Authorization: Bearer`; the app signs them in from it (sso.bearer). Nothing is mocked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests
import time_machine
from django.utils import timezone

from assets.models import Export
from assets.tasks import export_time_series
from sso.models import MindSphereIdentity, ScopeRoleMapping, TokenRecord
from tests.app_client import csrf_from
from tests.emulator.test_gateway_proxy import sign_in as gateway_sign_in
from tests.servers import Emulator, Gateway, start_gateway
from tests.tenantadmin.test_end_to_end import form_of

TIMEOUT = 30
OSBAR = "/_gateway/osbar/v4/js/main.min.js"
PUMP = hashlib.md5(b"acme/Pump 01").hexdigest()  # emulator.demo.asset_id_for


@dataclass
class Stack:
    """What tests.emulator.test_gateway_proxy.sign_in needs: the gateway's URL and its emulator."""

    emulator: Emulator
    gateway: Gateway

    @property
    def url(self) -> str:
        return self.gateway.url

    def get(self, browser: requests.Session, path: str, **kwargs) -> requests.Response:
        return browser.get(self.url + path, timeout=TIMEOUT, **kwargs)

    def post(self, browser: requests.Session, path: str, data: dict, *, xsrf: bool = True) -> requests.Response:
        """A form's POST as the app's pages send it behind the gateway: CSRF token, and x-xsrf-token."""
        headers = {"x-xsrf-token": browser.cookies.get("XSRF-TOKEN")} if xsrf else {}
        token = browser.cookies.get("csrftoken")
        return browser.post(
            self.url + path,
            data={"csrfmiddlewaretoken": token, **data},
            headers={**headers, "X-CSRFToken": token or ""},
            allow_redirects=False,
            timeout=TIMEOUT,
        )


@pytest.fixture
def stack(app, live_server, settings, clean_emulator, tmp_path) -> Iterator[Stack]:
    """The live app with gateway sign-in on, behind an emulated gateway of its own."""
    gateway = start_gateway(clean_emulator, live_server.url, tmp_path / "gateway")
    settings.MINDSPHERE_GATEWAY_SIGN_IN = True
    settings.MINDSPHERE_OSBAR_URL = OSBAR
    settings.CSRF_TRUSTED_ORIGINS = [gateway.url]
    yield Stack(clean_emulator, gateway)
    gateway.stop()


def test_opened_from_the_launchpad_the_person_lands_on_their_home_with_the_os_bar(stack):
    browser = gateway_sign_in(stack, "acme", "user@acme.example")
    launchpad = stack.get(browser, "/_gateway/launchpad")
    assert 'href="/"' in launchpad.text
    home = stack.get(browser, "/")
    assert home.status_code == 200 and home.url == stack.url + "/home/user/"
    assert f'<script src="{OSBAR}" defer></script>' in home.text
    assert '<div id="_mdspcontent">' in home.text
    assert "/sso/logout/" not in home.text
    identity = MindSphereIdentity.objects.get(tenant="acme", email="user@acme.example")
    assert set(identity.user.groups.values_list("name", flat=True)) == {"User"}
    assert stack.get(browser, "/sso/session/").status_code == 204
    info = stack.get(browser, "/sso/app-info.json").json()
    assert info["displayName"] == "MindSphere Mobile Starter"


def test_an_admin_saves_the_roles_through_the_gateway(stack, app):
    browser = gateway_sign_in(stack, "acme", "admin@acme.example")
    page = stack.get(browser, "/manage/roles/")
    assert page.status_code == 200 and csrf_from(page.text)

    class Through:  # form_of reads the page through the gateway
        @staticmethod
        def url(path: str) -> str:
            return stack.url + path

    response = stack.post(browser, "/manage/roles/", {**form_of(Through, browser), "scope-user": "Admin"})
    assert response.status_code == 302, response.text[:500]
    assert ScopeRoleMapping.objects.get(tenant="acme", scope="user").group.name == "Admin"


def test_a_post_without_the_xsrf_header_is_refused_by_the_gateway(stack):
    browser = gateway_sign_in(stack, "acme", "admin@acme.example")
    stack.get(browser, "/manage/roles/")
    response = stack.post(browser, "/manage/roles/", {"scope-user": "Admin"}, xsrf=False)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "mdsp.core.gateway.forbidden"
    assert not ScopeRoleMapping.objects.filter(tenant="acme").exists()


def test_the_language_form_behind_the_gateway(stack):
    browser = gateway_sign_in(stack, "acme", "user@acme.example")
    account = stack.get(browser, "/account/")
    assert "sign out with Sign out in the MindSphere bar" in account.text
    response = stack.post(browser, "/account/language/", {"language": "de", "next": "/account/"})
    assert response.status_code == 302
    assert 'lang="de"' in stack.get(browser, "/account/").text


def test_the_gateway_session_over_redirects_the_check_to_its_sign_in(stack):
    browser = gateway_sign_in(stack, "acme", "user@acme.example")
    assert stack.get(browser, "/sso/session/").status_code == 204
    stack.emulator.fault(mode="session_over", tenant="acme")
    over = stack.get(browser, "/sso/session/", allow_redirects=False)
    assert over.status_code == 302 and "/_gateway/signin" in over.headers["Location"]


def test_two_tenants_side_by_side_through_the_gateway_see_only_their_own(stack):
    acme = gateway_sign_in(stack, "acme", "admin@acme.example")
    globex = gateway_sign_in(stack, "globex", "admin@globex.example")
    acme_roles = stack.get(acme, "/manage/roles/").text
    globex_roles = stack.get(globex, "/manage/roles/").text
    assert re.search(r'name="tenant" value="acme"', acme_roles)
    assert re.search(r'name="tenant" value="globex"', globex_roles)
    assert "globex" not in stack.get(acme, "/account/").text


def test_an_export_started_through_the_gateway_finishes_after_the_requests_token_expired(stack, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    browser = gateway_sign_in(stack, "acme", "user@acme.example")
    assert stack.get(browser, f"/assets/{PUMP}/").status_code == 200
    today = date.today()
    days = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    response = stack.post(browser, f"/assets/{PUMP}/export/", {"property_set": "Environment", **days})
    assert response.status_code == 302, response.text[:500]
    export = Export.objects.get()
    assert export.technical and export.token_record_id is None and not TokenRecord.objects.exists()
    issued = technical_tokens(stack.emulator)
    # The worker gets to it 31 minutes later: the token of the request that started it (30 minutes,
    # renewed by the gateway only) is over, the export is not.
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        export_time_series.apply(args=(export.pk,))
    export.refresh_from_db()
    assert (export.status, export.progress) == (Export.Status.DONE, 100) and export.rows > 0
    assert technical_tokens(stack.emulator) > issued  # read with the app's own token for acme
    download = stack.get(browser, f"/assets/exports/{export.pk}/download/")
    assert download.status_code == 200 and download.text.startswith("_time,temperature,humidity")


def technical_tokens(emulator: Emulator, tenant: str = "acme") -> int:
    return emulator.stats()["tenants"].get(tenant, {}).get("technical_tokens", 0)
