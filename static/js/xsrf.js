/*
 * MindSphere's gateway refuses a request that changes something (anything but GET and HEAD) unless
 * its header x-xsrf-token equals the gateway's XSRF-TOKEN cookie (docs/launchpad.md). Where that
 * cookie is present (the page came through the gateway), this adds the header to every htmx request
 * and every fetch that changes something, next to Django's own CSRF token. A native form cannot
 * send a header, so there each POST form is submitted by htmx instead (boosted), swapping the app's
 * content (#_mdspcontent) and leaving the OS Bar alone. Without the cookie (the phone entrance)
 * nothing changes: forms work without JavaScript.
 */
(function () {
  "use strict";
  const COOKIE = "XSRF-TOKEN";
  const HEADER = "x-xsrf-token";
  const SAFE = /^(GET|HEAD|OPTIONS|TRACE)$/i;

  function xsrfToken() {
    const found = document.cookie.split("; ").find(function (pair) {
      return pair.indexOf(COOKIE + "=") === 0;
    });
    return found ? decodeURIComponent(found.slice(COOKIE.length + 1)) : "";
  }

  function sameOrigin(url) {
    return new URL(url, window.location.href).origin === window.location.origin;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    const token = xsrfToken();
    if (token && !SAFE.test(event.detail.verb) && sameOrigin(event.detail.path)) {
      event.detail.headers[HEADER] = token;
    }
  });

  if (window.fetch) {
    const originalFetch = window.fetch;
    window.fetch = function (input, init) {
      const request = input instanceof Request ? input : null;
      const method = (init && init.method) || (request ? request.method : "GET");
      const token = xsrfToken();
      if (token && !SAFE.test(method) && sameOrigin(request ? request.url : String(input))) {
        const headers = new Headers((init && init.headers) || (request ? request.headers : undefined));
        headers.set(HEADER, token);
        init = Object.assign({}, init, { headers: headers });
      }
      return originalFetch.call(this, input, init);
    };
  }

  function boostForms(root) {
    if (!xsrfToken() || !window.htmx || !root.querySelectorAll) {
      return;
    }
    const forms = root.querySelectorAll("form[method='post' i]:not([hx-post]):not([hx-boost])");
    forms.forEach(function (form) {
      form.setAttribute("hx-boost", "true");
      form.setAttribute("hx-target", "#_mdspcontent");
      form.setAttribute("hx-select", "#_mdspcontent");
      form.setAttribute("hx-swap", "outerHTML");
      window.htmx.process(form);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    boostForms(document);
  });
  document.addEventListener("htmx:load", function (event) {
    boostForms(event.target);
  });
})();
