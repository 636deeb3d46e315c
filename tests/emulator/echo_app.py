"""A tiny stand-in for the app behind the emulated gateway: it tells what it received, and serves a few fixed answers.

A threading http.server (HTTP/1.0: answers without a length end when the connection closes).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CHUNK = 64 * 1024
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Echo app</title></head>
<body><div id="_mdspcontent"><main><h1>The app</h1><p id="initialized">not yet</p></main></div>
<script src="/_gateway/osbar/v4/js/main.min.js"></script><script src="/page.js"></script></body></html>
"""
PAGE_JS = """"use strict";
window._mdsp.init({
  title: "Echo app", appId: "_mdspcontent", appInfoPath: "/app-info.json",
  initialize: function () { document.getElementById("initialized").textContent = "initialized"; }
});
"""
APP_INFO = {"displayName": "Echo app", "appVersion": "1.2.3", "appCopyright": "Example 2026", "links": {"default": []}}
ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#005f87"/></svg>'


def pattern(size: int) -> bytes:
    """size bytes that differ from block to block, so a lost or repeated block shows in the hash."""
    blocks = (hashlib.sha256(str(index).encode()).digest() * 2048 for index in range(size // CHUNK + 1))
    return b"".join(blocks)[:size]


@dataclass
class EchoApp:
    url: str
    server: ThreadingHTTPServer
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[dict] = field(default_factory=list)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def start_echo_app() -> EchoApp:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    app = EchoApp(url=f"http://127.0.0.1:{server.server_address[1]}", server=server)
    server.app = app  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # quiet
        pass

    @property
    def app(self) -> EchoApp:
        return self.server.app  # type: ignore[attr-defined]

    def _received(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        digest, remaining = hashlib.sha256(), length
        while remaining:
            block = self.rfile.read(min(CHUNK, remaining))
            if not block:
                break
            digest.update(block)
            remaining -= len(block)
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body_bytes": length - remaining,
            "body_sha256": digest.hexdigest(),
        }
        self.app.requests.append(seen)
        return seen

    def _send(self, status: int, body: bytes, content_type: str, headers: list[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _answer(self) -> None:
        seen = self._received()
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        route = ROUTES.get(url.path)
        if route is not None:
            route(self, query)
            return
        self._send(200, json.dumps(seen).encode(), "application/json")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

    # --- fixed answers ------------------------------------------------------------------------------

    def big(self, query: dict) -> None:
        self._send(200, pattern(int(query["bytes"])), "application/octet-stream")

    def stream(self, query: dict) -> None:
        """A first block, then the rest only once the test releases it: proves the gateway does not buffer."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        self.wfile.write(b"first block\n")
        self.wfile.flush()
        self.app.release.wait(30)
        self.wfile.write(b"the rest\n")

    def compressed(self, query: dict) -> None:
        body = gzip.compress(b"squeezed " * 1000, mtime=0)
        self._send(200, body, "text/plain", [("Content-Encoding", "gzip")])

    def redirect_home(self, query: dict) -> None:
        self._send(302, b"", "text/plain", [("Location", f"{self.app.url}/landed?from=app")])

    def redirect_away(self, query: dict) -> None:
        self._send(302, b"", "text/plain", [("Location", "https://example.com/elsewhere")])

    def cookies(self, query: dict) -> None:
        self._send(
            200,
            b"cookies",
            "text/plain",
            [
                ("Set-Cookie", "first=1; Path=/; HttpOnly; SameSite=Lax"),
                ("Set-Cookie", "second=two; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/"),
                ("Set-Cookie", "SESSION=from-the-app; Path=/"),
            ],
        )

    def page(self, query: dict) -> None:
        self._send(200, PAGE.encode(), "text/html; charset=utf-8", [("Content-Security-Policy", CSP)])

    def page_js(self, query: dict) -> None:
        self._send(200, PAGE_JS.encode(), "text/javascript")

    def app_info(self, query: dict) -> None:
        self._send(200, json.dumps(APP_INFO).encode(), "application/json")

    def icon(self, query: dict) -> None:
        self._send(200, ICON.encode(), "image/svg+xml")


ROUTES = {
    "/big": Handler.big,
    "/stream": Handler.stream,
    "/compressed": Handler.compressed,
    "/redirect-home": Handler.redirect_home,
    "/redirect-away": Handler.redirect_away,
    "/cookies": Handler.cookies,
    "/page": Handler.page,
    "/page.js": Handler.page_js,
    "/app-info.json": Handler.app_info,
    "/static/icons/icon.svg": Handler.icon,
}
