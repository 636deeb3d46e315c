"""The tenant a person types is untrusted text that becomes part of a URL."""

from __future__ import annotations

import pytest

from sso import tenants
from sso.tenants import InvalidTenantError, clean_tenant


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("acme", "acme"), (" ACME ", "acme"), ("my-tenant2", "my-tenant2"), ("ab", "ab"), ("a" * 63, "a" * 63)],
)
def test_clean_tenant_accepts_and_normalises(raw, expected):
    assert clean_tenant(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "a",
        "evil.com/x",
        "a.b",
        "%2e",
        "%2e%2e",
        "../x",
        "acme?x=1",
        "acme#",
        "ünïcode",
        "\u0430cme",  # Cyrillic a: looks like "acme"
        "\u212aey",  # Kelvin sign: lower-cases to an ASCII "k" ("key")
        "ACME\u212a",
        "\u0130stanbul",  # dotted capital I
        "a" * 64,
        "a" * 300,
        "-acme",
        "acme-",
        "1acme",
        "ac me",
        "acme\n",
        "acme\x00",
        "acme\r\nHost: evil",
        "acme@evil.com",
    ],
)
def test_clean_tenant_rejects(raw):
    with pytest.raises(InvalidTenantError):
        clean_tenant(raw)


def test_rejection_message_is_plain_text():
    with pytest.raises(InvalidTenantError, match="tenant"):
        clean_tenant("evil.com/x")


def test_allowed_tenants_restrict_the_choice(settings):
    settings.MINDSPHERE_ALLOWED_TENANTS = ["acme"]
    assert clean_tenant("ACME") == "acme"
    with pytest.raises(InvalidTenantError, match="not available"):
        clean_tenant("globex")


def test_allowed_tenants_compare_case_insensitively(settings):
    settings.MINDSPHERE_ALLOWED_TENANTS = ["Acme"]
    assert clean_tenant("acme") == "acme"


def test_url_builders_fill_tenant_and_region(settings):
    settings.MINDSPHERE_AUTH_URL = "https://{tenant}.piam.{region}.mindsphere.io/"
    settings.MINDSPHERE_REGION = "cn1"
    base = "https://acme.piam.cn1.mindsphere.io"
    assert tenants.auth_base("acme") == base
    assert tenants.authorize_url("acme") == f"{base}/oauth/authorize"
    assert tenants.token_url("acme") == f"{base}/oauth/token"
    assert tenants.issuer("acme") == f"{base}/oauth/token"
    assert tenants.keys_url("acme") == f"{base}/token_keys"
    assert tenants.logout_url("acme") == f"{base}/logout.do"


def test_url_builders_with_path_style_template(settings):
    settings.MINDSPHERE_AUTH_URL = "http://127.0.0.1:8001/{tenant}"
    assert tenants.token_url("globex") == "http://127.0.0.1:8001/globex/oauth/token"
    assert tenants.keys_url("globex") == "http://127.0.0.1:8001/globex/token_keys"


def test_non_ascii_is_refused_before_lower_casing():
    assert "\u212aey".lower() == "key"  # why the order matters
    with pytest.raises(InvalidTenantError, match="letters, digits or hyphens"):
        clean_tenant("\u212aey")
