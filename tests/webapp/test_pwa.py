"""The installable web app: manifest, icons, service worker and offline page (docs/installable-app.md)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group, User
from django.contrib.messages.storage.session import SessionStorage

from sso.models import MindSphereIdentity
from tests.people import sign_in
from webapp import pwa

PERSONAL_EMAIL = "person@acme.example"


def manifest_of(client) -> dict:
    return json.loads(client.get("/manifest.webmanifest").content)


def fetch_static(client, url: str):
    """The response and its body; WhiteNoise streams an open file, which reading to the end closes."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.fixture
def signed_in(client, db):
    user = User.objects.create_user("person", email=PERSONAL_EMAIL)
    user.groups.add(Group.objects.get_or_create(name="User")[0])
    MindSphereIdentity.objects.create(user=user, tenant="acme", mindsphere_user_id="u-1", email=PERSONAL_EMAIL)
    sign_in(client, user)
    return client


# --- manifest ------------------------------------------------------------------------------------


def test_manifest_is_served_as_a_web_app_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("name", "MindSphere Mobile Starter"),
        ("short_name", "MindSphere"),
        ("start_url", "/"),
        ("scope", "/"),
        ("display", "standalone"),
        ("theme_color", "#005f87"),
        ("background_color", "#f0f3f6"),
    ],
)
def test_manifest_fields(client, field, expected):
    assert manifest_of(client)[field] == expected


def test_manifest_colours_match_the_stylesheet():
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert f"--brand: {pwa.THEME_COLOR};" in css
    assert f"--bg: {pwa.BACKGROUND_COLOR};" in css


def test_manifest_has_192_512_and_maskable_png_icons(client):
    icons = manifest_of(client)["icons"]
    assert {(icon["sizes"], icon["purpose"]) for icon in icons} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    assert {icon["type"] for icon in icons} == {"image/png"}


@pytest.mark.parametrize("index", range(len(pwa.ICONS)))
def test_manifest_icons_are_served_with_hashed_names(client, index):
    icon = manifest_of(client)["icons"][index]
    assert re.fullmatch(r"/static/icons/[\w-]+\.[0-9a-f]{12}\.png", icon["src"])
    response, png = fetch_static(client, icon["src"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    width, height = icon["sizes"].split("x")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (int(width), int(height))


# --- what base.html puts in <head> ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/offline/", "/no-such-page/", "/account/"])
def test_pages_link_the_manifest_icons_and_worker(signed_in, client, db, path):
    if path == "/":
        client.logout()  # the Login page is the anonymous home
    html = client.get(path).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#005f87">' in html
    assert re.search(
        r'<script src="/static/js/register-sw\.[0-9a-f]{12}\.js" data-service-worker="/sw\.js"[^>]* defer>', html
    )


@pytest.mark.parametrize(
    ("rel", "content_type"),
    [("icon", "image/svg+xml"), ("icon", "image/png"), ("apple-touch-icon", "image/png")],
)
def test_head_icons_are_served(client, rel, content_type):
    html = client.get("/offline/").content.decode()
    links = re.findall(rf'<link rel="{rel}" href="([^"]+)"', html)
    served = {url: fetch_static(client, url)[0] for url in links}
    assert any(response["Content-Type"] == content_type for response in served.values())
    assert all(response.status_code == 200 for response in served.values())


# --- service worker -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Content-Type", "application/javascript; charset=utf-8"),
        ("Cache-Control", "no-cache"),
        ("Service-Worker-Allowed", "/"),
    ],
)
def test_service_worker_headers(client, header, expected):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response[header] == expected


def precache_urls(source: str) -> list[str]:
    return json.loads(re.search(r"const PRECACHE_URLS = (\[.*?\]);", source).group(1))


def test_service_worker_precaches_the_offline_page_and_static_files_only(client):
    source = client.get("/sw.js").content.decode()
    urls = precache_urls(source)
    assert urls[0] == "/offline/"
    assert all(url.startswith(settings.STATIC_URL) for url in urls[1:])
    assert re.search(r"/static/css/app\.[0-9a-f]{12}\.css", " ".join(urls))


def test_service_worker_stores_nothing_at_runtime(client):
    source = client.get("/sw.js").content.decode()
    assert 'const OFFLINE_URL = "/offline/";' in source
    assert ".put(" not in source
    assert source.count("cache.addAll(") == 1


def test_cache_name_changes_with_the_cached_files(client, monkeypatch):
    before = client.get("/sw.js").content.decode()
    name = re.search(r'const CACHE_NAME = "(mindsphere-offline-[0-9a-f]{16})";', before).group(1)
    assert name == pwa.precache()[0]
    assert client.get("/sw.js").content.decode() == before  # stable between requests
    monkeypatch.setattr(pwa, "_static_file_bytes", lambda url: b"changed " + url.encode())
    assert pwa.precache()[0] != name


# --- offline page -----------------------------------------------------------------------------


def test_offline_page_for_anonymous(client):
    response = client.get("/offline/")
    assert response.status_code == 200
    assert "You are offline" in response.content.decode()
    assert "data-retry" in response.content.decode()


def test_offline_page_carries_no_personal_data(signed_in):
    # The contrast; e-mail addresses carry <wbr> break hints, which are no text.
    assert PERSONAL_EMAIL in signed_in.get("/account/").content.decode().replace("<wbr>", "")
    response = signed_in.get("/offline/")
    html = response.content.decode().replace("<wbr>", "")
    assert response.status_code == 200
    assert PERSONAL_EMAIL not in html
    assert "Sign out" not in html
    assert "Cookie" not in response.get("Vary", "")  # the session is never read


