"""Access token validation against the emulator's real keys, and forged tokens that must fail.

Forgeries are signed with the emulator's own tenant keys (read from its SQLite file) where a test
needs a valid signature on wrong claims, so only the claim under test is wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from mindsphere.exceptions import ProviderUnavailableError
from sso import verification
from sso.app_settings import app_settings
from sso.exceptions import TokenVerificationError
from sso.verification import verify_access_token
from tests import oauth_client
from tests.servers import Emulator, free_port


@dataclass(frozen=True)
class TenantKey:
    kid: str
    private_pem: str

    @property
    def public_pem(self) -> str:
        private = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        return (
            private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )


def emulator_database(emulator: Emulator) -> Path:
    return emulator.log_path.parent / "emulator.sqlite3"


def tenant_key(emulator: Emulator, tenant: str) -> TenantKey:
    """The key the emulator signs the tenant's tokens with."""
    with closing(sqlite3.connect(emulator_database(emulator), timeout=10)) as db:
        row = db.execute(
            "SELECT k.kid, k.private_key_pem FROM emulator_signingkey k JOIN emulator_tenant t ON t.id = k.tenant_id "
            "WHERE t.name = ? AND k.active ORDER BY k.created DESC, k.id DESC LIMIT 1",
            (tenant,),
        ).fetchone()
    assert row, f"the emulator has no signing key for {tenant}"
    return TenantKey(*row)


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rs256(claims: dict, pem: str, kid: str) -> str:
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def acme_token(emulator) -> dict:
    """One real sign-in for the module: the emulator's token response for admin@acme.example."""
    return oauth_client.sign_in(emulator, "acme", "admin@acme.example")


@pytest.fixture
def app_uses_emulator(settings, emulator):
    settings.MINDSPHERE_AUTH_URL = emulator.url + "/{tenant}"
    settings.MINDSPHERE_CLIENT_ID = oauth_client.CLIENT_ID
    verification.clear_key_cache()
    yield emulator
    verification.clear_key_cache()


@pytest.fixture
def claims(acme_token, app_uses_emulator) -> dict:
    """The real token's claims, re-timed to now: a base for forgeries that differ in one claim."""
    now = int(time.time())
    real = jwt.decode(acme_token["access_token"], options={"verify_signature": False})
    return {**real, "iat": now, "exp": now + 3600}


@pytest.fixture
def acme_key(app_uses_emulator) -> TenantKey:
    return tenant_key(app_uses_emulator, "acme")


@pytest.fixture
def fetches(monkeypatch) -> list[str]:
    """The JWKS requests made (counted, not mocked: the real fetch still runs)."""
    from sso import keys

    calls: list[str] = []
    original = keys._fetch

    def counting(url: str) -> dict:
        calls.append(url)
        return original(url)

    monkeypatch.setattr(keys, "_fetch", counting)
    return calls


def test_real_token_verifies(acme_token, app_uses_emulator):
    claims = verify_access_token(acme_token["access_token"], "acme")
    assert claims["ten"] == "acme"
    assert claims["email"] == "admin@acme.example"
    assert claims["user_id"]
    assert claims["client_id"] == oauth_client.CLIENT_ID
    assert "mobilestarter.admin" in claims["scope"]


def test_token_signed_with_the_tenant_key_and_right_claims_verifies(claims, acme_key):
    assert verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")["ten"] == "acme"


def test_alg_none_is_rejected(claims, acme_key):
    token = jwt.encode(claims, None, algorithm="none", headers={"kid": acme_key.kid})
    with pytest.raises(TokenVerificationError, match="algorithm"):
        verify_access_token(token, "acme")


def test_hs256_with_the_public_key_as_secret_is_rejected(claims, acme_key):
    """The classic RS/HS confusion: PyJWT refuses to make this token, so it is built by hand."""
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': acme_key.kid}).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(acme_key.public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(TokenVerificationError, match="algorithm"):
        verify_access_token(f"{signing_input}.{b64(signature)}", "acme")


def test_own_key_with_unpublished_kid_is_rejected(claims):
    with pytest.raises(TokenVerificationError, match="does not publish"):
        verify_access_token(rs256(claims, new_private_pem(), "attacker-key"), "acme")


def test_own_key_with_the_tenants_kid_is_rejected(claims, acme_key):
    with pytest.raises(TokenVerificationError, match="Signature"):
        verify_access_token(rs256(claims, new_private_pem(), acme_key.kid), "acme")


def test_missing_kid_is_rejected(claims, acme_key):
    token = jwt.encode(claims, acme_key.private_pem, algorithm="RS256")
    with pytest.raises(TokenVerificationError):
        verify_access_token(token, "acme")


