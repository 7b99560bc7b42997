// Marks a video activity as done once, when it ends (the server is idempotent anyway).
(function () {
  "use strict";
  var video = document.querySelector("video[data-complete-form]");
  if (!video) return;
  var form = document.getElementById(video.dataset.completeForm);
  var sent = false;
  function send() {
    if (sent) return;
    sent = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      keepalive: true,
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      var badge = document.getElementById("done-badge");
      if (badge) { badge.hidden = false; badge.className = "badge badge-ok"; }
    }).catch(function () { sent = false; });
  }
  video.addEventListener("ended", send);
})();
