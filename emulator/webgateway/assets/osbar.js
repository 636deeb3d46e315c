/*
 * A stand-in for MindSphere's OS Bar (https://static.{region}.mindsphere.io/osbar/v4/js/main.min.js),
 * served by the emulated gateway at /_gateway/osbar/v4/js/main.min.js. Not Siemens' code: enough of
 * its interface to test an app's integration in a real browser.
 *
 * window._mdsp.init({title, appId, appInfoPath, initialize}) puts a bar before the element with the id
 * appId ("_mdspcontent" when not given): the app's title, the tenant and the person (from the
 * gateway's /_gateway/osbar/session), a link back to the Launchpad, Sign out, and an About panel from
 * the app info JSON at appInfoPath ({displayName, appVersion, appCopyright, links}). Then it calls
 * initialize when that is a function. Plain ES2015; no inline script or style (the styles come from a
 * stylesheet next to this script), so it runs under a policy of script-src/style-src 'self'.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  // .../_gateway/osbar/v4/js/main.min.js -> .../_gateway/
  const gateway = new URL("../../../", script ? script.src : window.location.href);

  function make(tag, className, text) {
    const element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  function link(className, text, href) {
    const anchor = make("a", className, text);
    anchor.href = href;
    return anchor;
  }

  function addStylesheet() {
    if (document.querySelector("link[data-mdsp-osbar]")) {
      return;
    }
    const sheet = document.createElement("link");
    sheet.rel = "stylesheet";
    sheet.href = new URL("osbar/v4/css/main.min.css", gateway).href;
    sheet.setAttribute("data-mdsp-osbar", "");
    document.head.appendChild(sheet);
  }

  function getJson(url) {
    // redirect "manual": an ended gateway session answers with a redirect to sign-in, not JSON.
    return fetch(url, { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .catch(function () {
        return null;
      });
  }

  function build(options) {
    const bar = make("nav", "mdsp-osbar");
    bar.setAttribute("aria-label", "MindSphere");
    bar.setAttribute("data-mdsp-osbar", "");
    const home = link("mdsp-osbar__launchpad", "Launchpad", new URL("launchpad", gateway).href);
    const title = make("span", "mdsp-osbar__title", options.title || document.title);
    const who = make("span", "mdsp-osbar__who");
    who.appendChild(make("span", "mdsp-osbar__tenant", "…"));
    who.appendChild(make("span", "mdsp-osbar__user", ""));
    const signOut = link("mdsp-osbar__signout", "Sign out", new URL("signout", gateway).href);
    bar.appendChild(home);
    bar.appendChild(title);
    bar.appendChild(signOut);
    bar.appendChild(who);
    return bar;
  }

  function showSession(bar, session) {
    const tenant = bar.querySelector(".mdsp-osbar__tenant");
    const user = bar.querySelector(".mdsp-osbar__user");
    if (!session) {
      tenant.textContent = "Not signed in";
      return;
    }
    tenant.textContent = session.tenantDisplayName + " (" + session.tenant + ")";
    user.textContent = (session.user && (session.user.email || session.user.name)) || "";
    bar.querySelector(".mdsp-osbar__launchpad").href = session.launchpadUrl;
    bar.querySelector(".mdsp-osbar__signout").href = session.signOutUrl;
  }

  function showAppInfo(bar, info, options) {
    if (!info) {
      return;
    }
    if (!options.title && info.displayName) {
      bar.querySelector(".mdsp-osbar__title").textContent = info.displayName;
    }
    const about = make("details", "mdsp-osbar__about");
    about.appendChild(make("summary", "", "About"));
    const facts = [info.displayName, info.appVersion && "Version " + info.appVersion, info.appCopyright];
    facts.filter(Boolean).forEach(function (fact) {
      about.appendChild(make("p", "", fact));
    });
    const links = (info.links && info.links.default) || [];
    links.forEach(function (item) {
      if (item && item.value) {
        about.appendChild(link("", item.name || item.value, item.value));
      }
    });
    bar.insertBefore(about, bar.querySelector(".mdsp-osbar__signout"));
  }

  function start(options) {
    addStylesheet();
    const content = document.getElementById(options.appId || "_mdspcontent");
    const bar = build(options);
    if (content && content.parentNode) {
      content.parentNode.insertBefore(bar, content);
    } else {
      document.body.insertBefore(bar, document.body.firstChild);
    }
    document.documentElement.classList.add("mdsp-osbar-present");
    const info = options.appInfoPath ? getJson(new URL(options.appInfoPath, window.location.href).href) : null;
    Promise.all([getJson(new URL("osbar/session", gateway).href), info]).then(function (results) {
      showSession(bar, results[0]);
      showAppInfo(bar, results[1], options);
      bar.setAttribute("data-mdsp-osbar-ready", "");
    });
    if (typeof options.initialize === "function") {
      options.initialize();
    }
  }

  function init(options) {
    const settings = options || {};
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () {
        start(settings);
      }, { once: true });
    } else {
      start(settings);
    }
  }

  window._mdsp = Object.assign(window._mdsp || {}, { init: init });
})();