def test_offline_page_neither_shows_nor_consumes_messages(signed_in, rf, settings):
    # A message waiting for the person's next page stays there; the offline page never shows it.
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    request = rf.get("/")
    request.session = signed_in.session
    storage = SessionStorage(request)
    storage.add(messages.INFO, "Private note for person")
    storage.update(None)
    request.session.save()
    assert "Private note" not in signed_in.get("/offline/").content.decode()
    assert "Private note" in signed_in.get("/account/").content.decode()


# --- the worker's behaviour, run in Node with fake caches and network ------------------------------

HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const ORIGIN = "https://app.example";
const stores = new Map([["mindsphere-offline-0ld", new Map()], ["someone-elses-cache", new Map()]]);
const puts = [];
let online = true;
const listeners = {};
class Request {
  constructor(url, init = {}) {
    this.url = new URL(url.url || url, ORIGIN).href;
    this.method = init.method || "GET";
    this.mode = init.mode || "cors";
    this.credentials = init.credentials;
  }
}
const key = (req) => (typeof req === "string" ? new URL(req, ORIGIN).href : req.url);
async function fetch(req) {
  if (!online) throw new TypeError("Failed to fetch");
  return { body: "network " + key(req), credentials: req.credentials };
}
const cache = (name) => {
  if (!stores.has(name)) stores.set(name, new Map());
  const store = stores.get(name);
  return {
    addAll: async (reqs) => { for (const req of reqs) store.set(key(req), await fetch(req)); },
    add: async (req) => { puts.push(key(req)); store.set(key(req), await fetch(req)); },
    put: async (req, res) => { puts.push(key(req)); store.set(key(req), res); },
    match: async (req) => store.get(key(req)),
  };
};
const caches = {
  open: async (name) => cache(name),
  keys: async () => [...stores.keys()],
  delete: async (name) => stores.delete(name),
  match: async (req) => { for (const s of stores.values()) if (s.has(key(req))) return s.get(key(req)); },
};
const self = {
  location: new URL(ORIGIN + "/sw.js"),
  addEventListener: (type, fn) => { listeners[type] = fn; },
  skipWaiting: async () => {},
  clients: { claim: async () => {} },
};
const context = vm.createContext({ self, caches, fetch, Request, URL, Promise, console });
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), context);

async function dispatch(type, request) {
  const event = { request, waitUntil(p) { this.waiting = p; }, respondWith(p) { this.answer = p; } };
  listeners[type](event);
  if (event.waiting) await event.waiting;
  return event.answer ? (await event.answer) || null : "not handled";
}
const nav = (path, method = "GET") => new Request(path, { mode: "navigate", method });

(async () => {
  const out = {};
  await dispatch("install");
  const name = vm.runInContext("CACHE_NAME", context);
  out.cached = [...stores.get(name).keys()];
  out.credentials = [...stores.get(name).values()].map((r) => r.credentials);
  await dispatch("activate");
  out.caches_after_activate = [...stores.keys()];
  out.online_navigation = (await dispatch("fetch", nav("/home/user/"))).body;
  out.online_api = await dispatch("fetch", new Request("/sso/session/"));
  out.post_navigation = await dispatch("fetch", nav("/sso/logout/", "POST"));
  online = false;
  out.offline_navigation = (await dispatch("fetch", nav("/home/user/"))).body;
  out.offline_sso = (await dispatch("fetch", nav("/sso/session/"))).body;
  const asset = vm.runInContext("PRECACHE_URLS", context)[1];
  out.offline_asset = (await dispatch("fetch", new Request(asset))).body;
  out.offline_other_static = await dispatch("fetch", new Request("/static/other.css"));
  out.puts = puts;
  out.cached_at_end = [...stores.get(name).keys()];
  console.log(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
"""


@pytest.fixture
def worker_run(client, tmp_path) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    source = client.get("/sw.js").content.decode()
    (tmp_path / "sw.js").write_text(source)
    (tmp_path / "harness.js").write_text(HARNESS)
    result = subprocess.run(
        [node, str(tmp_path / "harness.js"), str(tmp_path / "sw.js")], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return {"source": source, **json.loads(result.stdout)}


def test_worker_installs_the_offline_page_and_its_files_without_cookies(worker_run):
    expected = ["https://app.example" + url for url in precache_urls(worker_run["source"])]
    assert worker_run["cached"] == expected
    assert set(worker_run["credentials"]) == {"omit"}


def test_worker_deletes_its_old_caches_only(worker_run):
    name = re.search(r'const CACHE_NAME = "([^"]+)";', worker_run["source"]).group(1)
    assert sorted(worker_run["caches_after_activate"]) == sorted([name, "someone-elses-cache"])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("online_navigation", "network https://app.example/home/user/"),
        ("online_api", "not handled"),
        ("post_navigation", "not handled"),
        ("offline_navigation", "network https://app.example/offline/"),  # the copy stored at install
        ("offline_sso", "network https://app.example/offline/"),
        ("offline_other_static", "not handled"),
    ],
)
def test_worker_goes_to_the_network_and_falls_back_to_the_offline_page(worker_run, case, expected):
    assert worker_run[case] == expected


def test_worker_serves_offline_page_files_from_its_cache(worker_run):
    assert worker_run["offline_asset"].startswith("network https://app.example/static/")


def test_worker_never_stores_pages_at_runtime(worker_run):
    assert worker_run["puts"] == []
    assert worker_run["cached_at_end"] == worker_run["cached"]
