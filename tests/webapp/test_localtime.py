"""The browser's time zone (the `tz` cookie) for every page; anything odd falls back to UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from sso.models import MindSphereIdentity
from webapp.localtime import LocalTimeMiddleware, zone_from

JANUARY = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)  # winter: Berlin is UTC+1 (CET)
BAD_VALUES = [
    "",
    "Mars/Olympus_Mons",
    "../../etc/passwd",
    "/etc/localtime",
    "Europe/../Europe/Berlin",
    "Europe/Berlin\x00",
    "Europe/Berlín",
    "x" * 65,
    "Europe/Berlin; path=/",
    # Files under the zone directories that are no IANA name (ZoneInfo opens them all the same).
    "posixrules",
    "right/UTC",
    "posix/Europe/Berlin",
    "localtime",
    "Factory",
    "zone.tab",
    "Europe",
]


@pytest.fixture
def signed_in(client, db):
    user = User.objects.create_user("person", email="person@acme.example")
    user.groups.add(Group.objects.get_or_create(name="User")[0])
    MindSphereIdentity.objects.create(user=user, tenant="acme", mindsphere_user_id="u-1", email="person@acme.example")
    client.force_login(user)
    return client


def session_end(html: str) -> tuple[str, str]:
    """The Account page's "Session ends": its machine-readable time and the text shown."""
    match = re.search(r'<dt>Session ends</dt><dd><time datetime="([^"]+)">([^<]+)</time>', html)
    assert match, "no session end on the page"
    return match.group(1), match.group(2)


@time_machine.travel(JANUARY, tick=False)
def test_a_berlin_cookie_shows_times_in_berlin(signed_in):
    signed_in.cookies["tz"] = "Europe/Berlin"
    machine, shown = session_end(signed_in.get("/account/").content.decode())
    assert machine.endswith("+01:00")
    assert shown.endswith(" CET")
    utc_hour = datetime.fromisoformat(machine).astimezone(UTC).hour
    assert f"{(utc_hour + 1) % 24:02d}:" in shown


@time_machine.travel(JANUARY, tick=False)
def test_no_cookie_shows_utc(signed_in):
    machine, shown = session_end(signed_in.get("/account/").content.decode())
    assert machine.endswith("+00:00") and shown.endswith(" UTC")


@pytest.mark.parametrize("value", BAD_VALUES)
@time_machine.travel(JANUARY, tick=False)
def test_a_bad_cookie_shows_utc(signed_in, value):
    signed_in.cookies["tz"] = value
    response = signed_in.get("/account/")
    assert response.status_code == 200
    machine, shown = session_end(response.content.decode())
    assert machine.endswith("+00:00") and shown.endswith(" UTC")


@pytest.mark.parametrize("value", BAD_VALUES)
def test_bad_values_name_no_zone(value):
    assert zone_from(value) is None


@pytest.mark.parametrize(
    "value", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC", "Asia/Kolkata"]
)
def test_iana_names_are_zones(value):
    assert zone_from(value).key == value


def test_the_zone_does_not_outlive_the_request():
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get("/")
    request.COOKIES["tz"] = "Asia/Tokyo"
    LocalTimeMiddleware(view)(request)
    assert seen == ["Asia/Tokyo"]
    assert timezone.get_current_timezone_name() == "UTC"  # the next request on this thread starts clean
