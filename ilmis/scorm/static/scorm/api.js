/* SCORM run-time API for the player page (R6.5): window.API (1.2) and window.API_1484_11 (2004).
 *
 * The element table, access modes, limits and error strings come from the server
 * (ilmis/scorm/runtime.py, one source); the rules below mirror that module. Every call answers
 * synchronously from memory; persistence is asynchronous and batched: calls that change
 * something (and failed calls, for diagnostics) are numbered per attempt and sent on Commit,
 * on Terminate, a few seconds after a SetValue, and with navigator.sendBeacon when the page is
 * hidden or left. The server applies each number once, so resending is always safe.
 */
(function () {
  "use strict";

  var NOT_INITIALIZED = 0, RUNNING = 1, TERMINATED = 2;
  var REAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;  // see runtime.py
  var INT = /^-?\d+$/;
  var DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$/;
  var TIMESTAMP = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,2})?([Zz]|[+-](\d{2})(?::(\d{2}))?)?)?)?)?)?)?$/;
  var TIMESPAN_12 = /^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$/;
  var TIME_12 = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d{1,2})?$/;
  var LANG = /^(?:[a-zA-Z]{2,3}|[iIxX])(?:-[a-zA-Z0-9]{1,8})*$/;
  var ID_12 = /^[^\s]{1,255}$/;
  var URI_FORBIDDEN = /[\s\x00-\x1f\x7f"<>\\^`{|}\[\]]|%(?![0-9A-Fa-f]{2})/;
  var URI_SCHEME = /^([^:\/?#]+):([\s\S]*)$/;
  var SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
  var SHORT_ID = /^[^\s]{1,1000}$/;  // SPM 250, tolerated 4 times (see runtime.py)
  var T = 4;  // SPM_TOLERANCE in runtime.py
  var LANG_PREFIX = /^\{lang=([^}]*)\}/;
  var TARGET = /^\{target=([^}\s]+)\}$/;
  var LOGGED = { Initialize: 1, SetValue: 1, Commit: 1, Terminate: 1 };
  var AUTOSAVE_MS = 5000;

  function isReal(v) { return REAL.test(v); }
  function isIndex(p) { return /^\d+$/.test(p); }

  function durationOk(v) {
    return DURATION.test(v) && v !== "P" && v.charAt(v.length - 1) !== "T";
  }
  function timespanOk(v) {
    var m = TIMESPAN_12.exec(v);
    return !!m && +m[2] <= 59 && +m[3] <= 59;
  }
  function daysIn(year, month) { return new Date(Date.UTC(year, month, 0)).getUTCDate(); }
  function timestampOk(v) {
    var m = TIMESTAMP.exec(v);
    if (!m) return false;
    var y = +m[1];
    if (y < 1970 || y > 2038) return false;
    if (m[2] && (+m[2] < 1 || +m[2] > 12)) return false;
    if (m[3] && (+m[3] < 1 || +m[3] > daysIn(y, +m[2]))) return false;
    if ((m[4] && +m[4] > 23) || (m[5] && +m[5] > 59) || (m[6] && +m[6] > 59)) return false;
    if (m[7] && !m[4]) return false;
    return !((m[8] && +m[8] > 23) || (m[9] && +m[9] > 59));
  }
  function localizedOk(v, max) {
    if (v.indexOf("{lang=") === 0) {
      var m = LANG_PREFIX.exec(v);
      if (!m || !LANG.test(m[1])) return false;
      v = v.slice(m[0].length);
    }
    return v.length <= max;
  }
  function longIdOk(v, max) {
    if (!v || v.length > max || URI_FORBIDDEN.test(v) || v.split("#").length > 2) return false;
    var m = URI_SCHEME.exec(v);
    return !(v.charAt(0) === ":" || (m && (!SCHEME.test(m[1]) || !m[2])));
  }
  function shortIds(v, sep, unique, allowEmpty) {
    if (v === "") return !!allowEmpty;
    var parts = v.split(sep), seen = {};
    for (var i = 0; i < parts.length; i++) {
      if (!SHORT_ID.test(parts[i])) return false;
      if (unique && seen[parts[i]]) return false;
      seen[parts[i]] = 1;
    }
    return true;
  }
  function stripFlags(v, names) {
    var re = /^\{(case_matters|order_matters)=(true|false)\}/;
    while (v.charAt(0) === "{") {
      var m = re.exec(v);
      if (!m) return v.indexOf("{lang=") === 0 ? v : null;
      if (names.indexOf(m[1]) < 0) return null;
      v = v.slice(m[0].length);
    }
    return v;
  }
  function responseOk(kind, v, isPattern) {
    var i, parts;
    switch (kind) {
      case "true-false": return v === "true" || v === "false";
      case "choice": return shortIds(v, "[,]", true, true);
      case "sequencing": return shortIds(v, "[,]", false, false);
      case "likert": return SHORT_ID.test(v);
      case "matching":
        parts = v.split("[,]");
        for (i = 0; i < parts.length; i++) {
          var pair = parts[i].split("[.]");
          if (pair.length !== 2 || !SHORT_ID.test(pair[0]) || !SHORT_ID.test(pair[1])) return false;
        }
        return true;
      case "numeric":
        if (!isPattern) return isReal(v);
        parts = v.split("[:]");
        if (parts.length !== 2) return false;
        if ((parts[0] !== "" && !isReal(parts[0])) || (parts[1] !== "" && !isReal(parts[1]))) return false;
        return parts[0] === "" || parts[1] === "" || parseFloat(parts[0]) <= parseFloat(parts[1]);
      case "fill-in":
        if (isPattern) { v = stripFlags(v, ["case_matters", "order_matters"]); if (v === null) return false; }
        parts = v.split("[,]");
        for (i = 0; i < parts.length; i++) if (!localizedOk(parts[i], 250 * T)) return false;
        return true;
      case "long-fill-in":
        if (isPattern) { v = stripFlags(v, ["case_matters"]); if (v === null) return false; }
        return localizedOk(v, 4000 * T);
      case "performance":
        if (isPattern) { v = stripFlags(v, ["order_matters"]); if (v === null) return false; }
        parts = v.split("[,]");
        for (i = 0; i < parts.length; i++) {
          var step = parts[i].split("[.]");
          if (step.length !== 2 || (step[0] === "" && step[1] === "") || parts[i].length > 250 * T) return false;
          if (step[0] && !SHORT_ID.test(step[0])) return false;
        }
        return true;
      default: return v.length <= 4000 * T;
    }
  }
  function response12Ok(kind, v) {
    if (kind === "true-false") return ["0", "1", "t", "f", "true", "false"].indexOf(v) >= 0;
    if (kind === "numeric") return isReal(v);
    return v.length <= 255;
  }

  /* One SCO session: the data model, the state machine and the outgoing queue. */
  function Session(payload, options) {
    this.is12 = payload.version === "1.2";
    this.model = payload.model;
    this.errors = payload.errors;
    this.codes = payload.codes;
    this.spmFactor = payload.spm_factor || 1;
    this.defaults = payload.defaults || {};
    this.arrayMax = payload.array_max || {};
    this.data = payload.data;
    this.indices = {};
    for (var key in this.data) {
      if (Object.prototype.hasOwnProperty.call(this.data, key)) this.index(key);
    }
    this.targets = payload.targets || [];
    this.attempt = payload.attempt;
    this.session = payload.session;
    this.seq = payload.seq;
    this.acked = payload.seq;
    this.url = options.commitUrl;
    this.csrf = options.csrf;
    this.onTerminate = options.onTerminate || function () {};
    this.onStatus = options.onStatus || function () {};
    this.state = NOT_INITIALIZED;
    this.error = 0;
    this.diagnostic = "";
    this.pending = [];
    this.inFlight = false;
    this.again = false;
    this.timer = null;
    this.retryDelay = 2000;
    this.closed = false;
    this.handedUpTo = 0;  // the last call given to a request that outlives the page
    this.storeKey = STORE_PREFIX + this.attempt + ":" + this.session;
    this.api = this.is12 ? this.api12() : this.api2004();
  }

  /* Unsent calls are also kept in localStorage, so that a crash or a lost connection loses
   * nothing: the player sends them (recover) before it opens a SCO again. */
  var STORE_PREFIX = "ilmis-scorm:";

  function storage() {
    try { return window.localStorage || null; } catch (e) { return null; }
  }

  Session.recover = function (csrf) {
    var store = storage(), keys = [], i;
    if (!store) return Promise.resolve();
    for (i = 0; i < store.length; i++) {
      if (store.key(i).indexOf(STORE_PREFIX) === 0) keys.push(store.key(i));
    }
    return Promise.all(keys.map(function (key) {
      var saved;
      try { saved = JSON.parse(store.getItem(key)); } catch (e) { saved = null; }
      if (!saved || !saved.calls || !saved.calls.length) { store.removeItem(key); return null; }
      var body = new URLSearchParams();
      body.set("csrfmiddlewaretoken", csrf);
      body.set("session", String(saved.session));
      body.set("first", String(saved.calls[0].seq));
      body.set("calls", JSON.stringify(saved.calls));
      return fetch(saved.url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          // Applied, already there, refused or not ours: in every case there is nothing to keep
          // (but a redirection is the login or terms page: kept until the learner is back).
          if (!response.redirected && response.status < 500) store.removeItem(key);
        }).catch(function () { /* still offline: kept for next time */ });
    }));
  };

  var S = Session.prototype;

  S.fail = function (name, diagnostic) {
    this.error = this.codes[name];
    this.diagnostic = diagnostic || "";
    return this.error;
  };
  S.ok = function () { this.error = 0; this.diagnostic = ""; return 0; };

  S.count = function (prefix) {
    var set = this.indices[prefix];
    return set ? set.n : 0;
  };

  /* Remember the array indices in `key` (counts without scanning the data). */
  S.index = function (key) {
    var parts = key.split(".");
    for (var i = 1; i < parts.length; i++) {
      if (isIndex(parts[i])) {
        var prefix = parts.slice(0, i).join(".");
        var set = this.indices[prefix] || (this.indices[prefix] = { seen: {}, n: 0 });
        if (!set.seen[parts[i]]) { set.seen[parts[i]] = 1; set.n++; }
      }
    }
  };

  S.resolve = function (element) {
    var m;
    if (!this.is12 && (element.indexOf("adl.nav.request_valid.choice.") === 0 ||
        element.indexOf("adl.nav.request_valid.jump.") === 0)) {
      var rest = element.slice("adl.nav.request_valid.".length);
      var kind = rest.split(".")[0];
      m = TARGET.exec(rest.slice(kind.length + 1));
      if (!m) return null;
      var key = "adl.nav.request_valid." + kind + ".{target}";
      return { pattern: key, spec: this.model[key], indices: [["target", m[1]]] };
    }
    var parts = element.split("."), pattern = [], indices = [];
    if (parts.indexOf("n") >= 0 || parts.indexOf("{target}") >= 0) return null;
    for (var i = 0; i < parts.length; i++) {
      if (i > 0 && isIndex(parts[i])) {
        if (parts[i] !== "0" && parts[i].charAt(0) === "0") return null;
        indices.push([parts.slice(0, i).join("."), parseInt(parts[i], 10)]);
        pattern.push("n");
      } else {
        pattern.push(parts[i]);
      }
    }
    var p = pattern.join(".");
    if (!Object.prototype.hasOwnProperty.call(this.model, p)) return null;
    return { pattern: p, spec: this.model[p], indices: indices };
  };

  S.knownPrefix = function (element) {
    var prefix = element.split(".").map(function (p) { return isIndex(p) ? "n" : p; }).join(".");
    for (var key in this.model) {
      if (key === prefix || key.indexOf(prefix + ".") === 0) return true;
    }
    return false;
  };

  S.lookupFailure = function (element, setting) {
    var pairs = [["._children", "no_children"], ["._count", "no_count"]];
    for (var i = 0; i < pairs.length; i++) {
      var kw = pairs[i][0];
      if (element.length > kw.length && element.slice(-kw.length) === kw &&
          this.knownPrefix(element.slice(0, -kw.length))) {
        return this.fail(setting && !this.is12 ? "keyword" : pairs[i][1],
          element.slice(0, -kw.length) + " has no " + kw.slice(1) + ".");
      }
    }
    if (setting && /\._version$/.test(element)) return this.fail("keyword");
    return this.fail("undefined", element + " is not part of the data model.");
  };

  S.evaluated = function (element) {
    var d = this.data;
    if (element === "cmi.completion_status") {
      var t = d["cmi.completion_threshold"], pm = d["cmi.progress_measure"];
      if (t !== undefined && t !== "") {
        if (pm === undefined || pm === "") return "unknown";
        return parseFloat(pm) >= parseFloat(t) ? "completed" : "incomplete";
      }
      return d[element] !== undefined ? d[element] : "unknown";
    }
    var sps = d["cmi.scaled_passing_score"], sc = d["cmi.score.scaled"];
    if (sps !== undefined && sps !== "") {
      if (sc === undefined || sc === "") return "unknown";
      return parseFloat(sc) >= parseFloat(sps) ? "passed" : "failed";
    }
    return d[element] !== undefined ? d[element] : "unknown";
  };

  S.getValue = function (element) {
    if (this.state === NOT_INITIALIZED) { this.fail("get_before"); return ""; }
    if (this.state === TERMINATED) { this.fail("get_after"); return ""; }
    element = element === undefined || element === null ? "" : String(element);
    if (element === "") { this.fail("get_failure", "No element was given."); return ""; }
    var r = this.resolve(element);
    if (!r) { this.lookupFailure(element, false); return ""; }
    var mode = r.spec[0], kind = r.spec[1];
    if (mode === "wo") { this.fail("write_only", element + " is write-only."); return ""; }
    if (kind === "navvalid") {
      this.ok();
      return this.targets.indexOf(r.indices[0][1]) >= 0 ? "true" : "false";
    }
    for (var i = 0; i < r.indices.length; i++) {
      if (r.indices[i][1] >= this.count(r.indices[i][0])) {
        this.fail("get_failure", r.indices[i][0] + "." + r.indices[i][1] + " does not exist.");
        return "";
      }
    }
    if (kind === "fixed") { this.ok(); return r.spec[2]; }
    if (kind === "count") { this.ok(); return String(this.count(element.slice(0, -"._count".length))); }
    if (!this.is12 && (element === "cmi.completion_status" || element === "cmi.success_status")) {
      this.ok();
      return this.evaluated(element);
    }
    if (Object.prototype.hasOwnProperty.call(this.data, element)) { this.ok(); return this.data[element]; }
    if (Object.prototype.hasOwnProperty.call(this.defaults, r.pattern)) { this.ok(); return this.defaults[r.pattern]; }
    if (this.is12) { this.ok(); return ""; }
    this.fail("not_set", element + " has not been set.");
    return "";
  };

  S.check = function (kind, spec, value, element, indices) {
    var n;
    switch (kind) {
      case "str": n = spec[2] * this.spmFactor;
        return value.length <= n ? null : ["type", "Longer than " + n + " chars."];
      case "lstr": return localizedOk(value, spec[2] * this.spmFactor) ? null : "type";
      case "lid": return longIdOk(value, spec[2] * this.spmFactor) ? null : "type";
      case "id12": return ID_12.test(value) ? null : "type";
      case "vocab": return spec[2].indexOf(value) >= 0 ? null : ["type", "Allowed: " + spec[2].join(", ") + "."];
      case "lang": return value === "" || LANG.test(value) ? null : "type";
      case "time": return timestampOk(value) ? null : "type";
      case "dur": return durationOk(value) ? null : "type";
      case "span12": return timespanOk(value) ? null : "type";
      case "time12": return TIME_12.test(value) ? null : "type";
      case "real":
      case "dec12":
        if (kind === "dec12" && value === "") return null;
        if (!isReal(value)) return "type";
        n = parseFloat(value);
        if ((spec[2] !== null && n < spec[2]) || (spec[3] !== null && n > spec[3])) return "range";
        return null;
      case "int12":
        if (!INT.test(value)) return "type";
        n = parseInt(value, 10);
        return n >= spec[2] && n <= spec[3] ? null : "range";
      case "result":
      case "result12":
        return spec[2].indexOf(value) >= 0 || isReal(value) ? null : "type";
      case "nav":
        return spec[2].indexOf(value) >= 0 || /^\{target=[^}\s]+\}(choice|jump)$/.test(value) ? null : "type";
      case "pattern":
      case "response":
        var base = element.split(".").slice(0, 3).join(".");
        var itype = this.data[base + ".type"];
        if (itype === undefined) return ["dependency", base + ".type must be set first."];
        if (!responseOk(itype, value, kind === "pattern")) return ["type", "Not a valid " + itype + " response."];
        if (kind === "pattern") {
          var prefix = indices[1][0], index = indices[1][1], count = this.count(prefix);
          if (["true-false", "likert", "numeric", "other"].indexOf(itype) >= 0 && index >= 1) {
            return ["set_failure", "A " + itype + " interaction has one correct response."];
          }
          if (itype === "choice" || itype === "sequencing") {
            for (var k = 0; k < count; k++) {
              if (k !== index && this.data[prefix + "." + k + ".pattern"] === value) {
                return ["set_failure", "This correct response is already listed."];
              }
            }
          }
        }
        return null;
      case "response12":
        var base12 = element.split(".").slice(0, 3).join(".");
        return response12Ok(this.data[base12 + ".type"] || "", value) ? null : "type";
    }
    return "undefined";
  };

  S.setValue = function (element, value) {
    if (this.state === NOT_INITIALIZED) return this.fail("set_before");
    if (this.state === TERMINATED) return this.fail("set_after");
    element = element === undefined || element === null ? "" : String(element);
    if (element === "") return this.fail("set_failure", "No element was given.");
    value = value === undefined || value === null ? "" : String(value);
    var r = this.resolve(element);
    if (!r) return this.lookupFailure(element, true);
    var mode = r.spec[0], kind = r.spec[1], i;
    if (kind === "fixed" || kind === "count") return this.fail("keyword", element + " is a keyword.");
    if (mode === "ro") return this.fail("read_only", element + " is read-only.");
    var newRecord = null;
    for (i = 0; i < r.indices.length; i++) {
      var prefix = r.indices[i][0], index = r.indices[i][1], count = this.count(prefix);
      if (index > count) return this.fail("set_failure", prefix + "." + index + ": the next index is " + count + ".");
      if (index === count) {
        if (prefix === "adl.data") return this.fail("set_failure", "adl.data stores come from the manifest.");
        var max = this.arrayMax[prefix.replace(/\.\d+\./g, ".n.")];
        if (max && count >= max) return this.fail("set_failure", prefix + " keeps " + count + " records at most.");
        newRecord = [prefix, index];
        if (i + 1 < r.indices.length && !this.is12) {
          return this.fail("dependency", prefix + "." + index + ".id must be set first.");
        }
      }
    }
    var leaf = r.pattern.split(".").pop();
    if (!this.is12 && newRecord) {
      var generic = newRecord[0].replace(/\.\d+/g, ".n");
      if ((generic === "cmi.interactions" || generic === "cmi.objectives") && leaf !== "id") {
        return this.fail("dependency", newRecord[0] + "." + newRecord[1] + ".id must be set first.");
      }
    }
    var failure = this.check(kind, r.spec, value, element, r.indices);
    if (failure) return typeof failure === "string" ? this.fail(failure) : this.fail(failure[0], failure[1]);
    if (!this.is12 && r.pattern === "cmi.objectives.n.id") {
      var current = this.data[element], n = r.indices[0][1];
      if (current !== undefined && current !== value) return this.fail("set_failure", "An objective's id cannot be changed.");
      for (i = 0; i < this.count("cmi.objectives"); i++) {
        if (i !== n && this.data["cmi.objectives." + i + ".id"] === value) {
          return this.fail("set_failure", "Objective id " + value + " is already used.");
        }
      }
    }
    if (!this.is12 && r.pattern === "cmi.interactions.n.objectives.n.id") {
      var sub = r.indices[1][0], j = r.indices[1][1];
      for (i = 0; i < this.count(sub); i++) {
        if (i !== j && this.data[sub + "." + i + ".id"] === value) {
          return this.fail("set_failure", "Objective id " + value + " is already listed.");
        }
      }
    }
    if (!Object.prototype.hasOwnProperty.call(this.data, element)) this.index(element);
    this.data[element] = value;
    return this.ok();
  };

  /* --- session functions --- */
  S.initialize = function (arg) {
    if (arg !== "" && arg !== undefined && arg !== null) this.fail("argument", "The parameter must be an empty string.");
    else if (this.state === RUNNING) this.fail("init_twice");
    else if (this.state === TERMINATED) this.fail("init_after_term");
    else { this.state = RUNNING; this.ok(); }
    return this.error ? "false" : "true";
  };
  S.terminate = function (arg) {
    if (arg !== "" && arg !== undefined && arg !== null) this.fail("argument", "The parameter must be an empty string.");
    else if (this.state === NOT_INITIALIZED) this.fail("term_before");
    else if (this.state === TERMINATED) this.fail("term_after");
    else { this.state = TERMINATED; this.ok(); }
    return this.error ? "false" : "true";
  };
  S.commit = function (arg) {
    if (arg !== "" && arg !== undefined && arg !== null) this.fail("argument", "The parameter must be an empty string.");
    else if (this.state === NOT_INITIALIZED) this.fail("commit_before");
    else if (this.state === TERMINATED) this.fail("commit_after");
    else this.ok();
    return this.error ? "false" : "true";
  };
  S.errorString = function (code) {
    var text = this.errors[String(code)];
    return text === undefined ? "" : text;
  };
  S.diagnosticFor = function (code) {
    if (code === undefined || code === null || code === "" || String(code) === String(this.error)) {
      return this.diagnostic || this.errorString(this.error);
    }
    return this.errorString(code);
  };

  /* --- the queue --- */
  S.log = function (fn, element, value, result) {
    if (!LOGGED[fn] && !this.error) return;
    this.seq += 1;
    this.pending.push({
      seq: this.seq, fn: fn, element: element === undefined ? "" : String(element),
      value: value === undefined ? "" : String(value), error: this.error,
      result: result === undefined ? "" : String(result), t: Date.now()
    });
    this.save();
  };

  S.save = function () {
    var store = storage();
    if (!store || this.closed) return;
    try {
      if (this.pending.length) {
        store.setItem(this.storeKey, JSON.stringify({ url: this.url, session: this.session, calls: this.pending }));
      } else {
        store.removeItem(this.storeKey);
      }
    } catch (e) { /* storage full or disabled: the network copy still goes */ }
  };

  S.schedule = function (delay) {
    var self = this;
    if (this.timer) return;
    this.timer = setTimeout(function () { self.timer = null; self.flush(); }, delay);
  };

  S.body = function (calls) {
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", this.csrf);
    body.set("session", String(this.session));
    body.set("first", calls.length ? String(calls[0].seq) : String(this.acked + 1));
    body.set("calls", JSON.stringify(calls));
    return body;
  };

  S.acknowledge = function (lastSeq) {
    this.acked = Math.max(this.acked, lastSeq);
    var acked = this.acked;
    this.pending = this.pending.filter(function (c) { return c.seq > acked; });
    this.save();
  };

  /* Send what is pending, one request at a time; never blocks the SCO. */
  S.flush = function () {
    var self = this;
    if (!this.pending.length || this.closed) return Promise.resolve();
    if (this.inFlight) { this.again = true; return this.inFlight; }
    var calls = this.pending.slice();
    this.onStatus("saving");
    var body = this.body(calls);
    // keepalive lets a Terminate sent while the page unloads still arrive (64 KB at most).
    var keepalive = body.toString().length < 60000;
    if (keepalive) this.handedUpTo = Math.max(this.handedUpTo, calls[calls.length - 1].seq);
    this.inFlight = fetch(this.url, {
      method: "POST", body: body, credentials: "same-origin",
      keepalive: keepalive, headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.redirected) throw new Error("signed out");  // login or terms page: retry later
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (response.ok || response.status === 409) {
          if (typeof json.last_seq === "number") self.acknowledge(json.last_seq);
          self.retryDelay = 2000;
          self.onStatus(self.pending.length ? "pending" : "saved");
        } else if (response.status === 410 || response.status === 404) {
          self.pending = [];
          self.save();
          self.closed = true;  // opened elsewhere, or access ended: this session no longer writes
          self.onStatus("stale");
        } else {
          throw new Error("HTTP " + response.status);
        }
      });
    }).catch(function () {
      self.onStatus("offline");
      self.retryDelay = Math.min(self.retryDelay * 2, 60000);
      self.schedule(self.retryDelay);
    }).then(function () {
      self.inFlight = false;
      if (self.again) { self.again = false; self.flush(); }
    });
    return this.inFlight;
  };

  /* The page is going away: hand what is pending to the browser (it sends it after we leave).
   * Several SetValue calls of one element (outside arrays) are reduced to the last (the numbering
   * keeps its holes, the server accepts them) so that the beacon stays under its 64 KB limit. */
  S.beacon = function () {
    if (!this.pending.length || this.closed) return true;
    // Nothing new since the last request that outlives the page (a keepalive fetch, or the
    // beacon of visibilitychange just before pagehide): do not send the same calls twice.
    if (this.pending[this.pending.length - 1].seq <= this.handedUpTo) return true;
    var last = {}, calls = [];
    // Only elements outside arrays: inside them, order matters (an id before its fields).
    function single(c) { return c.fn === "SetValue" && !c.error && !/\.\d+(\.|$)/.test(c.element); }
    this.pending.forEach(function (c) { if (single(c)) last[c.element] = c.seq; });
    this.pending.forEach(function (c) {
      if (!single(c) || last[c.element] === c.seq) calls.push(c);
    });
    var body = this.body(calls);
    body.set("first", String(this.pending[0].seq));
    var sent = false;
    try { sent = navigator.sendBeacon(this.url, body); } catch (e) { sent = false; }
    if (sent) this.handedUpTo = this.pending[this.pending.length - 1].seq;
    if (!sent) {
      try {
        // Over 64 KB this fails too: the calls stay in localStorage for the next launch.
        fetch(this.url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
          .catch(function () {});
        sent = true;
      } catch (e2) { sent = false; }
    }
    return sent;
  };

  /* Wrap a session function: run it, log it, schedule persistence. */
  S.call = function (fn, element, value, run) {
    var result;
    try { result = run(); } catch (e) { this.fail("general", String(e)); result = "false"; }
    this.log(fn, element, value, result);
    if (fn === "SetValue" && !this.error) this.schedule(AUTOSAVE_MS);
    if ((fn === "Commit" || fn === "Terminate") && !this.error) this.flush();
    if (fn === "Terminate" && !this.error) {
      var self = this;
      setTimeout(function () { self.onTerminate(self.data["adl.nav.request"] || "_none_"); }, 0);
    }
    return result;
  };

  S.api2004 = function () {
    var s = this;
    return {
      version: "1.0",
      Initialize: function (a) { return s.call("Initialize", "", a, function () { return s.initialize(a); }); },
      Terminate: function (a) { return s.call("Terminate", "", a, function () { return s.terminate(a); }); },
      Commit: function (a) { return s.call("Commit", "", a, function () { return s.commit(a); }); },
      GetValue: function (e) { return s.call("GetValue", e, "", function () { return s.getValue(e); }); },
      SetValue: function (e, v) {
        return s.call("SetValue", e, v, function () { return s.setValue(e, v) ? "false" : "true"; });
      },
      GetLastError: function () { return String(s.error); },
      GetErrorString: function (c) { return s.errorString(c); },
      GetDiagnostic: function (c) { return s.diagnosticFor(c); }
    };
  };

  S.api12 = function () {
    var s = this;
    return {
      LMSInitialize: function (a) { return s.call("Initialize", "", a, function () { return s.initialize(a); }); },
      LMSFinish: function (a) { return s.call("Terminate", "", a, function () { return s.terminate(a); }); },
      LMSCommit: function (a) { return s.call("Commit", "", a, function () { return s.commit(a); }); },
      LMSGetValue: function (e) { return s.call("GetValue", e, "", function () { return s.getValue(e); }); },
      LMSSetValue: function (e, v) {
        return s.call("SetValue", e, v, function () { return s.setValue(e, v) ? "false" : "true"; });
      },
      LMSGetLastError: function () { return String(s.error); },
      LMSGetErrorString: function (c) { return s.errorString(c); },
      LMSGetDiagnostic: function (c) { return s.diagnosticFor(c); }
    };
  };

  window.IlmisScorm = { Session: Session };
})();
