// Shows the progress of an archive being prepared, then its download link (R7.2).
(function () {
  "use strict";
  var box = document.getElementById("export");
  if (!box) return;
  var done = ["ready", "failed"];
  if (done.indexOf(box.dataset.status) !== -1) return;
  var delay = 1000;
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { delay = Math.min(delay * 2, 15000); return setTimeout(poll, delay); }
        document.getElementById("export-label").textContent = data.label;
        document.getElementById("export-percent").textContent = data.progress;
        var bar = document.getElementById("export-progress");
        bar.value = data.progress;
        bar.textContent = data.progress + " %";
        if (data.url) {
          document.getElementById("export-download").href = data.url;
          document.getElementById("export-link").hidden = false;
        }
        if (done.indexOf(data.status) !== -1) {
          if (data.status === "failed") window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();
