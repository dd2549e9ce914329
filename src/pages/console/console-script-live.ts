/** The console script's last part (see console-script.ts): webhook endpoints, live alerts, limits, operations, the audit log. */
export const CONSOLE_LIVE_AND_LIMITS = String.raw`  var endpoints = $("endpoints");
  if (endpoints) {
    var hookSay = function (text, bad) { $("endpoints-message").className = "status" + (bad ? " bad" : ""); say("endpoints-message", text); };
    endpoints.addEventListener("click", function (event) {
      var again = event.target.closest && event.target.closest("button[data-redeliver]");
      if (again) {
        again.disabled = true;
        send("POST", "/v1/events/" + again.dataset.redeliver + "/redeliver", { endpoint_id: again.dataset.endpointId }).then(function (reply) {
          again.disabled = false;
          hookSay(reply.status === 202 ? "Sent again: it goes out within a few seconds." : errorText(reply, "Not sent."), reply.status !== 202);
        });
        return;
      }
      var rotate = event.target.closest && event.target.closest("button[data-rotate-endpoint]");
      if (rotate) {
        if (!window.confirm("Make a new signing secret? The old one keeps working for 24 hours, so your server has a day to change.")) return;
        rotate.disabled = true;
        send("POST", "/v1/webhook-endpoints/" + rotate.dataset.rotateEndpoint + "/rotate-secret").then(function (reply) {
          rotate.disabled = false;
          if (reply.status !== 200) { hookSay(errorText(reply, "Nothing changed."), true); return; }
          showOnce($("endpoint-secret"), reply.body.secret);
          hookSay("New secret made: both secrets sign until " + new Date(reply.body.previous_secret_valid_until).toLocaleString() + ".");
        });
        return;
      }
      var stop = event.target.closest && event.target.closest("button[data-delete-endpoint]");
      if (!stop || !window.confirm("Stop sending events to this address?")) return;
      stop.disabled = true;
      send("DELETE", "/v1/webhook-endpoints/" + stop.dataset.deleteEndpoint).then(function (reply) {
        if (reply.status !== 200) { stop.disabled = false; hookSay(errorText(reply, "Nothing changed."), true); return; }
        stop.closest("li").remove();
        hookSay("Stopped: nothing more is sent there.");
        focusOn($("endpoints-message"));
      });
    });
    var endpointForm = $("endpoint-form");
    if (endpointForm) submit(endpointForm, function () {
      var events = Array.prototype.slice.call(endpointForm.querySelectorAll("input[name=event]:checked")).map(function (input) { return input.value; });
      if (!/^https?:\/\/\S+$/.test($("endpoint_url").value.trim())) { fieldError("endpoint_url", "Enter your server's address, starting with https://"); return Promise.resolve(); }
      if (events.length === 0) { say("endpoint_events-error", "Pick at least one event to send."); return Promise.resolve(); }
      return send("POST", "/v1/webhook-endpoints", { url: $("endpoint_url").value.trim(), events: events }).then(function (reply) {
        if (reply.status !== 201) return explain(reply, { url: "endpoint_url" }, "endpoint-message");
        showOnce($("endpoint-secret"), reply.body.secret);
        var item = document.createElement("li");
        item.dataset.endpoint = reply.body.id;
        var words = document.createElement("span");
        var url = document.createElement("code");
        url.textContent = reply.body.url;
        words.appendChild(url);
        words.appendChild(document.createElement("br"));
        var what = document.createElement("small");
        what.className = "muted";
        what.textContent = Array.prototype.slice.call(endpointForm.querySelectorAll("input[name=event]:checked")).map(function (input) { return input.parentNode.textContent.trim(); }).join("; ");
        words.appendChild(what);
        item.appendChild(words);
        var stop = document.createElement("button");
        stop.type = "button";
        stop.className = "danger";
        stop.dataset.deleteEndpoint = reply.body.id;
        stop.textContent = "Stop sending";
        stop.setAttribute("aria-label", "Stop sending to " + reply.body.url);
        item.appendChild(stop);
        var none = endpoints.querySelector("li.muted");
        if (none) none.remove();
        endpoints.appendChild(item);
        $("endpoint_url").value = "";
        hookSay("Added: events are sent to " + reply.body.url + ".");
      });
    });
  }

  var alertList = $("alerts");
  if (alertList) {
    var shows = function (status) { var f = alertList.dataset.filter; return f === "all" || f === status || (f === "todo" && status !== "resolved"); };
    /** Puts in (or replaces) an alert's line as the server draws it; a line its filter no longer shows goes. */
    var drawAlert = function (id, status, isNew) {
      return fetch("/console/alerts/items/" + encodeURIComponent(id), { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (markup) {
        if (markup === null) return;
        var old = alertList.querySelector('li[data-alert="' + id + '"]');
        if (!shows(status)) { if (old) old.remove(); return; }
        var holder = document.createElement("ul");
        holder.innerHTML = markup;
        var line = holder.firstElementChild;
        // A line redrawn while someone is writing its note keeps the note open, with what was typed.
        var openNote = old && old.querySelector("details[open] input");
        if (openNote && line.querySelector("details")) {
          line.querySelector("details").open = true;
          line.querySelector("details input").value = openNote.value;
        }
        if (old) old.replaceWith(line);
        else if (isNew) {
          var none = alertList.querySelector("[data-none]");
          if (none) none.remove();
          alertList.insertBefore(line, alertList.firstChild);
        }
        bindAlert(line);
      });
    };
    var bindAlert = function (line) {
      var ack = line.querySelector("button[data-acknowledge]");
      if (ack) ack.addEventListener("click", function () {
        ack.disabled = true;
        send("POST", "/v1/alerts/" + ack.dataset.acknowledge + "/acknowledge").then(function (reply) {
          if (reply.status !== 200) { ack.disabled = false; say("alerts-live", errorText(reply, "Nothing changed.")); return; }
          say("alerts-live", "Marked as being looked at.");
          drawAlert(reply.body.id, reply.body.status, false);
        });
      });
      var form = line.querySelector("form[data-resolve]");
      if (form) submit(form, function () {
        var note = form.querySelector("input");
        if (!note.value.trim()) { fieldError(note.id, "Say what you found, for the audit log."); return Promise.resolve(); }
        return send("POST", "/v1/alerts/" + form.dataset.resolve + "/resolve", { note: note.value.trim() }).then(function (reply) {
          if (reply.status !== 200) return explain(reply, { note: note.id }, form.querySelector(".status").id);
          say("alerts-live", "Resolved.");
          drawAlert(reply.body.id, reply.body.status, false);
        });
      });
    };
    alertList.querySelectorAll("li[data-alert]").forEach(bindAlert);

    // Live: the tenant's object pushes new alerts and alerts moved on; a dropped socket connects again by itself.
    var delay = 1000;
    var connect = function () {
      var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/alerts/live");
      var keepAlive = null;
      socket.addEventListener("open", function () {
        delay = 1000;
        alertList.dataset.live = "yes";
        keepAlive = setInterval(function () { try { socket.send("ping"); } catch (e) {} }, 30000);
      });
      socket.addEventListener("message", function (event) {
        if (event.data === "pong") return;
        var message = null;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        if (message.type === "alerts") {
          message.alerts.forEach(function (alert) {
            if (alertList.querySelector('li[data-alert="' + alert.id + '"]')) return;
            if (shows("open")) say("alerts-live", "New alert just now.");
            drawAlert(alert.id, "open", true);
          });
        } else if (message.type === "alert_changed") {
          drawAlert(message.alert.id, message.alert.status, shows(message.alert.status));
        }
      });
      socket.addEventListener("close", function () {
        alertList.dataset.live = "no";
        if (keepAlive) clearInterval(keepAlive);
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      });
    };
    connect();
  }

  var limitForm = $("limit-form");
  if (limitForm) {
    var digits = Number(limitForm.dataset.digits);
    var value = function (id) { return limitForm.querySelector("#" + id); };
    var checkedKind = function () { return limitForm.querySelector("input[name=kind]:checked").value; };
    var counted = function () { return /_count$/.test(value("metric").value); };
    /** What was typed, in the API's units: minor units for money, a whole number for points and counts; null if not a number. */
    var units = function (text) {
      text = text.trim().replace(/,/g, "");
      var whole = counted() || value("method").value === "points";
      var match = whole ? /^(\d+)$/.exec(text) : new RegExp("^(\\d+)(?:\\.(\\d{0," + digits + "}))?$").exec(text);
      if (!match) return null;
      if (whole) return Number(match[1]);
      var fraction = (match[2] || "").padEnd(digits, "0");
      return Number(match[1]) * Math.pow(10, digits) + (digits ? Number(fraction) : 0);
    };
    var body = function () {
      var scope = value("scope").value;
      var scopeId = scope === "card" ? value("scope_card").value.replace(/\s+/g, "") : value("scope_" + scope).value;
      var limit = { scope: scope, scope_id: scopeId || null, per: scope === "card" ? value("per").value || null : null, metric: value("metric").value, period: value("period").value };
      if (!counted()) limit.method = value("method").value;
      if (checkedKind() === "hard") limit.hard = units(value("hard").value);
      else limit.soft = { lower: units(value("soft_lower").value), upper: units(value("soft_upper").value) };
      return limit;
    };
    var arrange = function () {
      var scope = value("scope").value;
      limitForm.querySelectorAll("[data-for-scope]").forEach(function (box) { box.hidden = box.dataset.forScope !== scope; });
      limitForm.querySelectorAll("[data-for-kind]").forEach(function (box) { box.hidden = box.dataset.forKind !== checkedKind(); });
      $("method-box").hidden = counted();
    };
    var previewed = 0;
    var preview = function () {
      arrange();
      var mine = ++previewed;
      fetch("/console/limits/preview?limit=" + encodeURIComponent(JSON.stringify(body())), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (answer) {
        if (mine !== previewed) return;
        $("limit-preview").querySelector("[data-sentence]").textContent = answer.sentence || "Fill in the amounts to see what it will do.";
      }, function () {});
    };
    limitForm.addEventListener("input", preview);
    limitForm.addEventListener("change", preview);
    arrange();
    submit(limitForm, function () {
      var limit = body();
      var missing = checkedKind() === "hard" ? (limit.hard === null ? ["hard"] : []) : ["soft_lower", "soft_upper"].filter(function (id) { return units(value(id).value) === null; });
      if (missing.length > 0) {
        missing.reverse().forEach(function (id) { fieldError(id, counted() || value("method").value === "points" ? "Enter a whole number." : "Enter an amount, for example 50.00."); });
        return Promise.resolve();
      }
      return send("POST", "/v1/limits", limit).then(function (reply) {
        if (reply.status === 201) { location.reload(); return; }
        explain(reply, { scope_id: "scope_card", hard: "hard", soft: "soft_lower" }, "limit-message");
      });
    });
  }
  var limitList = $("limits");
  if (limitList) {
    limitList.addEventListener("click", function (event) {
      var remove = event.target.closest && event.target.closest("button[data-delete-limit]");
      if (!remove || !window.confirm("Remove this limit? Sales are no longer counted against it.")) return;
      remove.disabled = true;
      send("DELETE", "/v1/limits/" + remove.dataset.deleteLimit).then(function (reply) {
        if (reply.status !== 200) { remove.disabled = false; say("limits-message", errorText(reply, "Nothing changed.")); return; }
        remove.closest("li[data-limit]").remove();
        say("limits-message", "Removed: sales are no longer counted against it.");
        focusOn($("limits-message"));
      });
    });
  }

  var cancelOperation = $("cancel-operation");
  if (cancelOperation) {
    cancelOperation.addEventListener("click", function () {
      if (!window.confirm("Cancel this hold? What it holds goes back to the member, and the till can no longer finish it.")) return;
      cancelOperation.disabled = true;
      send("POST", "/v1/operations/" + cancelOperation.dataset.operation + "/cancel").then(function (reply) {
        if (reply.status !== 200) { cancelOperation.disabled = false; say("operation-message", errorText(reply, "Nothing changed.")); return; }
        location.reload();
      });
    });
  }

  var verifyAudit = $("verify-audit");
  if (verifyAudit) {
    verifyAudit.addEventListener("click", function () {
      verifyAudit.disabled = true;
      send("GET", "/v1/audit-log/verify").then(function (reply) {
        verifyAudit.disabled = false;
        var box = $("verify-message");
        if (reply.status !== 200) { box.className = "status bad"; say("verify-message", errorText(reply, "The check did not run.")); return; }
        box.className = reply.body.valid ? "status" : "status bad";
        say("verify-message", reply.body.valid
          ? "Intact: all " + reply.body.entries + " entries are as they were written."
          : "Altered: the log was changed after it was written, from entry " + reply.body.first_broken + " on. Nothing more is sealed until an owner resolves the alert \u201cAudit log changed outside Tillsafe\u201d on the Alerts page with a note of what was found.");
      });
    });
  }

  var signOut = $("sign-out");
  if (signOut) {
    signOut.addEventListener("click", function () {
      signOut.disabled = true;
      send("DELETE", "/v1/staff-sessions/current").then(function () { location.href = "/console"; }, function () { signOut.disabled = false; });
    });
  }
})();
`;
