"""`manage.py mindsphere_registration`: both Developer Cockpit registrations, from the settings."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def registration(**options) -> str:
    out = io.StringIO()
    call_command("mindsphere_registration", stdout=out, **options)
    return out.getvalue()


def test_both_registrations_come_from_the_settings(settings):
    settings.MINDSPHERE_APP_NAME = "fleetapp"
    settings.MINDSPHERE_CLIENT_ID = "mobile-client-acme-fleetapp"
    text = registration(base_url="https://fleet.example.com/")
    assert "Internal name:  fleetapp" in text
    assert "fleetapp.admin      -> Admin" in text and "fleetapp.user       -> User" in text
    assert "admin      admin, user" in text and "user       user" in text
    mobile, standard = text.split("1. Mobile", 1)[1].split("2. Standard", 1)
    assert "Client id:      mobile-client-acme-fleetapp" in mobile
    assert "Redirect URI:   https://fleet.example.com/accounts/mindsphere/login/callback/" in mobile
    assert "https://fleet.example.com/.well-known/assetlinks.json" in mobile
    assert "https://fleet.example.com/.well-known/apple-app-site-association" in mobile
    assert "Endpoint:       /**" in standard


@pytest.mark.parametrize("region", ["eu1", "eu2"])
def test_the_launchpad_csp_names_the_os_bar_of_the_region_whether_or_not_sign_in_is_on(settings, region):
    settings.MINDSPHERE_REGION = region
    settings.MINDSPHERE_GATEWAY_SIGN_IN = False
    csp = next(line for line in registration().splitlines() if line.strip().startswith("CSP:"))
    assert csp.split("CSP:", 1)[1].strip().startswith("default-src 'self'")
    assert f"script-src 'self' https://static.{region}.mindsphere.io" in csp
    assert "'unsafe-inline'" not in csp
    assert csp == next(line for line in registration().splitlines() if line.strip().startswith("CSP:"))  # stable


def test_the_docs_send_readers_to_the_command():
    assert "manage.py mindsphere_registration" in (ROOT / "docs" / "launchpad.md").read_text()
