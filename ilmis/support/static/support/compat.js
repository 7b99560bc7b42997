/* R4.1 — compatibility check: each test sets data-level (ok / warn / fail) on its <li>;
   the French sentences are in the page, this script only shows the right one. */
(function () {
  "use strict";
  var root = document.getElementById("compat");
  if (!root) return;
  var results = {};

  function show(container, level) {
    container.setAttribute("data-level", level);
    var spans = container.querySelectorAll("[data-when]");
    for (var i = 0; i < spans.length; i++) {
      spans[i].hidden = spans[i].getAttribute("data-when") !== level;
    }
  }

  function set(key, level) {
    var item = root.querySelector('[data-check="' + key + '"]');
    if (!item) return;
    if (level === "warn" && !item.querySelector('[data-when="warn"]')) level = "fail";
    if (level === "fail" && !item.querySelector('[data-when="fail"]')) level = "warn";
    results[key] = level;
    show(item, level);
  }

  function cookies() {
    try {
      document.cookie = "ilmis_compat=1; path=/; SameSite=Lax";
      var ok = document.cookie.indexOf("ilmis_compat=1") !== -1;
      document.cookie = "ilmis_compat=; path=/; max-age=0; SameSite=Lax";
      return ok && navigator.cookieEnabled !== false;
    } catch (e) { return false; }
  }

  function storage() {
    try {
      localStorage.setItem("ilmis_compat", "1");
      var ok = localStorage.getItem("ilmis_compat") === "1";
      localStorage.removeItem("ilmis_compat");
      return ok;
    } catch (e) { return false; }
  }

  function pdf() {
    if (typeof navigator.pdfViewerEnabled === "boolean") return navigator.pdfViewerEnabled;
    try { return !!(navigator.mimeTypes && navigator.mimeTypes["application/pdf"]); }
    catch (e) { return false; }
  }

  function video() {
    var v = document.createElement("video");
    if (!v.canPlayType) return false;
    return !!(v.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"') ||
              v.canPlayType('video/webm; codecs="vp9, opus"') ||
              v.canPlayType('video/webm; codecs="vp8, vorbis"'));
  }

  function fetchBytes(size) {
    var url = root.getAttribute("data-speed-url") + "?octets=" + size + "&t=" + Date.now();
    var started = performance.now();
    return fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.arrayBuffer();
      })
      .then(function (buffer) {
        var seconds = Math.max((performance.now() - started) / 1000, 0.001);
        return { bytes: buffer.byteLength, seconds: seconds };
      });
  }

  function rate() {
    var max = parseInt(root.getAttribute("data-max-bytes"), 10) || 4194304;
    var min = parseFloat(root.getAttribute("data-min-rate")) || 2;
    // A small probe opens the connection and gives a first estimate; the second download is
    // sized to last about two seconds at that rate (capped), which smooths out latency.
    return fetchBytes(65536).then(function (probe) {
      var bytesPerSecond = probe.bytes / probe.seconds;
      var size = Math.min(max, Math.max(262144, Math.round(bytesPerSecond * 2)));
      return fetchBytes(size);
    }).then(function (measure) {
      var mbps = (measure.bytes * 8) / measure.seconds / 1e6;
      results.rate_mbps = Math.round(mbps * 100) / 100;
      var out = document.getElementById("rate-value");
      if (out) {
        out.textContent = results.rate_mbps.toLocaleString(document.documentElement.lang || "fr");
        out.parentNode.hidden = false;
      }
      set("rate", mbps >= min ? "ok" : "fail");
    }).catch(function () {
      results.rate_mbps = 0;
      set("rate", "fail");
    });
  }

  function verdict() {
    var levels = Object.keys(results).map(function (k) { return results[k]; });
    var level = levels.indexOf("fail") !== -1 ? "fail" : levels.indexOf("warn") !== -1 ? "warn" : "ok";
    var box = document.getElementById("compat-verdict");
    box.hidden = false;
    show(box, level);
    root.setAttribute("data-done", level);
    var field = document.getElementById("compat-results");
    if (field) {
      field.value = JSON.stringify(results);
      document.getElementById("compat-attach").hidden = false;
    }
    document.getElementById("compat-rerun").hidden = false;
  }

  function run() {
    results = {};
    root.removeAttribute("data-done");
    set("javascript", "ok");
    set("cookies", cookies() ? "ok" : "fail");
    set("local_storage", storage() ? "ok" : "fail");
    set("pdf", pdf() ? "ok" : "warn");
    set("video", video() ? "ok" : "fail");
    var item = root.querySelector('[data-check="rate"]');
    if (item) show(item, "pending");
    rate().then(verdict);
  }

  document.getElementById("compat-rerun").addEventListener("click", run);
  run();
})();
