"""The tenant check before sign-in: found, unknown, unreachable; cached, except outages."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sso.tenant_check import TenantStatus, check_tenant
from tests.servers import free_port


class KeysEndpoint(BaseHTTPRequestHandler):
    """A tenant's token_keys answering with the status the test sets, counting the calls."""

    def do_GET(self):
        self.server.calls.append(self.path)
        if self.server.hold.is_set():
            self.server.release.wait(10)  # a hanging server; the test releases it at the end
        body = b'{"keys": []}' if self.server.status == 200 else b'{"error": "x"}'
        try:
            self.send_response(self.server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the hanging case)

    def log_message(self, *args):
        pass


@pytest.fixture
def keys_server(settings) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeysEndpoint)
    server.status, server.calls = 200, []
    server.hold, server.release = threading.Event(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # A path of its own, so nothing another test (or run) cached for this port applies.
    server.prefix = f"/{uuid.uuid4().hex}"
    settings.MINDSPHERE_AUTH_URL = f"http://127.0.0.1:{server.server_address[1]}{server.prefix}/{{tenant}}"
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status", "expected"),
    [(200, TenantStatus.FOUND), (404, TenantStatus.UNKNOWN), (401, TenantStatus.FOUND), (403, TenantStatus.FOUND)],
)
def test_answers_are_cached(keys_server, status, expected):
    keys_server.status = status
    assert check_tenant("acme") is expected
    assert check_tenant("acme") is expected
    assert keys_server.calls == [f"{keys_server.prefix}/acme/token_keys"]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_outages_are_not_cached(keys_server, status):
    keys_server.status = status
    assert check_tenant("acme") is TenantStatus.UNREACHABLE
    keys_server.status = 200
    assert check_tenant("acme") is TenantStatus.FOUND
    assert len(keys_server.calls) == 2


def test_each_tenant_is_asked_for_itself(keys_server):
    check_tenant("acme")
    check_tenant("globex")
    assert keys_server.calls == [f"{keys_server.prefix}/acme/token_keys", f"{keys_server.prefix}/globex/token_keys"]


def test_a_server_that_does_not_answer_in_time_is_unreachable(keys_server, settings):
    settings.MINDSPHERE_TENANT_CHECK_TIMEOUT = 1
    keys_server.hold.set()
    assert check_tenant("acme") is TenantStatus.UNREACHABLE


def test_nothing_listening_is_unreachable(settings):
    settings.MINDSPHERE_AUTH_URL = f"http://127.0.0.1:{free_port()}/{{tenant}}"
    assert check_tenant("acme") is TenantStatus.UNREACHABLE


@pytest.mark.parametrize(
    ("gateway", "expected"),
    [("http://127.0.0.1:8001/gateway", TenantStatus.UNKNOWN), ("https://gateway.invalid", TenantStatus.UNREACHABLE)],
    ids=["gateway-resolves", "dns-down"],
)
def test_a_tenant_host_without_dns_entry_is_unknown_while_dns_works(settings, gateway, expected):
    """On MindSphere the tenant is a host name: {tenant}.piam.{region}.mindsphere.io (.invalid never resolves)."""
    settings.MINDSPHERE_AUTH_URL = "https://{tenant}.piam.invalid"
    settings.MINDSPHERE_GATEWAY_URL = gateway
    assert check_tenant(f"t{uuid.uuid4().hex}") is expected  # a name of its own: nothing cached applies
