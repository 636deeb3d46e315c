"""Tokens at rest: encrypted with keys derived from SECRET_KEY, readable through its fallbacks."""

from __future__ import annotations

import pytest

from sso import crypto
from sso.crypto import UndecryptableTokenError

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJ1c2VyX2lkIjoiYWRtaW4ifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize("plain", [TOKEN, "", "ünïcode ✓", "x" * 5000])
def test_round_trip(plain):
    assert crypto.decrypt(crypto.encrypt(plain)) == plain


def test_ciphertext_does_not_contain_the_plaintext():
    ciphertext = crypto.encrypt(TOKEN)
    assert TOKEN not in ciphertext
    for part in TOKEN.split("."):
        assert part not in ciphertext


def test_same_plaintext_encrypts_differently():
    assert crypto.encrypt(TOKEN) != crypto.encrypt(TOKEN)


def test_rotated_secret_key_cannot_decrypt(settings):
    ciphertext = crypto.encrypt(TOKEN)
    settings.SECRET_KEY = "a-completely-new-secret-key-for-this-test-0123456789"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(UndecryptableTokenError):
        crypto.decrypt(ciphertext)


def test_rotated_secret_key_with_fallback_still_decrypts(settings):
    old = settings.SECRET_KEY
    ciphertext = crypto.encrypt(TOKEN)
    settings.SECRET_KEY = "a-completely-new-secret-key-for-this-test-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert crypto.decrypt(ciphertext) == TOKEN
    # New values are written with the new key: readable once the fallback is dropped.
    rewritten = crypto.encrypt(TOKEN)
    settings.SECRET_KEY_FALLBACKS = []
    assert crypto.decrypt(rewritten) == TOKEN


@pytest.mark.parametrize("tampered", ["", "not-a-token", "gAAAAAB" + "A" * 80])
def test_tampered_values_cannot_be_decrypted(tampered):
    with pytest.raises(UndecryptableTokenError):
        crypto.decrypt(tampered)


def test_flipped_ciphertext_byte_cannot_be_decrypted():
    ciphertext = crypto.encrypt(TOKEN)
    middle = len(ciphertext) // 2
    flipped = ciphertext[:middle] + ("A" if ciphertext[middle] != "A" else "B") + ciphertext[middle + 1 :]
    with pytest.raises(UndecryptableTokenError):
        crypto.decrypt(flipped)
