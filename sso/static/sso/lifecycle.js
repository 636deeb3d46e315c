// The lifecycle include's events: it asks for a session check on resume (tab visible again, page
// restored from the back/forward cache), when the network is back, and every interval while the
// page is visible; htmx itself checks on load. The conditions live here, not in hx-trigger filters,
// because htmx evaluates those with eval, which the CSP refuses.
// It also shows what the check found: offline (no answer), MindSphere unreachable (503), or the app
// itself briefly unavailable (503 whose JSON `error` is "app_unavailable": its database is down).
// A 401 carries HX-Redirect, which htmx follows to the Login page by itself.
//
// Behind MindSphere's gateway (data-gateway) the checks keep the gateway's session alive and the app
// refreshes nothing. When that session is over the gateway answers every request with a redirect
// to its sign-in, so the check is a fetch with redirect "manual": an "opaqueredirect" means "over"
// (as the Mendix starter reads it). Then the page says so and reloads, so the gateway signs the
// person in again, unless they have typed something: that stays until they choose to sign in.
(function () {
  "use strict";
  var root = document.getElementById("mindsphere-lifecycle");
  if (!root) { return; }
  var offline = document.getElementById("mindsphere-offline");
  var unavailable = document.getElementById("mindsphere-unavailable");
  var appUnavailable = document.getElementById("mindsphere-app-unavailable");
  var interval = (parseInt(root.dataset.interval, 10) || 60) * 1000;
  var gateway = root.hasAttribute("data-gateway");
  var retryTimer = null;
  var typed = false;

  function show(element, visible) { element.hidden = !visible; }
  function errorOf(body) {
    try { return JSON.parse(body).error; } catch (ignored) { return ""; }
  }
  function visible() { return document.visibilityState === "visible"; }
  function check() {
    if (gateway) { gatewayCheck(); } else { htmx.trigger(root, "mindsphere:check"); }
  }

  function retryIn(seconds) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(check, seconds * 1000);
  }

  function answered(status, retryAfter, error) {
    show(offline, false);
    var app = status === 503 && error === "app_unavailable";
    show(unavailable, status === 503 && !app);
    show(appUnavailable, app);
    if (status === 503) {
      var after = parseInt(retryAfter, 10);
      retryIn(isNaN(after) ? 30 : Math.min(after, 120));
    }
  }

  function sessionOver() {
    var notice = document.getElementById("mindsphere-session-over");
    if (!typed) { window.location.reload(); return; }
    show(notice, true);
  }

  function gatewayCheck() {
    fetch(root.dataset.url, { redirect: "manual", credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.type === "opaqueredirect") { sessionOver(); return; }
        if (response.status === 401) { window.location.reload(); return; }  // the app's session ended: the gateway signs in again
        if (response.status !== 503) { answered(response.status, null, ""); return; }
        return response.text().then(function (body) {
          answered(503, response.headers.get("Retry-After"), errorOf(body));
        });
      })
      .catch(function () { show(offline, true); });
  }

  document.addEventListener("visibilitychange", function () { if (visible()) { check(); } });
  window.addEventListener("pageshow", function (event) { if (event.persisted) { check(); } });
  window.addEventListener("online", function () { show(offline, false); check(); });
  window.addEventListener("offline", function () { show(offline, true); });
  setInterval(function () { if (visible()) { check(); } }, interval);

  if (gateway) {
    document.addEventListener("input", function () { typed = true; });
    // A request of the page that got no answer may have met the gateway's redirect (its sign-in is on
    // another origin, so the request fails): ask the check what it was.
    document.addEventListener("htmx:sendError", gatewayCheck);
    var again = document.getElementById("mindsphere-sign-in-again");
    again.addEventListener("click", function () { window.location.reload(); });
    gatewayCheck();
  } else {
    root.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      if (!xhr || xhr.status === 0) { return; }
      answered(xhr.status, xhr.getResponseHeader("Retry-After"), xhr.status === 503 ? errorOf(xhr.responseText) : "");
    });
    root.addEventListener("htmx:sendError", function () { show(offline, true); });
  }
  if (!navigator.onLine) { show(offline, true); }
})();
