"""Query counts of the hot paths, pinned: the session check at the floor, no N+1 on pages (docs/performance.md).

The session check's valid path reads the session and nothing else: one query with database
sessions (the bare signed-in view needs two: session and user), none with cache sessions, nor with
cached_db sessions (production's with Redis) once the cache holds the session, and never a write. Pages are pinned per kind, with database and cache sessions.
Timings are not asserted anywhere; `make bench` measures them (docs/performance.md).
"""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.contrib.sessions.backends.db import SessionStore as DatabaseSession
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sso.models import MindSphereIdentity, TokenRecord
from tests.tokens import expire_access_token, expire_refresh_token

DB, CACHE = "django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache"
CACHED_DB = "django.contrib.sessions.backends.cached_db"  # production's with REDIS_URL (project/settings.py)
HTMX = {"HX-Request": "true"}
WRITES = ("INSERT", "UPDATE", "DELETE")
# Database sessions: every request reads its session (one query); cache sessions, and cached_db
# sessions while the cache holds the session: none.
SESSION_QUERIES = {DB: 1, CACHE: 0, CACHED_DB: 0}


@pytest.fixture(params=[DB, CACHE, CACHED_DB], ids=["db-sessions", "cache-sessions", "cached-db-sessions"])
def engine(request, settings) -> str:
    """The session engine of Django's test client. With cache sessions the cache is LocMem here,
    Redis in production (project/settings.py): the query counts are the same."""
    settings.SESSION_ENGINE = request.param
    return request.param


@pytest.fixture
def signed_in(app, client, engine):
    """`client` signed in as acme's admin through the real flow (the live app and the emulator)."""
    browser = app.sign_in("acme", "admin@acme.example").browser
    key = browser.cookies["sessionid"]
    if engine == CACHE:  # the live server keeps database sessions: move this one into the cache
        store = import_module(CACHE).SessionStore()
        store.update(DatabaseSession(session_key=key).load())
        store.create()
        TokenRecord.objects.update(session_key=store.session_key)
        key = store.session_key
    elif engine == CACHED_DB:  # the session is in the database: its first read puts it in the cache
        import_module(CACHED_DB).SessionStore(session_key=key).load()
    client.cookies["sessionid"] = key
    return client


def check(client):
    return client.get("/sso/session/", headers=HTMX)


def written(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(WRITES)]


# --- the session check ----------------------------------------------------------------------------


def test_valid_check_reads_only_the_session(signed_in, engine, django_assert_num_queries):
    with django_assert_num_queries(SESSION_QUERIES[engine]):
        assert check(signed_in).status_code == 204


def test_valid_check_writes_nothing(signed_in):
    with CaptureQueriesContext(connection) as queries:
        assert check(signed_in).status_code == 204
    assert written(queries) == []


def test_the_bare_signed_in_view_costs_more_than_the_check(signed_in, settings, engine, django_assert_num_queries):
    settings.ROOT_URLCONF = "bench.urls"  # the bench's reference views
    with django_assert_num_queries(SESSION_QUERIES[engine] + 1):  # the session and the user
        assert signed_in.get("/bench/signed-in/").status_code == 204


# Refresh: session, record; under the lock the record again, its update, the user, the roles
# (own mapping?, mapping, groups) and the identity; then the session keeps the new expiry.
REFRESH = {DB: 16, CACHE: 12, CACHED_DB: 15}
# Expired: session, record; the lock finds it expired (its delete is rolled back with the error);
# signing out deletes it for good (and with it the session), then a new session takes the message.
EXPIRED = {DB: 21, CACHE: 13, CACHED_DB: 20}


def test_refresh_reads_the_record_and_keeps_the_new_expiry_in_the_session(
    signed_in, engine, emulator, django_assert_num_queries
):
    before = emulator.stats()["tenants"]["acme"].get("refreshes", 0)
    expire_access_token()
    with django_assert_num_queries(REFRESH[engine]):
        assert check(signed_in).status_code == 204
    assert emulator.stats()["tenants"]["acme"]["refreshes"] == before + 1
    with django_assert_num_queries(SESSION_QUERIES[engine]):
        assert check(signed_in).status_code == 204  # valid again, from the session alone


