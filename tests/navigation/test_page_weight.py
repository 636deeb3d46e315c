"""Pages are light and their static files are compressed and cache-busted (served by WhiteNoise)."""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

STATIC_REF = re.compile(r'(?:src|href)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.(?:css|js|png|svg)$")
BUDGET = 100 * 1024


@pytest.fixture
def user_client(client, db):
    user = get_user_model().objects.create(username="weight-test")
    user.groups.add(Group.objects.get(name="User"))
    client.force_login(user)
    return client


def transfer_size(client, html: str) -> int:
    total = len(gzip.compress(html.encode()))
    for url in sorted(set(STATIC_REF.findall(html))):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        total += len(b"".join(response.streaming_content) if response.streaming else response.content)
    return total


@pytest.mark.parametrize("path", ["/home/user/", "/account/"])
def test_a_signed_in_page_weighs_under_100_kb_compressed(user_client, path):
    page = user_client.get(path)
    assert page.status_code == 200
    assert transfer_size(user_client, page.content.decode()) < BUDGET


def test_the_login_page_weighs_under_100_kb_compressed(client, db):
    page = client.get("/")
    assert transfer_size(client, page.content.decode()) < BUDGET


def test_static_files_have_hashed_names_long_cache_and_compression(user_client):
    html = user_client.get("/home/user/").content.decode()
    urls = STATIC_REF.findall(html)
    assert urls and all(HASHED.search(url) for url in urls), urls
    for url in (u for u in urls if u.endswith((".css", ".js"))):
        response = user_client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip", url
        assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]


def test_no_page_loads_anything_from_another_site(user_client):
    html = user_client.get("/home/user/").content.decode() + Client().get("/").content.decode()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
