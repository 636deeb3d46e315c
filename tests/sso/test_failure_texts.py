"""One short text per way a call to MindSphere fails (#24 item 3): timeout, outage, rate limit, error answer."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from mindsphere.exceptions import MindSphereAPIError, ProviderTimeoutError, ProviderUnavailableError, RateLimitedError
from sso import texts
from sso.responses import failure_kind, failure_text, unavailable_response_for

FAILURES = [
    (ProviderTimeoutError("gateway took too long"), "timeout", "took too long to answer"),
    (ProviderUnavailableError("gateway answered 503"), "outage", "not reachable right now"),
    (RateLimitedError("gateway answered 429", retry_after=7), "rate_limited", "try again in 7 seconds"),
    (MindSphereAPIError(400, "Unknown variable."), "error", "answered with an error: Unknown variable."),
]


@pytest.mark.parametrize(("error", "kind", "text"), FAILURES)
def test_each_failure_has_its_own_line(error, kind, text):
    assert failure_kind(error) == kind
    assert text in failure_text(error)
    assert "\n" not in failure_text(error)


def test_the_texts_are_four_different_ones_each_in_german():
    assert set(texts.FAILURES) == {"timeout", "outage", "rate_limited", "error"}
    with translation.override("de"):
        german = [failure_text(error) for error, _kind, _text in FAILURES]
    assert len(set(german)) == 4
    assert all(line not in {failure_text(error) for error, _k, _t in FAILURES} for line in german)  # translated


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ProviderTimeoutError("late"), "timeout"),
        (ProviderUnavailableError("down"), "unavailable"),
        (RateLimitedError("busy", retry_after=4), "rate_limited"),
    ],
)
@pytest.mark.parametrize("headers", [{"HTTP_HX_REQUEST": "true"}, {}])
def test_an_unreachable_mindsphere_answers_503_with_the_kinds_text(rf: RequestFactory, error, code, headers):
    request = rf.get("/assets/", **headers)
    request.htmx = HtmxDetails(request)
    request.user = AnonymousUser()
    response = unavailable_response_for(request, error)
    assert response.status_code == 503 and response["Retry-After"]
    if headers:
        body = json.loads(response.content)
        assert body["error"] == code and body["message"] == failure_text(error)
    else:
        assert failure_text(error).replace("'", "&#x27;") in response.content.decode()
