"""Encryption of tokens at rest, with keys derived from SECRET_KEY (and its fallbacks).

Fernet (AES-CBC + HMAC) from `cryptography`; MultiFernet decrypts with any fallback key, so
rotating SECRET_KEY with SECRET_KEY_FALLBACKS keeps people signed in, and rotating it without
fallbacks makes old records undecryptable, which signs those people out.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"mindsphere-mobile-starter sso token encryption v1"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keyring() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def encrypt(value: str) -> str:
    return _keyring().encrypt(value.encode()).decode()


class UndecryptableTokenError(Exception):
    """No current key can read a stored token (e.g. SECRET_KEY was rotated without fallbacks)."""


def decrypt(value: str) -> str:
    """The plain token; UndecryptableTokenError when no current key can read it."""
    try:
        return _keyring().decrypt(value.encode()).decode()
    except InvalidToken:
        raise UndecryptableTokenError from None
