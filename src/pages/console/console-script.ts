/** The console's one script (served as /assets/console.js): forms post JSON to the API and show errors by their field. */
export const CONSOLE_SCRIPT = String.raw`
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };

  function send(method, path, body) {
    var init = { method: method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (text) { var json = null; try { json = text ? JSON.parse(text) : null; } catch (e) {} return { status: r.status, body: json }; });
    });
  }
  function clear(form) {
    form.querySelectorAll(".field-error").forEach(function (box) { box.hidden = true; box.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    form.querySelectorAll(".status").forEach(function (box) { box.hidden = true; });
  }
  function fieldError(id, text) {
    var box = $(id + "-error");
    if (!box) return false;
    box.textContent = text;
    box.hidden = false;
    $(id).setAttribute("aria-invalid", "true");
    $(id).focus();
    return true;
  }
  /** The server's words for a refusal, or the fallback when it gave none. */
  function errorText(reply, fallback) { return reply.body && reply.body.error ? reply.body.error.message : fallback; }
  function say(id, text) { $(id).textContent = text; $(id).hidden = false; }
  /** After the button pressed went away with its line: the message that says what happened takes the focus. */
  function focusOn(box) { box.setAttribute("tabindex", "-1"); box.focus(); }
  /** A refusal in words, next to the field it is about when there is one. */
  function explain(reply, fields, messageId) {
    var error = reply.body && reply.body.error;
    if (!error) return say(messageId, "Something went wrong on our side (HTTP " + reply.status + "). Try again in a moment.");
    var d = error.details || {};
    // Every field the server found wrong gets its error at once; the first of them takes the focus.
    var wrong = [];
    if (d.field && fields[d.field]) wrong.push({ id: fields[d.field], text: error.message });
    (d.issues || []).forEach(function (issue) {
      // One item of a list ("allowed_origins.1") is shown at the list's field.
      var id = fields[issue.path] || fields[String(issue.path).split(".")[0]];
      if (id && !wrong.some(function (w) { return w.id === id; })) wrong.push({ id: id, text: capital(issue.message) });
    });
    var placed = wrong.filter(function (w) { return $(w.id + "-error"); });
    placed.reverse().forEach(function (w) { fieldError(w.id, w.text); });
    if (placed.length > 0) return;
    if (error.code === "rate_limited") return say(messageId, "Too many tries. Wait " + Math.ceil((d.retry_after || 60) / 60) + " minutes, then try again.");
    say(messageId, error.message);
  }
  function capital(text) { return text.charAt(0).toUpperCase() + text.slice(1) + "."; }
  function busy(form, on) { form.querySelectorAll("button").forEach(function (b) { b.disabled = on; }); }
  function submit(form, run) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clear(form);
      busy(form, true);
      run().catch(function () { say(form.querySelector(".status").id, "No answer from the server. Check your connection and try again."); }).then(function () { busy(form, false); });
    });
  }

  var signup = $("signup-form");
  if (signup) {
    try { $("timezone").value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) {}
    submit(signup, function () {
      var body = {
        business_name: $("business_name").value.trim(),
        currency: $("currency").value,
        timezone: $("timezone").value.trim(),
        email: $("email").value.trim(),
        password: $("password").value,
        livemode: !$("test_mode").checked
      };
      if (signup.dataset.invite) body.invite = signup.dataset.invite;
      return send("POST", "/v1/signup", body).then(function (reply) {
        if (reply.status === 201) { location.href = "/console/setup"; return; }
        explain(reply, { business_name: "business_name", currency: "currency", timezone: "timezone", email: "email", password: "password" }, "signup-message");
      });
    });
    submit($("signin-form"), function () {
      return send("POST", "/v1/staff-sessions", { email: $("signin-email").value.trim(), password: $("signin-password").value }).then(function (reply) {
        if (reply.status === 200) { location.href = "/console"; return; }
        explain(reply, { email: "signin-email", password: "signin-password" }, "signin-message");
      });
    });
  }

  var invite = $("invite-form");
  if (invite) {
    submit(invite, function () {
      return send("POST", "/v1/staff-invites/" + encodeURIComponent(invite.dataset.token), { password: $("password").value }).then(function (reply) {
        if (reply.status === 200) { location.href = "/console"; return; }
        explain(reply, { password: "password" }, "invite-message");
      });
    });
  }

  var storeForm = $("store-form");
  if (storeForm) {
    var store = null;
    submit(storeForm, function () {
      // A store made by an earlier try (its register failed) is used again rather than made twice.
      var made = store ? Promise.resolve({ status: 201, body: store }) : send("POST", "/v1/stores", { name: $("store_name").value.trim() });
      return made.then(function (reply) {
        if (reply.status !== 201) return explain(reply, { name: "store_name" }, "store-message");
        store = reply.body;
        return send("POST", "/v1/stores/" + store.id + "/registers", { name: $("register_name").value.trim() || "Front counter" }).then(function (reg) {
          if (reg.status !== 201) return explain(reg, { name: "register_name" }, "store-message");
          storeForm.hidden = true;
          $("terminal-key").textContent = reg.body.terminal_key;
          $("curl-line").textContent = "curl -s " + location.origin + "/v1/terminal -H 'authorization: Bearer " + reg.body.terminal_key + "'";
          $("register-key").hidden = false;
          $("sms-store-name").textContent = store.name;
          $("step2").hidden = false;
        });
      });
    });
    $("copy-key").addEventListener("click", function () {
      var done = function () { $("copy-key").textContent = "Copied"; };
      if (navigator.clipboard) navigator.clipboard.writeText($("terminal-key").textContent).then(done, function () {});
    });
    submit($("approval-form"), function () {
      var methods = Array.prototype.slice.call(document.querySelectorAll("input[name=approval]:checked")).map(function (input) { return input.value; });
      return send("PATCH", "/v1/settings", { approval_required_for: methods }).then(function (reply) {
        if (reply.status !== 200) return explain(reply, {}, "approval-message");
        $("step2").querySelector("button").textContent = "Saved";
        $("step3").hidden = false;
      });
    });
    submit($("sms-form"), function () {
      return send("PATCH", "/v1/stores/" + store.id, { sms_confirm_points_deduction: $("sms_confirm").checked }).then(function (reply) {
        if (reply.status !== 200) return explain(reply, {}, "sms-message");
        location.href = "/console";
      });
    });
  }

  var settingsForm = $("settings-form");
  if (settingsForm && $("settings-form").querySelector("button")) {
    submit(settingsForm, function () {
      // An empty box is not a zero: each number is asked for in words before anything is sent.
      var missing = ["points_per_currency_unit", "point_value", "hold_minutes", "sms_per_hour"].filter(function (id) { return !/^\d+$/.test($(id).value.trim()); });
      if (missing.length > 0) {
        missing.reverse().forEach(function (id) { fieldError(id, "Enter a whole number."); });
        return Promise.resolve();
      }
      var body = {
        approval_required_for: Array.prototype.slice.call(document.querySelectorAll("input[name=approval]:checked")).map(function (input) { return input.value; }),
        points_per_currency_unit: Number($("points_per_currency_unit").value),
        point_value: Number($("point_value").value),
        hold_ttl_seconds: Math.round(Number($("hold_minutes").value) * 60),
        sms_per_hour: Number($("sms_per_hour").value),
        allowed_origins: $("allowed_origins").value.split("\n").map(function (line) { return line.trim().replace(/\/+$/, ""); }).filter(Boolean)
      };
      return send("PATCH", "/v1/settings", body).then(function (reply) {
        if (reply.status === 200) { $("settings-message").className = "status"; say("settings-message", "Saved."); return; }
        $("settings-message").className = "status bad";
        explain(reply, { points_per_currency_unit: "points_per_currency_unit", point_value: "point_value", hold_ttl_seconds: "hold_minutes", sms_per_hour: "sms_per_hour", allowed_origins: "allowed_origins" }, "settings-message");
      });
    });
  }

  var staffList = $("staff-list");
  if (staffList) {
    var staffSay = function (text, bad) { $("staff-message").className = "status" + (bad ? " bad" : ""); say("staff-message", text); };
    staffList.querySelectorAll("select[data-role-of]").forEach(function (select) {
      var before = select.value;
      select.addEventListener("change", function () {
        select.disabled = true;
        send("PATCH", "/v1/staff/" + select.dataset.roleOf, { role: select.value }).then(function (reply) {
          select.disabled = false;
          if (reply.status === 200) { before = select.value; staffSay("Role changed to " + select.value + "."); return; }
          select.value = before;
          staffSay(errorText(reply, "The role was not changed."), true);
        });
      });
    });
    staffList.querySelectorAll("button[data-remove]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.confirm("Remove " + button.closest("li").querySelector("span").textContent + "? They are signed out at once.")) return;
        button.disabled = true;
        send("DELETE", "/v1/staff/" + button.dataset.remove).then(function (reply) {
          if (reply.status === 200) { button.closest("li").remove(); staffSay("Removed: their sessions have ended."); focusOn($("staff-message")); return; }
          button.disabled = false;
          staffSay(errorText(reply, "Not removed."), true);
        });
      });
    });
    var inviteStaff = $("invite-staff-form");
    if (inviteStaff) {
      submit(inviteStaff, function () {
        return send("POST", "/v1/staff", { email: $("invite_email").value.trim(), role: $("invite_role").value }).then(function (reply) {
          if (reply.status !== 201) return explain(reply, { email: "invite_email" }, "invite-staff-message");
          $("invite-url").textContent = reply.body.invite_url;
          $("invite-link").hidden = false;
          var item = document.createElement("li");
          var who = document.createElement("span");
          who.textContent = reply.body.staff.email;
          var role = document.createElement("span");
          role.className = "pill";
          role.textContent = reply.body.staff.role + " · invited";
          item.appendChild(who);
          item.appendChild(role);
          staffList.appendChild(item);
        });
      });
      $("copy-invite").addEventListener("click", function () {
        if (navigator.clipboard) navigator.clipboard.writeText($("invite-url").textContent).then(function () { $("copy-invite").textContent = "Copied"; }, function () {});
      });
    }
  }

  var cardList = $("cards");
  if (cardList) {
    cardList.querySelectorAll("button[data-card-action]").forEach(function (button) {
      button.addEventListener("click", function () {
        var action = button.dataset.cardAction;
        button.disabled = true;
        var body = action === "block" ? { reason: "blocked in the console" } : undefined;
        send("POST", "/v1/cards/" + encodeURIComponent(button.dataset.number) + "/" + action, body).then(function (reply) {
          button.disabled = false;
          if (reply.status !== 200) { say("cards-message", errorText(reply, "The card did not change.")); return; }
          button.closest("li").querySelector("[data-status]").textContent = reply.body.status;
          button.dataset.cardAction = reply.body.status === "blocked" ? "unblock" : "block";
          button.textContent = reply.body.status === "blocked" ? "Unblock" : "Block";
          say("cards-message", reply.body.status === "blocked" ? "Blocked: the card can neither pay nor earn points, and any sale in progress with it is cancelled." : "Unblocked.");
        });
      });
    });
    cardList.querySelectorAll("form[data-replace-card]").forEach(function (form) {
      var input = form.querySelector("input");
      submit(form, function () {
        var number = input.value.replace(/\s+/g, "");
        if (number && !window.confirm("Replace card " + form.dataset.replaceCard + " with " + number + "? The old card stops working for good.")) return Promise.resolve();
        return send("POST", "/v1/cards/" + encodeURIComponent(form.dataset.replaceCard) + "/replace", { new_number: number }).then(function (reply) {
          if (reply.status === 200) {
            try { sessionStorage.setItem("tillsafe-flash", "Replaced: card " + number + " now holds the member's balances; " + form.dataset.replaceCard + " no longer works."); } catch (e) {}
            location.reload();
            return;
          }
          explain(reply, { new_number: input.id }, form.querySelector(".status").id);
        });
      });
    });
    try {
      var flash = sessionStorage.getItem("tillsafe-flash");
      if (flash) { sessionStorage.removeItem("tillsafe-flash"); say("cards-message", flash); }
    } catch (e) {}
    var linkButton = $("portal-link");
    if (linkButton) linkButton.addEventListener("click", function () {
      linkButton.disabled = true;
      send("POST", "/v1/members/" + linkButton.dataset.member + "/portal-sessions").then(function (reply) {
        linkButton.disabled = false;
        if (reply.status !== 201) { say("page-message", errorText(reply, "No link was made.")); return; }
        $("portal-url").textContent = reply.body.url;
        $("portal-url").hidden = false;
        say("page-message", "Send this link to the member: it signs them in once, within 10 minutes.");
      });
    });
    var revoke = $("revoke-sessions");
    if (revoke) revoke.addEventListener("click", function () {
      revoke.disabled = true;
      send("POST", "/v1/members/" + revoke.dataset.member + "/sessions/revoke").then(function (reply) {
        revoke.disabled = false;
        if (reply.status !== 200) { say("page-message", errorText(reply, "Nothing changed.")); return; }
        say("page-message", reply.body.revoked === 0 ? "The member was not signed in anywhere." : reply.body.revoked === 1 ? "Signed out: 1 session ended." : "Signed out: " + reply.body.revoked + " sessions ended.");
      });
    });
  }

  /** Shows a key (or secret) once in a box with a copy button. */
  function showOnce(box, token) {
    box.querySelector("[data-key-token]").textContent = token;
    box.hidden = false;
    var copy = box.querySelector("[data-copy-key]");
    copy.textContent = copy.dataset.label || (copy.dataset.label = copy.textContent);
    copy.onclick = function () {
      if (navigator.clipboard) navigator.clipboard.writeText(token).then(function () { copy.textContent = "Copied"; }, function () {});
    };
  }
  function sectionSay(from, text, bad) {
    var box = from.closest("section").querySelector("[data-store-message]");
    box.className = "status" + (bad ? " bad" : "");
    box.textContent = text;
    box.hidden = false;
    return box;
  }
  /** A line for a key just made, like the ones the server draws. */
  function keyLine(kind, id, revocable) {
    var item = document.createElement("li");
    item.dataset.key = id;
    var words = document.createElement("span");
    var code = document.createElement("code");
    code.textContent = (kind === "Secret" ? "sk_" : "tk_") + id;
    words.appendChild(document.createTextNode(kind + " key "));
    words.appendChild(code);
    words.appendChild(document.createTextNode(", made just now"));
    words.appendChild(document.createElement("br"));
    var small = document.createElement("small");
    small.className = "muted";
    small.textContent = "Not used yet";
    words.appendChild(small);
    item.appendChild(words);
    if (!revocable) return item;
    var revoke = document.createElement("button");
    revoke.type = "button";
    revoke.className = "danger";
    revoke.dataset.revokeKey = id;
    revoke.textContent = "Revoke";
    revoke.setAttribute("aria-label", "Revoke the " + kind.toLowerCase() + " key made just now");
    item.appendChild(revoke);
    return item;
  }
  function addKeyLine(list, line) {
    var none = list.querySelector("[data-no-key]");
    if (none) none.remove();
    list.appendChild(line);
  }

  document.addEventListener("click", function (event) {
    var revoke = event.target.closest && event.target.closest("button[data-revoke-key]");
    if (!revoke) return;
    if (!window.confirm("Revoke this key? Software using it stops reaching Tillsafe at once. This cannot be undone.")) return;
    revoke.disabled = true;
    send("POST", "/v1/keys/" + revoke.dataset.revokeKey + "/revoke").then(function (reply) {
      if (reply.status !== 200) { revoke.disabled = false; sectionSay(revoke, errorText(reply, "The key was not revoked."), true); return; }
      var list = revoke.closest("ul");
      var said = sectionSay(revoke, "Revoked: the key no longer works.");
      revoke.closest("li").remove();
      focusOn(said);
      if (!list.querySelector("li")) {
        var none = document.createElement("li");
        none.className = "muted";
        none.dataset.noKey = "";
        none.textContent = list.closest("[data-register]") ? "No working key: this register cannot reach Tillsafe." : "No secret key yet.";
        list.appendChild(none);
      }
    });
  });

  document.querySelectorAll("input[data-sms-store]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.disabled = true;
      send("PATCH", "/v1/stores/" + box.dataset.smsStore, { sms_confirm_points_deduction: box.checked }).then(function (reply) {
        box.disabled = false;
        if (reply.status !== 200) { box.checked = !box.checked; sectionSay(box, errorText(reply, "Nothing changed."), true); return; }
        sectionSay(box, box.checked ? "Saved: members get a code by SMS before points pay here." : "Saved: points pay here without an SMS code.");
      });
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-new-key]");
    if (!button) return;
    (function () {
      button.disabled = true;
      send("POST", "/v1/registers/" + button.dataset.newKey + "/terminal-keys").then(function (reply) {
        button.disabled = false;
        if (reply.status !== 201) { sectionSay(button, errorText(reply, "No key was made."), true); return; }
        var register = button.closest("[data-register]");
        addKeyLine(register.querySelector("[data-keys]"), keyLine("Terminal", reply.body.key.id, true));
        showOnce(register.querySelector(".key-once"), reply.body.terminal_key);
      });
    })();
  });

  document.querySelectorAll("form[data-add-register]").forEach(function (form) {
    var input = form.querySelector("input");
    submit(form, function () {
      return send("POST", "/v1/stores/" + form.dataset.addRegister + "/registers", { name: input.value.trim() }).then(function (reply) {
        if (reply.status !== 201) return explain(reply, { name: input.id }, form.querySelector(".status").id);
        var block = document.createElement("div");
        block.dataset.register = reply.body.register.id;
        var title = document.createElement("p");
        var bold = document.createElement("b");
        bold.textContent = reply.body.register.name;
        title.appendChild(bold);
        block.appendChild(title);
        var list = document.createElement("ul");
        list.className = "list";
        list.dataset.keys = "";
        list.appendChild(keyLine("Terminal", reply.body.key.id, form.dataset.revocable === "yes"));
        block.appendChild(list);
        var section = form.closest("section");
        var empty = section.querySelector("[data-no-register]");
        if (empty) empty.remove();
        if (form.dataset.revocable === "yes") {
          var again = document.createElement("button");
          again.type = "button";
          again.dataset.newKey = reply.body.register.id;
          again.textContent = "New key";
          again.setAttribute("aria-label", "New key for " + reply.body.register.name);
          block.appendChild(again);
        }
        var box = section.querySelector(":scope > .key-once").cloneNode(true);
        block.appendChild(box);
        section.insertBefore(block, section.querySelector("[data-store-message]"));
        showOnce(box, reply.body.terminal_key);
        input.value = "";
      });
    });
  });

  var addStore = $("add-store-form");
  if (addStore) {
    submit(addStore, function () {
      return send("POST", "/v1/stores", { name: $("new_store_name").value.trim(), sms_confirm_points_deduction: $("new_store_sms").checked }).then(function (reply) {
        if (reply.status === 201) { location.reload(); return; }
        explain(reply, { name: "new_store_name" }, "add-store-message");
      });
    });
  }

  var newSecret = $("new-secret-key");
  if (newSecret) {
    newSecret.addEventListener("click", function () {
      newSecret.disabled = true;
      send("POST", "/v1/secret-keys").then(function (reply) {
        newSecret.disabled = false;
        if (reply.status !== 201) { sectionSay(newSecret, errorText(reply, "No key was made."), true); return; }
        var section = $("secret-keys");
        addKeyLine(section.querySelector("[data-keys]"), keyLine("Secret", reply.body.key.id, true));
        showOnce(section.querySelector(".key-once"), reply.body.secret_key);
      });
    });
  }

  var endpoints = $("endpoints");
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
          : "Altered: the log was changed after it was written, from entry " + reply.body.first_broken + " on. Tell your Tillsafe contact.");
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
