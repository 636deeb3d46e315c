"""`/.well-known/` files for Android App Links and iOS Universal Links (docs/well-known.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from webapp.wellknown import check_android_app_links, check_ios_universal_links

ASSETLINKS = "/.well-known/assetlinks.json"
AASA = "/.well-known/apple-app-site-association"
PACKAGE = "com.example.mobilestarter"
FINGERPRINT = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"
FINGERPRINT_2 = ":".join(["0A"] * 32)
APP_ID = "ABCDE12345.com.example.mobilestarter"
APP_ID_2 = "ZYXWV98765.com.example.mobilestarter.beta"
ROOT = Path(__file__).resolve().parents[2]


def configure(settings, **values) -> None:
    for name, value in values.items():
        setattr(settings, name, value)


@pytest.fixture
def unconfigured(settings):
    configure(
        settings, ANDROID_APP_PACKAGE="", ANDROID_APP_SHA256_FINGERPRINTS=[], IOS_APP_IDS=[], IOS_APP_PATHS=["/*"]
    )
    return settings


# --- Android: assetlinks.json ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "fingerprints"),
    [("", []), (PACKAGE, []), ("", [FINGERPRINT])],
)
def test_assetlinks_is_404_until_configured(client, db, unconfigured, package, fingerprints):
    configure(unconfigured, ANDROID_APP_PACKAGE=package, ANDROID_APP_SHA256_FINGERPRINTS=fingerprints)
    assert client.get(ASSETLINKS).status_code == 404


@pytest.mark.parametrize(
    ("fingerprints", "expected"),
    [
        ([FINGERPRINT], [FINGERPRINT]),
        ([FINGERPRINT, FINGERPRINT_2], [FINGERPRINT, FINGERPRINT_2]),
        ([FINGERPRINT.lower()], [FINGERPRINT]),  # as keytool prints them: upper case
        (f"{FINGERPRINT},{FINGERPRINT_2}", [FINGERPRINT, FINGERPRINT_2]),  # a string set in settings
    ],
)
def test_assetlinks_json(client, unconfigured, fingerprints, expected):
    configure(unconfigured, ANDROID_APP_PACKAGE=PACKAGE, ANDROID_APP_SHA256_FINGERPRINTS=fingerprints)
    response = client.get(ASSETLINKS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == [
        {
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": {"namespace": "android_app", "package_name": PACKAGE, "sha256_cert_fingerprints": expected},
        }
    ]


# --- iOS: apple-app-site-association --------------------------------------------------------------


def test_apple_app_site_association_is_404_until_configured(client, db, unconfigured):
    assert client.get(AASA).status_code == 404


@pytest.mark.parametrize(
    ("app_ids", "paths", "components"),
    [
        ([APP_ID], ["/*"], [{"/": "/*"}]),
        ([APP_ID, APP_ID_2], ["/home/*", "/account/"], [{"/": "/home/*"}, {"/": "/account/"}]),
    ],
)
def test_apple_app_site_association_json(client, unconfigured, app_ids, paths, components):
    configure(unconfigured, IOS_APP_IDS=app_ids, IOS_APP_PATHS=paths)
    response = client.get(AASA)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "applinks": {"details": [{"appIDs": app_ids, "components": components}]},
        "webcredentials": {"apps": app_ids},
    }


# --- exact paths: the phones follow no redirect -----------------------------------------------------


@pytest.fixture
def configured(unconfigured):
    configure(
        unconfigured,
        ANDROID_APP_PACKAGE=PACKAGE,
        ANDROID_APP_SHA256_FINGERPRINTS=[FINGERPRINT],
        IOS_APP_IDS=[APP_ID],
        APPEND_SLASH=True,
    )
    return unconfigured


@pytest.mark.parametrize("path", [ASSETLINKS, AASA])
def test_served_at_the_exact_path_without_redirect(client, configured, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Location" not in response


@pytest.mark.parametrize("path", [ASSETLINKS + "/", AASA + "/", AASA + ".json"])
def test_other_spellings_are_not_redirected(client, db, configured, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [ASSETLINKS, AASA])
def test_unconfigured_is_not_redirected_either(client, db, unconfigured, path):
    unconfigured.APPEND_SLASH = True
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [ASSETLINKS, AASA])
def test_head_works_and_writes_are_refused(client, configured, path):
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


# --- system checks ---------------------------------------------------------------------------------


def test_unconfigured_and_configured_settings_pass(unconfigured):
    assert check_android_app_links() + check_ios_universal_links() == []
    configure(
        unconfigured,
        ANDROID_APP_PACKAGE=PACKAGE,
        ANDROID_APP_SHA256_FINGERPRINTS=[FINGERPRINT, FINGERPRINT.lower()],
        IOS_APP_IDS=[APP_ID, APP_ID_2],
        IOS_APP_PATHS=["/*", "/home/*", "*"],
    )
    assert check_android_app_links() + check_ios_universal_links() == []


@pytest.mark.parametrize(
    "values",
    [
        {"ANDROID_APP_PACKAGE": PACKAGE, "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT[:-3]]},  # 31 pairs
        {"ANDROID_APP_PACKAGE": PACKAGE, "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT + ":AB"]},  # 33 pairs
        {"ANDROID_APP_PACKAGE": PACKAGE, "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT.replace(":", "")]},
        {"ANDROID_APP_PACKAGE": PACKAGE, "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT.replace("E5", "G5")]},
        {"ANDROID_APP_PACKAGE": PACKAGE, "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT.replace(":", "-")]},
        {"ANDROID_APP_PACKAGE": PACKAGE, "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT, "not-a-fingerprint"]},
        {"ANDROID_APP_PACKAGE": "mobilestarter", "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT]},
        {"ANDROID_APP_PACKAGE": "com.example.1app", "ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT]},
        {"ANDROID_APP_PACKAGE": PACKAGE},
        {"ANDROID_APP_SHA256_FINGERPRINTS": [FINGERPRINT]},
    ],
)
def test_bad_android_settings_are_webapp_e001(unconfigured, values):
    configure(unconfigured, **values)
    assert {message.id for message in check_android_app_links()} == {"webapp.E001"}
    assert check_ios_universal_links() == []


@pytest.mark.parametrize(
    "values",
    [
        {"IOS_APP_IDS": ["com.example.mobilestarter"]},  # no Team ID
        {"IOS_APP_IDS": ["ABCDE1234.com.example.mobilestarter"]},  # 9 characters
        {"IOS_APP_IDS": ["abcde12345.com.example.mobilestarter"]},  # Team IDs are upper case
        {"IOS_APP_IDS": ["ABCDE12345"]},
        {"IOS_APP_IDS": ["ABCDE12345.com.example/app"]},
        {"IOS_APP_IDS": [APP_ID, "ABCDE12345."]},
        {"IOS_APP_IDS": [APP_ID], "IOS_APP_PATHS": ["home/*"]},
        {"IOS_APP_IDS": [APP_ID], "IOS_APP_PATHS": ["/home?x=1"]},
        {"IOS_APP_IDS": [APP_ID], "IOS_APP_PATHS": []},
    ],
)
def test_bad_ios_settings_are_webapp_e002(unconfigured, values):
    configure(unconfigured, **values)
    assert {message.id for message in check_ios_universal_links()} == {"webapp.E002"}
    assert check_android_app_links() == []


def test_checks_are_registered(unconfigured):
    configure(unconfigured, ANDROID_APP_PACKAGE=PACKAGE, ANDROID_APP_SHA256_FINGERPRINTS=["AA:BB"], IOS_APP_IDS=["bad"])
    ids = {message.id for message in run_checks()}
    assert {"webapp.E001", "webapp.E002"} <= ids


# --- settings come from the environment -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["", [], [], ["/*"]]),
        (
            {
                "ANDROID_APP_PACKAGE": PACKAGE,
                "ANDROID_APP_SHA256_FINGERPRINTS": f"{FINGERPRINT},{FINGERPRINT_2}",
                "IOS_APP_IDS": f"{APP_ID}, {APP_ID_2}",
                "IOS_APP_PATHS": "/home/*,/account/",
            },
            [PACKAGE, [FINGERPRINT, FINGERPRINT_2], [APP_ID, APP_ID_2], ["/home/*", "/account/"]],
        ),
    ],
)
def test_settings_come_from_the_environment(env, expected):
    names = ["ANDROID_APP_PACKAGE", "ANDROID_APP_SHA256_FINGERPRINTS", "IOS_APP_IDS", "IOS_APP_PATHS"]
    code = (
        "import django, json; django.setup(); from webapp.app_settings import app_settings; "
        f"print(json.dumps([getattr(app_settings, n) for n in {names!r}]))"
    )
    clean = {key: value for key, value in os.environ.items() if key not in names}
    clean["DJANGO_SETTINGS_MODULE"] = "project.settings"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == expected
