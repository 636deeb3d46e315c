// Shows what the lifecycle check found: offline (no answer) and MindSphere unreachable (503).
// A 401 carries HX-Redirect, which htmx follows to the Login page by itself.
(function () {
  "use strict";
  var root = document.getElementById("mindsphere-lifecycle");
  if (!root) { return; }
  var offline = document.getElementById("mindsphere-offline");
  var unavailable = document.getElementById("mindsphere-unavailable");
  var retryTimer = null;

  function show(element, visible) { element.hidden = !visible; }

  function retryIn(seconds) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { htmx.trigger(root, "mindsphere:retry"); }, seconds * 1000);
  }

  root.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 0) { return; }
    show(offline, false);
    if (xhr.status === 503) {
      show(unavailable, true);
      var after = parseInt(xhr.getResponseHeader("Retry-After"), 10);
      retryIn(isNaN(after) ? 30 : Math.min(after, 120));
    } else {
      show(unavailable, false);
    }
  });
  root.addEventListener("htmx:sendError", function () { show(offline, true); });
  window.addEventListener("offline", function () { show(offline, true); });
  window.addEventListener("online", function () { show(offline, false); });
  if (!navigator.onLine) { show(offline, true); }
})();
