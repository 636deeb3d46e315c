"""E-mail addresses wrap at their "@" and dots on a narrow screen, never mid-word, and stay escaped."""

from __future__ import annotations

import pytest

from sso.templatetags.identity import wrappable


@pytest.mark.parametrize(
    ("email", "html"),
    [
        ("norole@acme.example", "norole@<wbr>acme<wbr>.example"),
        ("consultant@example.com", "consultant@<wbr>example<wbr>.com"),
        ('"a@b"@x.y', "&quot;a@b&quot;@<wbr>x<wbr>.y"),  # the last @ starts the domain
        ("<script>@x", "&lt;script&gt;@<wbr>x"),
        ("person", "person"),
        ("", ""),
        (None, ""),
    ],
)
def test_wrappable(email, html):
    assert wrappable(email) == html
