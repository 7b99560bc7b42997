/* The SCORM player (R6.5): table of contents, one SCO at a time in a same-origin frame, the API
 * object on this page (window.API / window.API_1484_11) so content finds it through
 * window.parent. Persistence is in api.js; this file only opens and switches SCOs. */
(function () {
  "use strict";
  var root = document.getElementById("scorm-player");
  if (!root || !window.IlmisScorm) return;
  var frame = document.getElementById("scorm-frame");
  var statusLine = document.getElementById("scorm-status");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var items = Array.prototype.slice.call(root.querySelectorAll("[data-launch]"));
  var current = null;
  var opening = false;

  function message(key) {
    var text = root.getAttribute("data-msg-" + key);
    statusLine.textContent = key === "saved" && !text ? "" : (text || "");
  }

  function unloadFrame() {
    return new Promise(function (resolve) {
      if (!frame.getAttribute("src") || frame.getAttribute("src") === "about:blank") { resolve(); return; }
      var done = false;
      function finish() { if (!done) { done = true; resolve(); } }
      frame.addEventListener("load", finish, { once: true });
      frame.setAttribute("src", "about:blank");
      setTimeout(finish, 3000);
    });
  }

  /* Send everything the previous SCO said before opening the next (a few tries, never forever). */
  function drain(session, tries) {
    if (!session || !session.pending.length || session.closed || tries <= 0) return Promise.resolve();
    return session.flush().then(function () { return drain(session, tries - 1); });
  }

  function find(predicate) {
    for (var i = 0; i < items.length; i++) if (predicate(items[i], i)) return items[i];
    return null;
  }

  /* Open a session on the server; a busy server or a dropped connection is retried. */
  function launch(url, tries) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.ok) return response.json();
      var error = new Error("HTTP " + response.status);
      error.retry = response.status >= 500;
      throw error;
    }, function (error) {
      error.retry = true;
      throw error;
    }).catch(function (error) {
      if (!error.retry || tries <= 1) throw error;
      return new Promise(function (resolve) { setTimeout(resolve, 1000); })
        .then(function () { return launch(url, tries - 1); });
    });
  }

  function open(item) {
    if (!item || opening) return;
    opening = true;
    message("loading");
    var previous = current;
    unloadFrame().then(function () {
      return drain(previous && previous.session, 3);
    }).then(function () {
      return window.IlmisScorm.Session.recover(csrf);
    }).then(function () {
      return launch(item.getAttribute("data-launch"), 3);
    }).then(function (payload) {
      var session = new window.IlmisScorm.Session(payload, {
        commitUrl: payload.commit_url, csrf: csrf, onStatus: message,
        onTerminate: function (request) { navigate(request); }
      });
      if (payload.version === "1.2") { window.API = session.api; } else { window.API_1484_11 = session.api; }
      current = { session: session, item: item };
      items.forEach(function (other) { other.removeAttribute("aria-current"); });
      item.setAttribute("aria-current", "true");
      statusLine.textContent = "";
      frame.setAttribute("src", payload.launch);
    }).catch(function () {
      message("error");
    }).then(function () { opening = false; });
  }

  /* 2004 navigation requests made before Terminate. */
  function navigate(request) {
    if (!current) return;
    var index = items.indexOf(current.item);
    var target = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
    var next = null;
    if (request === "continue") next = items[index + 1];
    else if (request === "previous") next = items[index - 1];
    else if (target) next = find(function (el) { return el.getAttribute("data-identifier") === target[1]; });
    if (next) { open(next); return; }
    if (["exit", "exitAll", "suspendAll", "abandon", "abandonAll"].indexOf(request) >= 0) {
      unloadFrame().then(function () { message("ended"); });
    }
  }

  items.forEach(function (item) {
    if (item.tagName === "BUTTON") item.addEventListener("click", function () { open(item); });
  });

  function leaving() { if (current) current.session.beacon(); }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leaving();
  });

  var start = root.getAttribute("data-start");
  open(find(function (el) { return el.getAttribute("data-id") === start; }) || items[0]);
})();
