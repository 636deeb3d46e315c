{% autoescape off %}/* The app's service worker (webapp/pwa.py renders it; docs/installable-app.md explains it).
 *
 * It stores the offline page and its static files, nothing else: pages may carry personal data,
 * so navigations always go to the network, and the stored offline page answers only when the
 * network fails. There is no runtime caching.
 */
"use strict";

const CACHE_NAME = {{ cache_name }};
const CACHE_PREFIX = {{ cache_prefix }};
const OFFLINE_URL = {{ offline_url }};
const PRECACHE_URLS = {{ precache_urls }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE_NAME)
      // "reload": fetch fresh copies, not whatever the HTTP cache holds.
      .then((cache) => cache.addAll(PRECACHE_URLS.map((url) => new Request(url, { cache: "reload", credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    // Network only; the offline page when the network fails (an HTTP error is still an answer).
    event.respondWith(fetch(request).catch(() => caches.open(CACHE_NAME).then((cache) => cache.match(OFFLINE_URL))));
    return;
  }
  const url = new URL(request.url);
  if (url.origin === self.location.origin && PRECACHE_URLS.includes(url.pathname) && url.pathname !== OFFLINE_URL) {
    // The offline page's static files; their names carry a content hash in production.
    event.respondWith(caches.open(CACHE_NAME).then((cache) => cache.match(request)).then((cached) => cached || fetch(request)));
  }
  // Anything else (/sso/, API calls, other static files) is left to the browser untouched.
});
{% endautoescape %}
