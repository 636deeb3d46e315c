"""A person administers the emulator in its Django admin, as a tenant admin would in Settings."""

from __future__ import annotations

import re

import jwt
import requests

from tests import oauth_client

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def admin_session(emulator) -> requests.Session:
    browser = requests.Session()
    login = f"{emulator.url}/_emulator/admin/login/"
    page = browser.get(login, timeout=10)
    response = browser.post(
        login,
        data={
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            "username": "admin",
            "password": "demo",
            "next": "/_emulator/admin/",
        },
        headers={"Referer": login},
        timeout=10,
    )
    assert response.ok and "/_emulator/admin/login/" not in response.url
    return browser


def test_admin_assigns_an_app_role_that_the_next_token_carries(emulator_factory):
    emulator = emulator_factory()
    browser = admin_session(emulator)
    users = browser.get(f"{emulator.url}/_emulator/admin/emulator/tenantuser/?q=norole", timeout=10)
    assert users.status_code == 200 and "norole@acme.example" in users.text
    change_url = re.search(r"href=\"(/_emulator/admin/emulator/tenantuser/\d+/change/)", users.text).group(1)
    form = browser.get(emulator.url + change_url, timeout=10)
    user_scope = re.search(r'<option value="(\d+)"[^>]*>mobilestarter\.user</option>', form.text).group(1)
    tenant = re.search(r'<option value="(\d+)" selected>acme</option>', form.text).group(1)
    saved = browser.post(
        emulator.url + change_url,
        data={
            "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
            "tenant": tenant,
            "email": "norole@acme.example",
            "new_password": "",
            "subtenant": "",
            "core_role": "mdsp:core:StandardUser",
            "app_scopes": [user_scope],
            "is_active": "on",
            "_save": "Save",
        },
        headers={"Referer": emulator.url + change_url},
        allow_redirects=False,
        timeout=10,
    )
    assert saved.status_code == 302, saved.text[:2000]
    token = oauth_client.sign_in(emulator, "acme", "norole@acme.example")
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert "mobilestarter.user" in claims["scope"]


def test_admin_adds_a_tenant_with_its_own_signing_key(emulator_factory):
    emulator = emulator_factory()
    browser = admin_session(emulator)
    add_url = f"{emulator.url}/_emulator/admin/emulator/tenant/add/"
    form = browser.get(add_url, timeout=10)
    saved = browser.post(
        add_url,
        data={"csrfmiddlewaretoken": CSRF.search(form.text).group(1), "name": "initech", "display_name": "Initech"},
        headers={"Referer": add_url},
        allow_redirects=False,
        timeout=10,
    )
    assert saved.status_code == 302
    keys = requests.get(f"{emulator.url}/initech/token_keys", timeout=10).json()["keys"]
    assert len(keys) == 1 and keys[0]["kid"].startswith("key-initech-")
    sign_in = requests.get(f"{emulator.url}/initech/oauth/authorize", timeout=10)
    assert sign_in.status_code != 404


def test_admin_needs_a_sign_in(emulator):
    response = requests.get(f"{emulator.url}/_emulator/admin/emulator/tenantuser/", allow_redirects=False, timeout=10)
    assert response.status_code == 302 and "/_emulator/admin/login/" in response.headers["Location"]