@pytest.mark.parametrize(
    "issuer",
    [
        "https://evil.example/oauth/token",
        "{emulator}/globex/oauth/token",
        "{emulator}/acme/oauth/token/",
        "{emulator}/acme",
    ],
)
def test_wrong_issuer_is_rejected(claims, acme_key, app_uses_emulator, issuer):
    claims["iss"] = issuer.format(emulator=app_uses_emulator.url)
    with pytest.raises(TokenVerificationError, match="Issuer"):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


def test_claims_of_another_tenant_with_the_tenants_key_are_rejected(claims, acme_key):
    claims["ten"] = "globex"
    with pytest.raises(TokenVerificationError, match="another tenant"):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


def test_real_token_of_one_tenant_is_rejected_for_another(acme_token, app_uses_emulator):
    with pytest.raises(TokenVerificationError):
        verify_access_token(acme_token["access_token"], "globex")


def test_other_tenants_key_cannot_sign_for_this_tenant(claims, app_uses_emulator):
    globex = tenant_key(app_uses_emulator, "globex")
    with pytest.raises(TokenVerificationError, match="does not publish"):
        verify_access_token(rs256(claims, globex.private_pem, globex.kid), "acme")


def test_expired_beyond_skew_is_rejected(claims, acme_key, settings):
    now = int(time.time())
    claims.update(iat=now - 7200, exp=now - app_settings.MINDSPHERE_CLOCK_SKEW - 30)
    with pytest.raises(TokenVerificationError, match="Expired"):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


def test_expired_within_skew_is_accepted(claims, acme_key, settings):
    now = int(time.time())
    claims.update(iat=now - 3600, exp=now - app_settings.MINDSPHERE_CLOCK_SKEW // 2)
    assert verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


def test_issued_in_the_future_beyond_skew_is_rejected(claims, acme_key, settings):
    now = int(time.time())
    claims.update(iat=now + app_settings.MINDSPHERE_CLOCK_SKEW + 30, exp=now + 7200)
    with pytest.raises(TokenVerificationError, match="not yet valid"):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


@pytest.mark.parametrize("claim", ["user_id", "email", "ten", "exp", "iat", "iss"])
def test_missing_claim_is_rejected(claims, acme_key, claim):
    del claims[claim]
    with pytest.raises(TokenVerificationError):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


@pytest.mark.parametrize("claim", ["user_id", "email", "ten"])
def test_empty_required_claim_is_rejected(claims, acme_key, claim):
    claims[claim] = ""
    with pytest.raises(TokenVerificationError, match="missing"):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


@pytest.mark.parametrize(
    "client",
    [
        {"client_id": "other-app", "cid": "other-app", "aud": ["other-app"]},
        {"client_id": "other-app", "cid": "other-app", "aud": "other-app"},
        {"client_id": None, "aud": None},
    ],
)
def test_token_of_another_client_is_rejected(claims, acme_key, client):
    claims.update(client)
    with pytest.raises(TokenVerificationError, match="another client"):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (["mobilestarter.admin", "mdsp:core:TenantAdmin"], ["mobilestarter.admin", "mdsp:core:TenantAdmin"]),
        ("mobilestarter.admin  mdsp:core:TenantAdmin", ["mobilestarter.admin", "mdsp:core:TenantAdmin"]),  # RFC 9068
        ("", []),
        ([], []),
        (None, []),
    ],
)
def test_scope_as_an_array_or_a_string_comes_back_as_a_list(claims, acme_key, scope, expected):
    if scope is None:
        del claims["scope"]
    else:
        claims["scope"] = scope
    assert verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")["scope"] == expected


@pytest.mark.parametrize("scope", [{"mobilestarter.admin": True}, 1, True, ["mobilestarter.admin", 1], [None], [["a"]]])
def test_scope_that_is_neither_a_list_of_strings_nor_a_string_is_rejected(claims, acme_key, scope):
    claims["scope"] = scope
    with pytest.raises(TokenVerificationError, match="scope"):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


NOW = int(time.time())

