"""The fleet overview where people see it: every role home, the list of assets not reporting, "refresh now".

From the database only (no MindSphere here): what each state says in English and German, in the
person's time zone; who sees what (their own tenant, nothing for a subtenant); the refresh form with
and without htmx, its rate limit and CSRF.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fleet import tasks
from fleet.models import FleetOverview
from navigation.homes import ROLE_HOMES
from sso.models import MindSphereIdentity
from tests.people import make_person, sign_in

pytestmark = pytest.mark.django_db

HOMES = [f"/{home.path}" for home in ROLE_HOMES]
HTMX = {"HX-Request": "true"}


def silent(name: str, hours: float | None, tenant: str = "acme") -> dict:
    last = None if hours is None else (timezone.now() - timedelta(hours=hours)).isoformat().replace("+00:00", "Z")
    return {"assetId": f"{tenant}-{name.lower().replace(' ', '-')}", "name": name, "lastSeen": last}


@pytest.fixture
def acme_overview() -> FleetOverview:
    return FleetOverview.objects.create(
        tenant="acme",
        asset_count=28,
        not_reporting=[silent("Pump 13", 6), silent("Motor 20", 12), silent("Compressor 24", 30)],
        computed_at=timezone.now() - timedelta(minutes=4),
    )


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(tasks.refresh_overview, "delay", sent.append)
    return sent


def text(response) -> str:
    """The page as a reader sees its words: one space between them (timesince's no-break spaces too)."""
    return " ".join(response.content.decode().replace("\xa0", " ").split())


def person(client: Client, kind: str, tenant: str = "acme"):
    return sign_in(client, make_person(tenant, kind))


@pytest.mark.parametrize("path", HOMES)
def test_every_role_home_shows_the_counts_and_their_age(client, acme_overview, path):
    person(client, "admin")  # an admin may open every role home
    page = text(client.get(path))
    assert "28 assets · 3 not reporting" in page
    assert "4 minutes old" in page
    assert 'href="/fleet/not-reporting/"' in page and "Show the 3 assets not reporting" in page
    assert "older than" not in page and "every 10s" not in page


def test_in_german_and_in_the_persons_time_zone(client, acme_overview):
    person(client, "user")
    client.cookies["tz"] = "Asia/Tokyo"
    page = text(client.get("/home/user/", headers={"Accept-Language": "de"}))
    assert "Ihre Flotte" in page and "28 Assets · 3 melden nicht" in page and "4 Minuten alt" in page
    assert "JST" in page and "Die 3 Assets zeigen, die nicht melden" in page


def test_one_asset_and_none_not_reporting(client):
    FleetOverview.objects.create(tenant="acme", asset_count=1, not_reporting=[], computed_at=timezone.now())
    person(client, "user")
    page = text(client.get("/home/user/"))
    assert "1 asset · 0 not reporting" in page and "/fleet/not-reporting/" not in page


@pytest.mark.parametrize("row", [None, {}], ids=["no-row", "never-computed"])
def test_before_the_first_run_it_says_so_and_waits_for_it(client, row):
    if row is not None:
        FleetOverview.objects.create(tenant="acme", **row)
    person(client, "user")
    page = text(client.get("/home/user/"))
    assert "Not computed yet. The app looks at your tenant's assets in the background every 5 minutes." in page
    assert 'hx-get="/fleet/overview/" hx-trigger="every 10s"' in page  # and shows it when it comes


def test_an_overview_older_than_three_intervals_says_so(client, acme_overview):
    FleetOverview.objects.filter(pk=acme_overview.pk).update(computed_at=timezone.now() - timedelta(minutes=16))
    person(client, "user")
    page = text(client.get("/home/user/"))
    assert "28 assets · 3 not reporting" in page
    assert "This overview is older than 15 minutes: it may be out of date." in page


def test_a_failed_run_is_said_plainly_and_mindspheres_words_only_to_admins(client, acme_overview):
    FleetOverview.objects.filter(pk=acme_overview.pk).update(
        error_code="not_permitted",
        error_message="Tenant 'acme' does not have app 'mobilestarter'.",
        error_at=timezone.now(),
    )
    person(client, "user")
    page = text(client.get("/home/user/"))
    assert "The last update failed" in page and "the tenant may not have the app" in page
    assert "28 assets · 3 not reporting" in page  # the last good overview stays
    assert "does not have app" not in page
    person(client, "admin")
    page = client.get("/home/admin/").content.decode()
    assert "MindSphere answered: Tenant &#x27;acme&#x27; does not have app &#x27;mobilestarter&#x27;." in page


def test_a_tenant_whose_runs_fail_is_not_polled(client):
    FleetOverview.objects.create(tenant="acme", error_code="unreachable", error_at=timezone.now())
    person(client, "user")
    page = client.get("/home/user/").content.decode()
    assert (
        "MindSphere was not reachable" in page
        and "hx-trigger" not in page.split('id="fleet-overview"')[1].split(">")[0]
    )


def test_people_see_only_their_own_tenants_overview(client, acme_overview):
    FleetOverview.objects.create(
        tenant="globex", asset_count=7, not_reporting=[silent("Secret", 8, "globex")], computed_at=timezone.now()
    )
    person(client, "admin", "globex")
    page = text(client.get("/home/admin/"))
    assert "7 assets · 1 not reporting" in page and "28 assets" not in page
    listing = client.get("/fleet/not-reporting/").content.decode()
    assert "Secret" in listing and "Pump 13" not in listing


def test_people_of_a_subtenant_see_nothing_yet(client, acme_overview):
    user = make_person("acme", "admin")
    MindSphereIdentity.objects.filter(user=user).update(subtenant="plant-north")
    sign_in(client, user)
    assert 'id="fleet-overview"' not in client.get("/home/admin/").content.decode()
    assert client.get("/fleet/not-reporting/").status_code == 403
    assert client.post("/fleet/refresh/").status_code == 403
    assert client.get("/fleet/overview/", headers=HTMX).content.decode().strip() == ""


def test_the_list_of_assets_not_reporting_links_each_to_its_page(client, acme_overview):
    rows = [*acme_overview.not_reporting, silent("Never", None), {"assetId": "a/b", "name": "Odd id", "lastSeen": None}]
    FleetOverview.objects.filter(pk=acme_overview.pk).update(not_reporting=rows)
    person(client, "user")
    client.cookies["tz"] = "Europe/Berlin"
    page = text(client.get("/fleet/not-reporting/"))
    assert page.index("Compressor 24") < page.index("Motor 20") < page.index("Never") < page.index("Pump 13")
    assert '<a class="fleet-asset" href="/assets/acme-pump-13/"><span class="fleet-asset-name">Pump 13</span>' in page
    assert "6 hours without data" in page and "CE" in page  # CET or CEST: the person's zone
    assert (
        "No data at all" in page and '<div class="fleet-asset"><span class="fleet-asset-name">Odd id</span>' in page
    )  # an id no URL can carry: not linked
    assert "that sent no time series data for at least 1 hour" in page


def test_the_list_without_asset_pages_links_nothing(client, acme_overview, settings):
    settings.ASSETS_ROLES = "Admin"
    person(client, "user")
    assert "/assets/" not in client.get("/fleet/not-reporting/").content.decode().split('id="not-reporting-title"')[1]


def test_the_list_before_the_first_run(client):
    person(client, "user")
    assert "The fleet overview is not computed yet." in client.get("/fleet/not-reporting/").content.decode()


# --- refresh now -------------------------------------------------------------------------------


def test_only_admins_see_and_may_use_refresh_now(client, acme_overview, queued):
    person(client, "user")
    assert "Refresh now" not in client.get("/home/user/").content.decode()
    assert client.post("/fleet/refresh/").status_code == 403
    person(client, "admin")
    assert "Refresh now" in client.get("/home/admin/").content.decode()
    assert queued == []


def test_refresh_now_without_javascript(client, acme_overview, queued):
    person(client, "admin")
    response = client.post("/fleet/refresh/", headers={"Referer": "http://testserver/home/admin/"})
    assert response.status_code == 302 and response["Location"] == "http://testserver/home/admin/"
    assert queued == ["acme"]
    page = client.get("/home/admin/").content.decode()
    assert "Update requested: the overview changes here within a minute." in page
    assert 'hx-trigger="every 10s"' in page  # until the new result is there
    again = client.post("/fleet/refresh/", headers={"Referer": "https://elsewhere.example/"})
    assert again.status_code == 302 and again["Location"] == "/"
    assert "less than a minute ago" in client.get("/home/admin/").content.decode() and queued == ["acme"]


def test_refresh_now_with_htmx_and_its_rate_limit(client, acme_overview, queued):
    person(client, "admin")
    response = client.post("/fleet/refresh/", headers=HTMX)
    assert response.status_code == 200 and queued == ["acme"]
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="fleet-overview"') and "Update requested" in fragment
    again = client.post("/fleet/refresh/", headers=HTMX)
    assert again.status_code == 429 and again["HX-Reswap"] == "outerHTML"
    assert "less than a minute ago" in again.content.decode() and queued == ["acme"]


def test_refresh_now_needs_the_csrf_token(acme_overview, queued):
    browser = Client(enforce_csrf_checks=True)
    person(browser, "admin")
    assert browser.post("/fleet/refresh/").status_code == 403
    assert queued == []


def test_the_overview_alone_for_htmx(client, acme_overview):
    person(client, "user")
    response = client.get("/fleet/overview/", headers=HTMX)
    assert response.status_code == 200 and "28 assets" in text(response)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_fresh_overview_is_just_now(client, acme_overview):
    FleetOverview.objects.filter(pk=acme_overview.pk).update(computed_at=timezone.now() - timedelta(seconds=20))
    person(client, "user")
    assert "· just now" in text(client.get("/home/user/"))
    assert "· gerade eben" in text(client.get("/home/user/", headers={"Accept-Language": "de"}))
