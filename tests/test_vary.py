"""Every response says it varies on htmx's request headers (project/htmx.py), pages and error pages alike."""

from __future__ import annotations

import pytest


def vary_of(response) -> set[str]:
    return {header.strip() for header in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("path", ["/", "/offline/", "/no-such-page/", "/healthz"])
def test_every_response_varies_on_htmxs_headers(db, client, path):
    assert {"HX-Request", "HX-Target"} <= vary_of(client.get(path))


def test_an_htmx_redirect_varies_on_the_request_kind(db, client):
    response = client.get("/assets/", headers={"HX-Request": "true"})  # not signed in: sso.responses
    assert response.headers["HX-Redirect"].startswith("/")
    assert {"HX-Request", "HX-Target", "Accept"} <= vary_of(response)
