// The lifecycle include's events: it asks htmx for a session check ("mindsphere:check") on resume
// (tab visible again, page restored from the back/forward cache), when the network is back, and
// every interval while the page is visible; htmx itself checks on load. The conditions live here,
// not in hx-trigger filters, because htmx evaluates those with eval, which the CSP refuses.
// It also shows what the check found: offline (no answer), MindSphere unreachable (503), or the app
// itself briefly unavailable (503 whose JSON `error` is "app_unavailable": its database is down).
// A 401 carries HX-Redirect, which htmx follows to the Login page by itself.
(function () {
  "use strict";
  var root = document.getElementById("mindsphere-lifecycle");
  if (!root) { return; }
  var offline = document.getElementById("mindsphere-offline");
  var unavailable = document.getElementById("mindsphere-unavailable");
  var appUnavailable = document.getElementById("mindsphere-app-unavailable");
  var interval = (parseInt(root.dataset.interval, 10) || 60) * 1000;
  var retryTimer = null;

  function show(element, visible) { element.hidden = !visible; }
  function errorOf(xhr) {
    try { return JSON.parse(xhr.responseText).error; } catch (ignored) { return ""; }
  }
  function visible() { return document.visibilityState === "visible"; }
  function check() { htmx.trigger(root, "mindsphere:check"); }

  function retryIn(seconds) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(check, seconds * 1000);
  }

  document.addEventListener("visibilitychange", function () { if (visible()) { check(); } });
  window.addEventListener("pageshow", function (event) { if (event.persisted) { check(); } });
  window.addEventListener("online", function () { show(offline, false); check(); });
  window.addEventListener("offline", function () { show(offline, true); });
  setInterval(function () { if (visible()) { check(); } }, interval);

  root.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 0) { return; }
    show(offline, false);
    if (xhr.status === 503) {
      var app = errorOf(xhr) === "app_unavailable";
      show(unavailable, !app);
      show(appUnavailable, app);
      var after = parseInt(xhr.getResponseHeader("Retry-After"), 10);
      retryIn(isNaN(after) ? 30 : Math.min(after, 120));
    } else {
      show(unavailable, false);
      show(appUnavailable, false);
    }
  });
  root.addEventListener("htmx:sendError", function () { show(offline, true); });
  if (!navigator.onLine) { show(offline, true); }
})();
