/** The console's one script (served as /assets/console.js): forms post JSON to the API and show errors by their field. */
import { CONSOLE_CARDS_AND_KEYS } from "./console-script-keys";
import { CONSOLE_LIVE_AND_LIMITS } from "./console-script-live";

/** The first part: helpers shared by every part, sign-up, invites, stores, settings and staff. */
const CONSOLE_FORMS = String.raw`
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
        // The server checks a password's strength only once the other fields are right: a short one is said now,
        // with the rest (placed first, so that the first field wrong still takes the focus).
        if (body.password.length < 12) fieldError("password", body.password ? "Use at least 12 characters (this one has " + body.password.length + ")" : "Choose a password of at least 12 characters");
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
      var missing = ["points_per_currency_unit", "point_value", "hold_minutes", "history_retention_days", "sms_per_hour", "sms_signin_per_hour"].filter(function (id) { return !/^\d+$/.test($(id).value.trim()); });
      if (missing.length > 0) {
        missing.reverse().forEach(function (id) { fieldError(id, "Enter a whole number."); });
        return Promise.resolve();
      }
      var body = {
        approval_required_for: Array.prototype.slice.call(document.querySelectorAll("input[name=approval]:checked")).map(function (input) { return input.value; }),
        points_per_currency_unit: Number($("points_per_currency_unit").value),
        point_value: Number($("point_value").value),
        hold_ttl_seconds: Math.round(Number($("hold_minutes").value) * 60),
        history_retention_days: Number($("history_retention_days").value),
        sms_per_hour: Number($("sms_per_hour").value),
        sms_signin_per_hour: Number($("sms_signin_per_hour").value),
        refund_when_points_spent: (document.querySelector("input[name=refund_when_points_spent]:checked") || { value: "reduce" }).value,
        allowed_origins: $("allowed_origins").value.split("\n").map(function (line) { return line.trim().replace(/\/+$/, ""); }).filter(Boolean)
      };
      return send("PATCH", "/v1/settings", body).then(function (reply) {
        if (reply.status === 200) { $("settings-message").className = "status"; say("settings-message", "Saved."); return; }
        $("settings-message").className = "status bad";
        explain(reply, { points_per_currency_unit: "points_per_currency_unit", point_value: "point_value", hold_ttl_seconds: "hold_minutes", history_retention_days: "history_retention_days", sms_per_hour: "sms_per_hour", sms_signin_per_hour: "sms_signin_per_hour", allowed_origins: "allowed_origins" }, "settings-message");
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

`;

/** The whole script, in the order its parts were written (they share the one function scope the first opens). */
export const CONSOLE_SCRIPT = CONSOLE_FORMS + CONSOLE_CARDS_AND_KEYS + CONSOLE_LIVE_AND_LIMITS;
