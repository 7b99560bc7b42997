// Quiz autosave (R6.3): every answer is sent as soon as it is given, with a sequence number;
// unsent answers are kept in localStorage and retried until the server has them, so a dropped
// connection or a reload loses nothing. The server's clock decides when time is up.
(function () {
  "use strict";
  var root = document.getElementById("quiz");
  if (!root || !window.fetch) return;
  var form = document.getElementById("quiz-form");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var key = "ilmis-quiz-" + root.dataset.attempt;
  var pending = {};
  try { pending = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { pending = {}; }
  var sending = {}, timer = null, closed = false;
  var status = document.getElementById("quiz-connection");
  var gettext = window.gettext || function (s) { return s; };

  function store() { try { localStorage.setItem(key, JSON.stringify(pending)); } catch (e) { /* full */ } }
  function box(id) { return document.getElementById("q" + id); }
  function say(id, text) { var b = box(id); var p = b && b.querySelector(".quiz-status"); if (p) p.textContent = text; }
  function count() { return Object.keys(pending).length; }
  function banner() {
    status.textContent = count() ? gettext("Réponses pas encore enregistrées : ") + count() +
      (navigator.onLine ? "" : gettext(" (hors ligne : elles partiront au retour de la connexion)")) : "";
  }

  function read(fs) {
    var type = fs.dataset.type, id = fs.dataset.question;
    if (type === "single" || type === "truefalse") {
      var c = fs.querySelector("input:checked");
      if (!c) return null;
      return type === "single" ? parseInt(c.value, 10) : c.value === "true";
    }
    if (type === "multiple") {
      return Array.prototype.map.call(fs.querySelectorAll("input:checked"), function (i) { return parseInt(i.value, 10); });
    }
    if (type === "matching") {
      var pairs = {};
      fs.querySelectorAll("select").forEach(function (s) { if (s.value !== "") pairs[s.name.split("_")[1]] = parseInt(s.value, 10); });
      return pairs;
    }
    var field = fs.querySelector("[name=q" + id + "]");
    return field ? field.value : null;
  }

  function write(fs, value) {
    var type = fs.dataset.type;
    if (type === "single" || type === "truefalse" || type === "multiple") {
      fs.querySelectorAll("input").forEach(function (i) {
        var v = type === "truefalse" ? i.value === "true" : parseInt(i.value, 10);
        i.checked = Array.isArray(value) ? value.indexOf(v) >= 0 : v === value;
      });
    } else if (type === "matching") {
      fs.querySelectorAll("select").forEach(function (s) { var v = value[s.name.split("_")[1]]; s.value = v === undefined ? "" : String(v); });
    } else {
      var field = fs.querySelector("[name=q" + fs.dataset.question + "]");
      if (field) field.value = value;
    }
  }

  function queue(fs) {
    var id = fs.dataset.question;
    var last = Math.max(parseInt(fs.dataset.sequence, 10) || 0, pending[id] ? pending[id].sequence : 0);
    pending[id] = { sequence: last + 1, response: read(fs) };
    fs.dataset.sequence = String(last + 1);
    store();
    say(id, gettext("Pas encore enregistré"));
    send(id);
  }

  function send(id) {
    if (closed || sending[id] || !pending[id]) return;
    var item = pending[id];
    sending[id] = true;
    fetch(root.dataset.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ question: parseInt(id, 10), sequence: item.sequence, response: item.response })
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      sending[id] = false;
      if (res.ok || res.data.error === "out_of_order" || res.data.error === "refused") {
        if (pending[id] && pending[id].sequence <= item.sequence) delete pending[id];
        store();
        say(id, res.ok ? gettext("Enregistré") : res.data.message);
        if (pending[id]) send(id);
      } else if (res.data.error === "closed") {
        closed = true; pending = {}; store();
        alert(res.data.message);
        location.reload();
      } else { retry(); }
      banner();
    }).catch(function () { sending[id] = false; say(id, gettext("Pas encore enregistré")); retry(); banner(); });
  }

  function flush() { Object.keys(pending).forEach(send); }
  function retry() { if (!timer) timer = setTimeout(function () { timer = null; flush(); }, 3000); }

  document.querySelectorAll(".quiz-q[data-question]").forEach(function (fs) {
    var id = fs.dataset.question;
    if (pending[id]) {
      write(fs, pending[id].response);
      fs.dataset.sequence = String(Math.max(parseInt(fs.dataset.sequence, 10) || 0, pending[id].sequence));
      say(id, gettext("Pas encore enregistré"));
    }
    var debounce = null;
    fs.addEventListener("change", function () { clearTimeout(debounce); queue(fs); });
    fs.addEventListener("input", function (e) {
      if (e.target.tagName === "TEXTAREA" || e.target.type === "text") {
        clearTimeout(debounce); debounce = setTimeout(function () { queue(fs); }, 800);
      }
    });
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", banner);
  flush(); banner();

  form.addEventListener("submit", function (e) {
    if (count()) {
      e.preventDefault();
      flush();
      status.textContent = gettext("Vos dernières réponses ne sont pas encore enregistrées : réessayez dans un instant, rien n'est perdu.");
    }
  });

  var remaining = parseInt(root.dataset.remaining, 10);
  var clock = document.getElementById("quiz-timer");
  if (!isNaN(remaining) && clock) {
    var end = Date.now() + remaining * 1000;
    setInterval(function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + " min " + ("0" + (left % 60)).slice(-2) + " s";
      if (left === 0 && !closed) { closed = true; location.reload(); }  // the server closes it
    }, 1000);
  }
})();
