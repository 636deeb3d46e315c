"""Per-tenant RSA signing keys and their JWKS (MindSphere's /token_keys)."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from typing import cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from jwt.algorithms import RSAAlgorithm

from .models import SigningKey, Tenant


def new_signing_key(tenant: Tenant) -> SigningKey:
    """Generate and store a fresh RSA key; it becomes the one new tokens are signed with."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningKey.objects.create(
        tenant=tenant, kid=f"key-{tenant.name}-{secrets.token_hex(4)}", private_key_pem=pem
    )


def current_signing_key(tenant: Tenant) -> SigningKey:
    key = tenant.keys.filter(active=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        return tenant.keys.filter(active=True).first() or new_signing_key(tenant)


def private_key(key: SigningKey) -> rsa.RSAPrivateKey:
    """The key's private half, parsed once per process: every access and refresh token is signed with it."""
    return _private_key(key.private_key_pem)


@lru_cache(maxsize=128)
def _private_key(private_key_pem: str) -> rsa.RSAPrivateKey:
    # load_pem_private_key checks the key (about 50 ms for 2048 bits); handed a PEM, PyJWT parsed
    # it again for every token, which made the emulator, not the app, the load test's bottleneck.
    return cast(rsa.RSAPrivateKey, serialization.load_pem_private_key(private_key_pem.encode(), password=None))


def public_pem(key: SigningKey) -> str:
    return _public_pem(key.private_key_pem)


@lru_cache(maxsize=128)
def _public_pem(private_key_pem: str) -> str:
    # Parsing an RSA key costs tens of milliseconds; every gateway call needs the public half.
    return (
        _private_key(private_key_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def jwk(key: SigningKey) -> dict:
    """A JWK for the key, with the PEM in `value` as MindSphere/UAA publishes it."""
    pem = public_pem(key)
    public_key = cast(rsa.RSAPublicKey, serialization.load_pem_public_key(pem.encode()))
    data = json.loads(RSAAlgorithm.to_jwk(public_key))
    data.update({"kid": key.kid, "alg": "RS256", "use": "sig", "value": pem})
    return data


def jwks(tenant: Tenant) -> dict:
    current_signing_key(tenant)
    return {"keys": [jwk(key) for key in tenant.keys.all()]}
