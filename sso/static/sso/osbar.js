/*
 * Starts MindSphere's OS Bar on a page served through the gateway (sso/osbar.py): a file of its own,
 * as the platform's CSP allows no inline script. The OS Bar's own script is loaded just before it.
 * Then keeps --mdsp-offset (how far the OS Bar pushes the app's content down) on the root element,
 * so the app's fixed side menu starts below the OS Bar and the app bar (static/css/app.css).
 */
(function () {
  "use strict";
  const script = document.currentScript;

  function keepOffset() {
    const content = document.getElementById("_mdspcontent");
    if (!content) {
      return;
    }
    const update = function () {
      const offset = Math.max(0, Math.round(content.getBoundingClientRect().top + window.scrollY));
      // CSSOM, not a style attribute: allowed under style-src 'self'.
      document.documentElement.style.setProperty("--mdsp-offset", offset + "px");
    };
    update();
    if (window.ResizeObserver) {
      new ResizeObserver(update).observe(document.body);
    }
  }

  function start() {
    if (!window._mdsp || typeof window._mdsp.init !== "function") {
      return; // the OS Bar did not load: the app still works, without it
    }
    window._mdsp.init({
      title: script.dataset.title,
      appId: "_mdspcontent",
      appInfoPath: script.dataset.appInfo,
      initialize: true,
    });
    keepOffset();
  }

  start();
})();
