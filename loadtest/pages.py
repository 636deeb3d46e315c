"""What a simulated phone reads in the app's pages (no Locust here, so the suite can test it)."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# An asset's link: MindSphere asset ids are 32 hex digits ("My exports", /assets/exports/, is no asset).
ASSET_LINK = re.compile(r'href="/assets/([0-9a-f]{32})/"')