def test_expired_check_signs_out(signed_in, engine, django_assert_num_queries):
    expire_refresh_token()
    with django_assert_num_queries(EXPIRED[engine]):
        response = check(signed_in)
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/"
    assert TokenRecord.objects.count() == 0


def test_a_deleted_record_ends_its_session_at_the_next_check(signed_in, engine, django_assert_num_queries):
    TokenRecord.objects.all().delete()  # sign-out everywhere elsewhere, housekeeping, a deleted user
    response = check(signed_in)
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/"
    assert "Your MindSphere session has ended" in signed_in.get("/").content.decode()


# --- pages ------------------------------------------------------------------------------------------

# Beyond the session: the user, their roles (groups), and what the page itself shows.
PAGES = {
    # identity and session end come from the session; + the tenant's fleet overview (the asset list
    # block's shell: none, its region loads from /blocks/asset_list/)
    "/home/user/": 3,
    # + the fleet overview, the mapping that counts for the tenant, the number of its people, and the
    # people block: its people with their users, and their roles (one query however many: prefetched)
    "/home/admin/": 7,
    "/account/": 3,  # + the person's other sessions
    "/assets/": 3,  # + the token record (the API call needs the token)
    "/blocks/asset_list/": 3,  # a block's region: + the token record
    "/blocks/chart/?asset=8dad78db35be4e01f598bc68370b9a63&range=7d": 3,
    "/manage/roles/": 11,  # + the mapping form, the people with their roles, the history
}


@pytest.mark.parametrize("path", PAGES)
def test_page_queries(signed_in, engine, path, django_assert_num_queries):
    with django_assert_num_queries(SESSION_QUERIES[engine] + PAGES[path]):
        assert signed_in.get(path).status_code == 200


def test_asset_page_queries(signed_in, engine, django_assert_num_queries):
    asset = re.search(r'href="/assets/([^/"]+)/"', signed_in.get("/assets/").content.decode()).group(1)
    # + the token record, the person's last exports of this asset
    with django_assert_num_queries(SESSION_QUERIES[engine] + 4):
        assert signed_in.get(f"/assets/{asset}/?range=7d").status_code == 200


@pytest.mark.parametrize("path", ["/home/admin/", "/manage/roles/"])
def test_pages_listing_people_make_no_query_per_person(signed_in, engine, path, django_assert_num_queries):
    from django.contrib.auth.models import Group, User

    for number in range(20):
        user = User.objects.create(username=f"acme-{number}")
        user.groups.add(*Group.objects.filter(name__in=["Admin", "User"]))
        MindSphereIdentity.objects.create(
            user=user, tenant="acme", mindsphere_user_id=str(number), email=f"p{number}@acme.example"
        )
    with django_assert_num_queries(SESSION_QUERIES[engine] + PAGES[path]):
        assert signed_in.get(path).status_code == 200


def test_my_exports_make_no_query_per_export(signed_in, engine, django_assert_num_queries):
    from datetime import UTC, datetime

    from django.contrib.auth.models import User

    from assets.models import Export

    user = User.objects.get(mindsphere__email="admin@acme.example")
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    for number in range(10):
        Export.objects.create(
            user=user,
            tenant="acme",
            asset_id=f"a{number}",
            asset_name=f"Pump {number}",
            property_set="Environment",
            start=moment,
            end=moment,
            status=Export.Status.FAILED,
        )
    # + the user, their roles, the exports (each with its Try again and Delete): no query per export
    with django_assert_num_queries(SESSION_QUERIES[engine] + 3):
        assert signed_in.get("/assets/exports/").content.decode().count('class="export"') == 10
