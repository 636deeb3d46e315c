/* Tells the server the browser's time zone, so pages show local times (webapp/localtime.py reads
 * the cookie). The browser's language already arrives as Accept-Language. Included, deferred, by
 * templates/base.html; the cookie also tells the server that this browser runs the app's scripts,
 * which is what lets the MindSphere pages answer with their shell at once (docs/assets.md). */
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    zone = "";
  }
  zone = zone || "UTC";
  var current = document.cookie.split("; ").filter(function (part) { return part.indexOf("tz=") === 0; })[0];
  if (current !== "tz=" + zone) {
    // IANA names are letters, digits, "/", "_", "-" and "+": all allowed in a cookie value as they are.
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" +
      (window.location.protocol === "https:" ? "; Secure" : "");
  }
})();
