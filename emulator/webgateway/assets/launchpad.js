/* The Launchpad wears the OS Bar too, as MindSphere's does. */
"use strict";
window._mdsp.init({ title: "Launchpad", appId: "_mdspcontent" });
