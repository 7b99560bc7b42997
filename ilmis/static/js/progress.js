// Polls a job's JSON status, moves the progress bar, reloads the page when the job ends.
(function () {
  "use strict";
  var box = document.querySelector("[data-url][data-status]");
  if (!box || !/pending|running/.test(box.dataset.status)) return;
  var bar = box.querySelector("progress");
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (bar) bar.value = job.progress;
        if (/pending|running/.test(job.status)) setTimeout(poll, 1000);
        else location.reload();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
