// Put into every HTML document of a SCORM package by Endra (courses.views), after scorm-again's
// cross-frame-api bundle and before the package's own scripts. It gives the document the API
// objects SCORM content looks for (`API` for 1.2, `API_1484_11` for 2004), which pass every
// call to the Endra module page by postMessage. The launch document gets the attempt's data
// from the frame's name (set by static/js/scorm-player.js), so the package's first reads
// (suspend data, location) are answered at once.
(function () {
  "use strict";
  var PREFIX = "endra-scorm:";
  var seed = null;
  try {
    if (window.name.indexOf(PREFIX) === 0) { seed = JSON.parse(window.name.slice(PREFIX.length)); }
  } catch (error) { seed = null; }
  // With a separate SCORM origin a parent document of the package may hold the API already.
  try {
    if (!seed && window.parent !== window && (window.parent.API || window.parent.API_1484_11)) {
      return;
    }
  } catch (error) { /* a parent of another origin: use our own */ }
  if (typeof window.CrossFrameAPI !== "function") { return; }
  var api = new window.CrossFrameAPI(seed ? seed.origin : "*", seed ? window.parent : window.top);
  if (seed && seed.data) {
    Object.keys(seed.data).forEach(function (key) { api._cache.set(key, String(seed.data[key])); });
  }
  window.API = api;
  window.API_1484_11 = api;
})();
