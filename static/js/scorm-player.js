// The SCORM player on a module page. The package runs in a sandboxed frame (its own opaque
// origin, or the separate SCORM origin), so it cannot reach this page, its cookies or its CSRF
// token. The real SCORM API (scorm-again's Scorm12API / Scorm2004API) lives here; the package
// talks to it through scorm-again's CrossFrameAPI (put into each package document by Endra)
// and postMessage. This page saves the runtime data to Endra: scorm-again commits every few
// seconds and at the package's commit and finish calls, and once more when the page is left,
// each a keepalive fetch with the CSRF token, so a closed tab loses at most a few seconds.
(function () {
  "use strict";
  var PREFIX = "endra-scorm:";
  var root = document.getElementById("endra-scorm");
  if (!root || !window.Scorm12API || !window.CrossFrameLMS) {
    return;
  }
  var csrf = root.getAttribute("data-csrf");
  var holder = root.querySelector("[data-scorm-frame]");
  var status = root.querySelector("[data-scorm-status]");
  var restart = root.querySelector("[data-scorm-restart]");
  var notice = root.querySelector("[data-scorm-notice]");
  var contentOrigin = root.getAttribute("data-content-origin") || "null";
  var text = function (name) { return root.getAttribute("data-text-" + name) || ""; };
  var current = { api: null, lms: null, frame: null, info: null };

  function say(message) { status.textContent = message; }

  // Only the package's own frames may call the API (the sandbox makes their origin "null",
  // or the separate SCORM origin): anything else is stopped before scorm-again sees it.
  function fromPackage(event) {
    if (!current.frame || event.origin !== contentOrigin) { return false; }
    var win = event.source;
    for (var depth = 0; win && depth < 10; depth += 1) {
      if (win === current.frame.contentWindow) { return true; }
      if (win === win.parent) { break; }
      win = win.parent;
    }
    return false;
  }
  window.addEventListener("message", function (event) {
    if (!fromPackage(event)) { event.stopImmediatePropagation(); }
  });

  function commitResponse(response) {
    return response.json().then(function (body) {
      if (body.completed) {
        say(text("done"));
      } else if (body.result === "true") {
        say(text("saved"));
      }
      return { result: body.result, errorCode: body.errorCode || 0 };
    }, function () {
      say(text("failed"));
      return { result: "false", errorCode: 391 };
    });
  }

  function finishCommit() {
    var api = current.api;
    if (!api || !api.isInitialized() || api.isTerminated()) { return; }
    if (current.info.version === "2004") { api.Commit(""); } else { api.LMSCommit(""); }
  }

  function teardown() {
    if (current.lms) { current.lms.destroy(); }
    if (current.frame) { current.frame.remove(); }
    current = { api: null, lms: null, frame: null, info: null };
  }

  function start(info) {
    teardown();
    var Api = info.version === "2004" ? window.Scorm2004API : window.Scorm12API;
    var api = new Api({
      autocommit: true,
      autocommitSeconds: 5,
      lmsCommitUrl: info.commit,
      dataCommitFormat: "flattened",
      useAsynchronousCommits: true,
      asyncModeBeaconBehavior: "never",
      xhrHeaders: { "X-CSRFToken": csrf },
      responseHandler: commitResponse,
      logLevel: 4
    });
    api.loadFromFlattenedJSON(info.data, "");
    var seed = { origin: window.location.origin, data: api.getFlattenedCMI() };
    current = { api: api, lms: new window.CrossFrameLMS(api, "*"), frame: null, info: info };
    var frame = document.createElement("iframe");
    frame.className = "endra-scorm__frame";
    frame.title = root.getAttribute("data-title");
    frame.setAttribute("sandbox", root.getAttribute("data-sandbox"));
    frame.setAttribute("allow", "fullscreen");
    frame.name = PREFIX + JSON.stringify(seed);
    frame.src = info.launch;
    current.frame = frame;
    holder.appendChild(frame);
    notice.hidden = !info.newer_version;
    restart.hidden = false;
    say(info.completed ? text("done") : (info.data["cmi.suspend_data"] ? text("resumed") : ""));
  }

  function open(again) {
    var body = new URLSearchParams();
    if (again) { body.set("restart", "1"); }
    return fetch(root.getAttribute("data-open-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf },
      body: body
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(start).catch(function () { say(text("failed")); });
  }

  restart.addEventListener("click", function () {
    if (window.confirm(text("confirm"))) {
      finishCommit();
      open(true);
    }
  });
  window.addEventListener("pagehide", finishCommit);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { finishCommit(); }
  });
  open(false);
})();
