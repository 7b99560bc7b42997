// R3.2: solve the page's proof-of-work challenge before the form is sent (no third party).
(function () {
  "use strict";
  var enc = new TextEncoder();
  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      return bits + Math.clz32(bytes[i]) - 24;
    }
    return bits;
  }
  async function solve(token, bits) {
    for (var nonce = 0; ; nonce++) {
      var digest = await crypto.subtle.digest("SHA-256", enc.encode(token + ":" + nonce));
      if (zeroBits(new Uint8Array(digest)) >= bits) return String(nonce);
    }
  }
  document.querySelectorAll("form[data-human-check]").forEach(function (form) {
    var box = form.querySelector(".human-question");
    if (!window.crypto || !crypto.subtle) return; // keep the question for old browsers
    if (box) box.hidden = true;
    var token = form.querySelector("input[name$='challenge']");
    var nonce = form.querySelector("input[name$='nonce']");
    var status = form.querySelector(".human-status");
    var done = solve(token.value, parseInt(form.dataset.humanCheck, 10)).then(function (n) {
      nonce.value = n;
      if (status) status.textContent = status.dataset.done;
    });
    form.addEventListener("submit", function (event) {
      if (nonce.value) return;
      event.preventDefault();
      done.then(function () { form.submit(); });
    });
  });
})();
