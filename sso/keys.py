"""A tenant's signing keys (its `token_keys` JWKS), cached in the Django cache for all instances.

With REDIS_URL set the cache is shared, so one fetch serves every instance and worker; the local
memory cache serves one process. The set is fetched again at most once per verification when a
token names a key id the cached set does not have (MindSphere rotated its keys), and otherwise
after MINDSPHERE_KEYS_CACHE_SECONDS (Mendix: 24 h). PyJWT parses the set and the keys.

A Redis that is down or restarted empty is a cache miss (django-redis IGNORE_EXCEPTIONS,
project/settings.py): the set is fetched from the tenant, so verification goes on
(tests/test_faults.py).
"""

from __future__ import annotations

import hashlib

import jwt
import requests
from django.core.cache import cache

from mindsphere.exceptions import ProviderUnavailableError

from . import tenants
from .app_settings import app_settings
from .exceptions import TokenVerificationError

CACHE_PREFIX = "mindsphere-jwks:"
GENERATION = CACHE_PREFIX + "generation"  # bumped by forget(): every cached set is then unused


def _cache_key(url: str) -> str:
    generation = cache.get_or_set(GENERATION, 1, None)
    return f"{CACHE_PREFIX}{generation}:{hashlib.sha256(url.encode()).hexdigest()}"


def _fetch(url: str) -> dict:
    try:
        response = requests.get(
            url, timeout=app_settings.MINDSPHERE_HTTP_TIMEOUT, headers={"Accept": "application/json"}
        )
    except (requests.Timeout, requests.ConnectionError) as error:
        raise ProviderUnavailableError(f"signing keys unreachable: {type(error).__name__}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise ProviderUnavailableError.from_response(response, "token_keys")
    try:
        body = response.json()
    except ValueError:  # e.g. a proxy's HTML page: an outage, like a 5xx
        raise ProviderUnavailableError("token_keys answered something that is not JSON") from None
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("keys"), list):
        raise TokenVerificationError(f"the tenant's token_keys answered {response.status_code} without a key set")
    return body


def _find(jwks: dict, kid: str) -> jwt.PyJWK | None:
    try:
        keys = jwt.PyJWKSet.from_dict(jwks).keys
    except jwt.PyJWKSetError:
        return None
    return next((key for key in keys if kid and key.key_id == kid), None)


def signing_key(tenant: str, kid: str) -> jwt.PyJWK:
    """The tenant's public key with id `kid`: TokenVerificationError if the tenant has none such,
    ProviderUnavailableError if its keys can't be fetched."""
    url = tenants.keys_url(tenant)
    key = _cache_key(url)
    cached = cache.get(key)
    found = _find(cached, kid) if cached else None
    if found is None:
        fresh = _fetch(url)
        cache.set(key, fresh, app_settings.MINDSPHERE_KEYS_CACHE_SECONDS)
        found = _find(fresh, kid)
    if found is None:
        raise TokenVerificationError("signed with a key the tenant does not publish")
    return found


def forget() -> None:
    """Stop using every cached key set (tests; after changing MINDSPHERE_AUTH_URL). They expire by themselves."""
    try:
        cache.incr(GENERATION)
    except ValueError:  # not set yet: nothing cached under a generation
        cache.set(GENERATION, 2, None)
