/* Feedback while the app waits (docs/architecture.md, "Loading and busy states"). Included,
 * deferred, by templates/base.html; no inline script or style, so it works under the strict CSP.
 *
 * - <html> gets the class "js": the no-JS fallbacks marked .no-js-only (e.g. the asset page's
 *   Show button) are hidden by app.css.
 * - A link that leaves the page, or a form that submits normally, marks itself busy (aria-busy,
 *   .is-busy: a spinner) and a progress line runs along the top of the screen until the next
 *   page arrives. A page restored from the back/forward cache starts clean.
 * - Every htmx request a person starts does the same on its element; background requests (the
 *   session check, polling every N s, elements marked data-background) stay quiet.
 * - A loading region ([data-mindsphere-load]) shows its "still waiting for MindSphere" notice
 *   after data-slow-after ms (3000), whose Retry button asks again (hx-sync replace aborts the
 *   request still waiting); when the answer is an error, the notice says so and keeps Retry.
 * - An error answer (4xx, 5xx) that names its swap (HX-Reswap) is swapped all the same, with its
 *   status: a region's error card, a form with its errors (the htmx-config in templates/base.html
 *   sends error answers through "app:error-response"). Others are not: an outage's 503, an error
 *   page. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  var line = document.createElement("div");
  line.className = "busy-line";
  line.setAttribute("aria-hidden", "true");
  document.body.appendChild(line);

  var running = new Set();
  function refresh() {
    // An element htmx swapped out (outerHTML) gets its htmx:afterRequest while detached, which
    // never reaches the document: it is done.
    running.forEach(function (element) { if (!element.isConnected) { running.delete(element); } });
    root.classList.toggle("is-busy", running.size > 0 || root.classList.contains("is-leaving"));
  }

  function markBusy(element, busy) {
    if (!element || !element.setAttribute) { return; }
    if (busy) {
      element.setAttribute("aria-busy", "true");
      element.classList.add("is-busy");
    } else {
      element.removeAttribute("aria-busy");
      element.classList.remove("is-busy");
    }
  }

  function leaving(element) {
    markBusy(element, true);
    root.classList.add("is-leaving");
    refresh();
  }

  // --- normal navigation -----------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.hasAttribute("download") || (link.target && link.target !== "_self")) { return; }
    if (link.hasAttribute("hx-get") || link.hasAttribute("data-hx-get")) { return; }  // htmx's own request
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) { leaving(link); return; }
    // Only the fragment changes: the browser stays on this page.
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) { return; }
    leaving(link);
  });

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }  // htmx (hx-post, hx-get) took it: see below
    var form = event.target;
    if (form.classList.contains("is-busy")) {
      event.preventDefault();  // a second tap while the first is on its way
      return;
    }
    form.classList.add("is-busy");
    leaving(event.submitter || form.querySelector("[type=submit]"));
  });

  window.addEventListener("pageshow", function (event) {
    // Back from the next page (back/forward cache): nothing is loading any more.
    if (!event.persisted) { return; }
    root.classList.remove("is-leaving");
    document.querySelectorAll(".is-busy").forEach(function (element) { markBusy(element, false); });
    running.clear();
    refresh();
  });

  // --- htmx requests ---------------------------------------------------------------------------
  function isBackground(element) {
    if (element.closest("[data-background]") || element.id === "mindsphere-lifecycle") { return true; }
    var trigger = element.getAttribute("hx-trigger") || "";
    return /(^|,)\s*every\s/.test(trigger);
  }

  function busyElements(element) {
    // A form shows its submit buttons busy; anything else (link, select, region) itself.
    if (element.tagName === "FORM") { return Array.prototype.slice.call(element.querySelectorAll("[type=submit]")).concat([element]); }
    if (element.form) { return [element, element.form]; }
    return [element];
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (!element || isBackground(element)) { return; }
    running.add(element);
    busyElements(element).forEach(function (each) { markBusy(each, true); });
    refresh();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt;
    if (!element || !running.has(element)) { return; }
    running.delete(element);
    busyElements(element).forEach(function (each) { markBusy(each, false); });
    refresh();
  });

  document.addEventListener("htmx:afterSwap", refresh);

  // --- error answers ---------------------------------------------------------------------------
  document.addEventListener("app:error-response", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Reswap")) { event.detail.shouldSwap = true; xhr.appSwapped = true; }
  });

  // The server's text of an error answer that is not swapped: {"message": …} (sso.responses), else "".
  function serverMessage(xhr) {
    try { return (JSON.parse(xhr.responseText) || {}).message || ""; } catch (error) { return ""; }
  }

  // --- waiting for MindSphere ------------------------------------------------------------------
  var timers = new WeakMap();

  function notice(region) { return region.querySelector("[data-still-waiting]"); }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-mindsphere-load")) { return; }
    clearTimeout(timers.get(region));
    var waiting = notice(region);
    if (waiting) { waiting.hidden = true; waiting.classList.remove("failed"); }
    var after = parseInt(region.getAttribute("data-slow-after"), 10) || 3000;
    timers.set(region, setTimeout(function () { if (waiting) { waiting.hidden = false; } }, after));
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var region = event.detail.elt;
    if (!region || !timers.has(region)) { return; }
    clearTimeout(timers.get(region));
    var waiting = notice(region);
    // An answer that is swapped (a 2xx, or an error card with HX-Reswap) takes the region away. An
    // error that is not (503 while MindSphere is unreachable, no network): say so and keep the
    // Retry button. An abort is a retry already on its way.
    if (waiting && !event.detail.successful && event.detail.xhr && event.detail.xhr.status > 0) {
      failed(waiting, serverMessage(event.detail.xhr));
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var region = event.detail.elt;
    var waiting = region && region.hasAttribute && region.hasAttribute("data-mindsphere-load") && notice(region);
    if (waiting) { failed(waiting, waiting.getAttribute("data-offline")); }  // no answer at all: the network
  });

  function failed(waiting, message) {
    var text = waiting.querySelector(".when-failed");
    if (message && text) { text.textContent = message; }  // the kind of failure (sso.texts.FAILURES)
    waiting.classList.add("failed");
    waiting.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-retry-load]");
    if (!button) { return; }
    var region = button.closest("[data-mindsphere-load]");
    if (region && window.htmx) { window.htmx.trigger(region, "mindsphere:retry"); }
  });

  // --- a card's own change ([data-retry-card]: the asset page's chart, the export form) ---------
  // While the change loads, the card dims what it shows ([data-shown-*]) under a progress line, and
  // after 3 s says it is still waiting. An answer that is not swapped (a timeout, 503 or 429 from
  // MindSphere: JSON with its text; no network) leaves what was shown, says what failed with Try
  // again, and puts the card's controls back to what is shown, so choice and chart stay in step.
  var attempts = new WeakMap();

  function cardOf(element) { return element && element.closest ? element.closest("[data-retry-card]") : null; }
  function cardStatus(card) { return card.querySelector("[data-card-status]"); }
  function shown(card) { return card.querySelector("[data-shown-variable], [data-shown-range]"); }

  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (control) { if (control.name) { values[control.name] = control.value; } });
    return values;
  }

  function setValues(form, values) {
    Object.keys(values).forEach(function (name) {
      var control = form.elements[name];
      if (control && control.tagName === "SELECT" && control.value !== values[name]) { control.value = values[name]; }
    });
  }

  function putBack(card, form) {
    var region = shown(card);
    if (!region || !form) { return; }
    var values = {};
    Object.keys(region.dataset).forEach(function (key) {
      if (key.indexOf("shown") === 0) { values[key.slice(5).toLowerCase()] = region.dataset[key]; }
    });
    setValues(form, values);
  }

  function cardDone(card) {
    clearTimeout(timers.get(card));
    timers.delete(card);
    card.classList.remove("is-redrawing");
    var region = shown(card);
    if (region) { region.removeAttribute("aria-busy"); }
    var status = cardStatus(card);
    if (status) { status.hidden = true; }
  }

  function cardFailed(card, message) {
    cardDone(card);
    var status = cardStatus(card);
    var attempt = attempts.get(card);
    if (attempt && attempt.form.hasAttribute("hx-get")) { putBack(card, attempt.form); }  // a choice, not a form to send
    if (!status) { return; }
    status.querySelector("[data-failure-text]").textContent = message || status.getAttribute("data-offline");
    status.classList.add("failed");
    status.hidden = false;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    var card = cardOf(element);
    if (!card || isBackground(element) || element.tagName !== "FORM") { return; }
    attempts.set(card, { form: element, values: formValues(element) });
    clearTimeout(timers.get(card));
    var status = cardStatus(card);
    if (status) { status.hidden = true; status.classList.remove("failed"); }
    card.classList.add("is-redrawing");
    var region = shown(card);
    if (region) { region.setAttribute("aria-busy", "true"); }
    timers.set(card, setTimeout(function () { if (status) { status.hidden = false; } }, 3000));
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var card = cardOf(event.detail.elt);
    var xhr = event.detail.xhr;
    if (!card || !attempts.has(card) || !timers.has(card)) { return; }
    if (!xhr || xhr.status === 0) { return; }  // aborted for a newer choice, or no network (sendError)
    if (event.detail.successful || xhr.appSwapped) { cardDone(card); return; }
    cardFailed(card, serverMessage(xhr));
  });

  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var card = cardOf(event.detail.elt);
      if (card && attempts.has(card)) { cardFailed(card, ""); }
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-card-retry]");
    var card = button && cardOf(button);
    var attempt = card && attempts.get(card);
    if (!attempt || !window.htmx) { return; }
    setValues(attempt.form, attempt.values);  // the choice that failed, asked again
    var trigger = card.getAttribute("data-retry-event");
    if (trigger) { window.htmx.trigger(attempt.form, trigger); } else { attempt.form.requestSubmit(); }
  });
})();