BAD_CLAIM_TYPES = [
    ("exp", str(NOW + 3600)),
    ("exp", True),
    ("exp", [NOW + 3600]),
    ("exp", float("inf")),
    ("iat", str(NOW)),
    ("iat", True),
    ("iat", {"at": NOW}),
    ("user_id", 12345),
    ("user_id", ["u-1"]),
    ("user_id", True),
    ("user_id", "   "),
    ("user_id", "u" * 101),
    ("email", 1),
    ("email", {"address": "a@acme.example"}),
    ("email", "a" * 250 + "@acme.example"),
    ("ten", ["acme"]),
    ("ten", 1),
    ("subtenant", 1),
    ("subtenant", ["plant-1"]),
    ("client_id", 123),
    ("client_id", ["mobilestarter-local"]),
    ("aud", 123),
    ("aud", [123]),
    ("aud", {"mobilestarter-local": True}),
]


@pytest.mark.parametrize(("claim", "value"), BAD_CLAIM_TYPES, ids=[f"{c}={v!r}"[:40] for c, v in BAD_CLAIM_TYPES])
def test_claim_of_the_wrong_type_is_refused_cleanly(claims, acme_key, claim, value):
    claims[claim] = value
    with pytest.raises(TokenVerificationError):
        verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", NOW + 3600.5),
        ("iat", NOW - 0.25),
        ("aud", "mobilestarter-local"),
        ("subtenant", "plant-1"),
        ("subtenant", ""),
    ],
)
def test_claims_of_allowed_types_verify(claims, acme_key, claim, value):
    claims[claim] = value
    assert verify_access_token(rs256(claims, acme_key.private_pem, acme_key.kid), "acme")[claim] == value


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9..", "\x00\xff"])
def test_garbage_is_rejected(app_uses_emulator, garbage):
    with pytest.raises(TokenVerificationError):
        verify_access_token(garbage, "acme")


def test_keys_are_cached(acme_token, app_uses_emulator, fetches):
    verify_access_token(acme_token["access_token"], "acme")
    verify_access_token(acme_token["access_token"], "acme")
    assert fetches == [f"{app_uses_emulator.url}/acme/token_keys"]


def test_unknown_kid_fetches_the_keys_again_exactly_once(acme_token, claims, fetches):
    verify_access_token(acme_token["access_token"], "acme")
    fetches.clear()
    with pytest.raises(TokenVerificationError, match="does not publish"):
        verify_access_token(rs256(claims, new_private_pem(), "unknown-kid"), "acme")
    assert len(fetches) == 1


def test_a_key_published_after_the_keys_were_cached_is_found(acme_token, claims, app_uses_emulator, fetches):
    """Key rotation: a token signed with a key added since the last fetch still verifies."""
    verify_access_token(acme_token["access_token"], "acme")
    pem, kid = new_private_pem(), "key-acme-rotated-in-test"
    with closing(sqlite3.connect(emulator_database(app_uses_emulator), timeout=10)) as db, db:
        # Inactive: published in the JWKS, but the shared emulator keeps signing with its own key.
        db.execute(
            "INSERT INTO emulator_signingkey (kid, private_key_pem, active, created, tenant_id) "
            "SELECT ?, ?, 0, ?, id FROM emulator_tenant WHERE name = 'acme'",
            (kid, pem, timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f")),
        )
    try:
        assert verify_access_token(rs256(claims, pem, kid), "acme")["ten"] == "acme"
    finally:
        with closing(sqlite3.connect(emulator_database(app_uses_emulator), timeout=10)) as db, db:
            db.execute("DELETE FROM emulator_signingkey WHERE kid = ?", (kid,))
    assert len(fetches) == 2


def test_unreachable_keys_raise_provider_unavailable(acme_token, settings):
    settings.MINDSPHERE_AUTH_URL = f"http://127.0.0.1:{free_port()}/{{tenant}}"
    settings.MINDSPHERE_HTTP_TIMEOUT = 2
    verification.clear_key_cache()
    try:
        with pytest.raises(ProviderUnavailableError):
            verify_access_token(acme_token["access_token"], "acme")
    finally:
        verification.clear_key_cache()


class ProxyPage(BaseHTTPRequestHandler):
    """What sits in front of MindSphere during an outage: a proxy's page, not the key set."""

    status = 200

    def do_GET(self):
        body = b"<html><body>Service temporarily unavailable</body></html>"
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status", [200, 502, 503])
def test_keys_endpoint_answering_a_proxy_page_is_an_outage(acme_token, settings, status):
    server = ThreadingHTTPServer(("127.0.0.1", 0), ProxyPage)
    server.status = status
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MINDSPHERE_AUTH_URL = f"http://127.0.0.1:{server.server_address[1]}/{{tenant}}"
    verification.clear_key_cache()
    try:
        with pytest.raises(ProviderUnavailableError):
            verify_access_token(acme_token["access_token"], "acme")
    finally:
        verification.clear_key_cache()
        server.shutdown()
        server.server_close()
