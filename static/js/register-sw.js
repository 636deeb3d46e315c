/* Registers the app's service worker (it stores the offline page only; see docs/installable-app.md)
 * and wires the offline page's "Try again" button. Included, deferred, by templates/base.html. */
(function () {
  "use strict";
  var script = document.currentScript;

  if ("serviceWorker" in navigator && script && script.dataset.serviceWorker) {
    window.addEventListener("load", function () {
      navigator.serviceWorker
        .register(script.dataset.serviceWorker, { scope: script.dataset.scope || "/" })
        .catch(function () { /* no worker means no offline page; the app works the same */ });
    });
  }

  function retry(button) {
    // Shown in place of another page, the offline page retries that page; opened itself, go home.
    if (button && window.location.pathname === button.dataset.offline) {
      window.location.assign(button.dataset.home || "/");
    } else {
      window.location.reload();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-retry]");
    if (button) {
      retry(button);
    }
  });

  window.addEventListener("online", function () {
    if (document.querySelector("[data-offline-page]")) {
      retry(document.querySelector("[data-retry]"));
    }
  });
})();
