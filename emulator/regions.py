"""A region as the first path segment: `/{region}/{tenant}/oauth/…`, `/{region}/gateway/…`.

On MindSphere the region is part of the host name (`{tenant}.piam.{region}.mindsphere.io`,
`gateway.{region}.mindsphere.io`). On one loopback address the emulator takes it as a leading path
segment instead, so the app can be run with templated URLs (`http://127.0.0.1:8001/{region}/{tenant}`)
as the docs tell people to configure real MindSphere. The segment is taken off `path_info` and kept
in `request.path`, as a script prefix is: links and issuers the emulator builds keep it.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

# Region names as MindSphere's (eu1, eu2, us1, cn1): letters then digits. A literal "{region}"
# (an unfilled template, `%7Bregion%7D` on the wire) is not one, and gets a 404.
REGIONAL = re.compile(r"^/(?P<region>[a-z]+[0-9]+)(?P<rest>/(?:gateway/.*|[^/]+/(?:oauth/.*|token_keys|logout\.do)))$")


def prefix(request: HttpRequest) -> str:
    """The region prefix of this request ("/eu1"), or "" when it came without one."""
    return request.path[: len(request.path) - len(request.path_info)] if request.path != request.path_info else ""


class RegionPrefixMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = REGIONAL.match(request.path_info)
        if match:
            request.path_info = match.group("rest")
        return self.get_response(request)
