"""System checks on the MindSphere settings (docs/configuration.md lists the ids)."""

from __future__ import annotations

import pytest

from sso.checks import check_mindsphere_settings


def ids(settings_overrides: dict, settings) -> list[str]:
    for name, value in settings_overrides.items():
        setattr(settings, name, value)
    return [message.id for message in check_mindsphere_settings()]


def test_default_settings_pass():
    assert check_mindsphere_settings() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"MINDSPHERE_AUTH_URL": "https://acme.piam.eu1.mindsphere.io"}, ["sso.E001"]),
        ({"MINDSPHERE_AUTH_URL": "https://{tenant}.piam.{zone}.mindsphere.io"}, ["sso.E001"]),
        ({"MINDSPHERE_AUTH_URL": "https://{tenant}.piam.{0}.mindsphere.io"}, ["sso.E001"]),
        ({"MINDSPHERE_GATEWAY_URL": "https://gateway.{zone}.mindsphere.io"}, ["sso.E001"]),
        ({"MINDSPHERE_GATEWAY_URL": "https://gateway.{region.name}.mindsphere.io"}, ["sso.E001"]),
        ({"MINDSPHERE_GATEWAY_URL": "https://gateway.{region!x}.mindsphere.io"}, ["sso.E001"]),
        ({"MINDSPHERE_GATEWAY_URL": "https://gateway.{region.mindsphere.io"}, ["sso.E001"]),
        ({"MINDSPHERE_AUTH_URL": "http://{tenant}.piam.{region}.mindsphere.io"}, ["sso.E002"]),
        ({"MINDSPHERE_AUTH_URL": "http://10.0.0.5:8001/{tenant}"}, ["sso.E002"]),
        ({"MINDSPHERE_AUTH_URL": "http://127.0.0.1.evil.example/{tenant}"}, ["sso.E002"]),
        ({"MINDSPHERE_GATEWAY_URL": "http://gateway.eu1.mindsphere.io"}, ["sso.E002"]),
        ({"MINDSPHERE_APP_NAME": "Mobile"}, ["sso.E003"]),
        ({"MINDSPHERE_APP_NAME": "a" * 21}, ["sso.E003"]),
        ({"MINDSPHERE_APP_NAME": "1app"}, ["sso.E003"]),
        ({"MINDSPHERE_APP_NAME": ""}, ["sso.E003"]),
        ({"MINDSPHERE_APP_NAME": "app.name"}, ["sso.E003"]),
        ({"SOCIALACCOUNT_STORE_TOKENS": True}, ["sso.E004"]),
        ({"MINDSPHERE_TOKEN_LEEWAY": 60, "MINDSPHERE_CHECK_INTERVAL": 60}, ["sso.W001"]),
        ({"MINDSPHERE_TOKEN_LEEWAY": 30, "MINDSPHERE_CHECK_INTERVAL": 60}, ["sso.W001"]),
        # The Launchpad entrance: an OS Bar to load, and the gateway's origin for POSTs.
        ({"MINDSPHERE_GATEWAY_SIGN_IN": True, "CSRF_TRUSTED_ORIGINS": []}, ["sso.W002"]),
        (
            {"MINDSPHERE_GATEWAY_SIGN_IN": True, "MINDSPHERE_OSBAR_URL": "", "CSRF_TRUSTED_ORIGINS": ["https://g"]},
            ["sso.E005"],
        ),
        (
            {"MINDSPHERE_GATEWAY_SIGN_IN": True, "MINDSPHERE_REGION": "", "CSRF_TRUSTED_ORIGINS": ["https://g"]},
            ["sso.E005"],
        ),
        (
            {
                "MINDSPHERE_GATEWAY_SIGN_IN": True,
                "MINDSPHERE_OSBAR_URL": "http://static.eu1.mindsphere.io/osbar/v4/js/main.min.js",
                "CSRF_TRUSTED_ORIGINS": ["https://g"],
            },
            ["sso.E005"],
        ),
        ({"MINDSPHERE_GATEWAY_SIGN_IN": False, "MINDSPHERE_OSBAR_URL": ""}, []),
    ],
)
def test_bad_settings_are_reported(settings, overrides, expected):
    assert ids(overrides, settings) == expected


@pytest.mark.parametrize(
    "overrides",
    [
        {
            "MINDSPHERE_AUTH_URL": "http://127.0.0.1:8001/{tenant}",
            "MINDSPHERE_GATEWAY_URL": "http://127.0.0.1:8001/gateway",
        },
        {"MINDSPHERE_AUTH_URL": "http://localhost:8001/{tenant}"},
        {"MINDSPHERE_AUTH_URL": "http://[::1]:8001/{tenant}"},
        {
            "MINDSPHERE_AUTH_URL": "https://{tenant}.piam.{region}.mindsphere.io",
            "MINDSPHERE_GATEWAY_URL": "https://gateway.{region}.mindsphere.io",
        },
        {"MINDSPHERE_APP_NAME": "a" * 20},
        {"MINDSPHERE_APP_NAME": "my-app2"},
        {"MINDSPHERE_TOKEN_LEEWAY": 61, "MINDSPHERE_CHECK_INTERVAL": 60},
    ],
)
def test_good_settings_pass(settings, overrides):
    assert ids(overrides, settings) == []


def test_several_problems_are_all_reported(settings):
    overrides = {
        "MINDSPHERE_AUTH_URL": "http://example.com",
        "MINDSPHERE_APP_NAME": "Bad",
        "SOCIALACCOUNT_STORE_TOKENS": True,
    }
    assert sorted(ids(overrides, settings)) == ["sso.E001", "sso.E002", "sso.E003", "sso.E004"]
