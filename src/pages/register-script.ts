/** The reference register's script (served as /assets/register.js). */
export const REGISTER_SCRIPT = String.raw`
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var operation = null;
  var digits = 2;
  var money = null;
  var polling = 0;

  var fromHash = /key=([^&]+)/.exec(location.hash);
  if (fromHash) sessionStorage.setItem("tillsafe.key", decodeURIComponent(fromHash[1]));
  $("key").value = sessionStorage.getItem("tillsafe.key") || "";
  $("key").addEventListener("change", function () { sessionStorage.setItem("tillsafe.key", $("key").value.trim()); loadTill(); });
  var fromCard = /card=([^&]+)/.exec(location.hash);
  if (fromCard) $("card").value = decodeURIComponent(fromCard[1]);

  function call(method, path, body, key) {
    var headers = { authorization: "Bearer " + $("key").value.trim() };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (key) headers["idempotency-key"] = key;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
      return r.json().then(function (json) { return { status: r.status, body: json }; });
    });
  }
  function toMinor(text, method) {
    var clean = String(text).trim().replace(",", ".");
    if (method === "points") return /^\d+$/.test(clean) ? Number(clean) : NaN;
    var match = /^(\d+)(?:\.(\d*))?$/.exec(clean);
    if (!match) return NaN;
    var fraction = (match[2] || "").padEnd(digits, "0");
    if (fraction.length > digits) return NaN;
    return Number(match[1]) * Math.pow(10, digits) + (digits ? Number(fraction) : 0);
  }
  function format(method, amount) {
    if (method === "points") return amount + " pts";
    return money ? money.format(amount / Math.pow(10, digits)) : String(amount);
  }
  function say(text, kind) {
    $("message").hidden = false;
    $("message").className = "status" + (kind ? " " + kind : "");
    $("message").textContent = text;
  }
  function sale() {
    var method = $("method").value;
    var total = toMinor($("total").value, "credit");
    var amount = toMinor($("amount").value || $("total").value, method);
    if (!(total > 0) || !(amount > 0)) { say("Enter the cheque total and the amount to pay.", "bad"); return null; }
    return {
      cheque: { number: $("cheque").value.trim() || "A-1", total: total },
      payments: [{ method: method, amount: amount }],
      accrue_points: $("accrue").checked
    };
  }
  /** The status of one authorization step of the operation, or undefined when it does not need that step. */
  function step(op, name) {
    if (!op) return undefined;
    if (op.authorization.steps) return op.authorization.steps[name];
    return op.authorization.method === name ? op.authorization.status : undefined;
  }
  function render() {
    var op = operation;
    $("operation").textContent = op
      ? op.id + " · " + op.status + " · " + (op.payments || []).map(function (p) { return p.method + " " + format(p.method, p.amount); }).join(", ") +
        " · authorization: " + op.authorization.method + " / " + op.authorization.status
      : "No operation yet.";
    $("operation").setAttribute("data-status", op ? op.status : "");
    $("operation").setAttribute("data-authorization", op ? op.authorization.status : "");
    var pending = op && op.status === "pending";
    var auth = op ? op.authorization.status : "";
    var approval = step(op, "approval");
    var sms = step(op, "sms_code");
    $("request").disabled = !(pending && approval && approval !== "approved");
    $("sms").hidden = !(pending && sms && sms !== "verified");
    $("change").disabled = !(pending && approval !== "approved" && sms !== "verified");
    $("confirm").disabled = !(pending && (auth === "approved" || auth === "verified" || auth === "not_required"));
    $("cancel").disabled = !pending;
    $("create").disabled = !!pending;
  }
  function explain(reply) {
    var error = reply.body && reply.body.error;
    return error ? error.message + " (" + error.code + ")" : "HTTP " + reply.status;
  }
  function follow() {
    var token = ++polling;
    (function loop() {
      if (token !== polling || !operation || operation.status !== "pending") return;
      call("GET", "/v1/operations/" + operation.id + "?wait=25&since=" + encodeURIComponent(operation.updated_at)).then(function (reply) {
        if (token !== polling || reply.status !== 200) return;
        var before = operation.authorization.status;
        operation = reply.body;
        render();
        var now = operation.authorization.status;
        if (now !== before) {
          if (now === "approved") say("Approved by the member. Confirm the sale.", "");
          if (now === "rejected") say("The member rejected the request. Change the amount and ask again, or cancel.", "bad");
        }
        if (operation.status !== "pending") say("The operation is " + operation.status + ".", operation.status === "confirmed" ? "" : "bad");
        loop();
      }, function () { setTimeout(loop, 2000); });
    })();
  }
  function ask(resend) {
    call("POST", "/v1/operations/" + operation.id + "/approval-requests", { resend: resend }, "apr-" + operation.id + "-" + Date.now()).then(function (reply) {
      $("resend").hidden = true;
      if (reply.status === 201) {
        operation.authorization = { method: "approval", status: "pending" };
        render();
        if (reply.body.delivered) say("Request sent. Waiting for the member to approve on their phone…", "wait");
        else say("Request sent, but the member's page is not open. Ask them to open it: the request waits under MobiSecure.", "wait");
      } else if (reply.status === 409 && reply.body.error.code === "approval_request_pending") {
        say("A request for this sale is still pending. Resend it?", "wait");
        $("resend").hidden = false;
      } else if (reply.status === 429) {
        say("Just sent — wait " + (reply.body.error.details.retry_after || 3) + " s before resending.", "wait");
        $("resend").hidden = false;
      } else say(explain(reply), "bad");
    });
  }
  function loadTill() {
    if (!$("key").value.trim()) return;
    call("GET", "/v1/terminal").then(function (reply) {
      if (reply.status !== 200) { $("till").textContent = explain(reply); return; }
      digits = reply.body.tenant.minor_digits;
      money = new Intl.NumberFormat(undefined, { style: "currency", currency: reply.body.tenant.currency });
      $("till").textContent = reply.body.tenant.name + " · " + reply.body.store.name + " · " + reply.body.register.name;
    });
  }

  $("create").addEventListener("click", function () {
    var body = sale();
    if (!body) return;
    var request = Object.assign({ type: "purchase", card: $("card").value.trim() }, body);
    call("POST", "/v1/operations", request, "sale-" + Date.now() + "-" + Math.random().toString(36).slice(2)).then(function (reply) {
      if (reply.status !== 201) { say(explain(reply), "bad"); return; }
      operation = reply.body;
      render();
      var needs = [];
      if (step(operation, "approval")) needs.push("the member's approval");
      if (step(operation, "sms_code")) needs.push("an SMS code");
      say(needs.length ? "Held. This payment needs " + needs.join(" and ") + "." : "Held. Confirm to complete the sale.", "wait");
      follow();
    });
  });
  $("change").addEventListener("click", function () {
    var body = sale();
    if (!body) return;
    call("PATCH", "/v1/operations/" + operation.id, body).then(function (reply) {
      if (reply.status !== 200) { say(explain(reply), "bad"); return; }
      operation = reply.body;
      render();
      say("Amount changed to " + format("credit", operation.cheque.total) + ". Ask the member again.", "wait");
      follow();
    });
  });
  $("send-code").addEventListener("click", function () {
    call("POST", "/v1/operations/" + operation.id + "/sms-codes", undefined, "sms-" + operation.id + "-" + Date.now()).then(function (reply) {
      if (reply.status === 201) say("Code sent to " + reply.body.sent_to + ". Type the code the member reads out.", "wait");
      else say(explain(reply), "bad");
    });
  });
  $("verify").addEventListener("click", function () {
    call("POST", "/v1/operations/" + operation.id + "/sms-codes/verify", { code: $("code").value.trim() }).then(function (reply) {
      if (reply.status === 200) {
        operation = reply.body;
        render();
        say("Code verified." + ($("confirm").disabled ? "" : " Confirm the sale."), "");
      } else if (reply.status === 422) say("Wrong code: " + reply.body.error.details.attempts_left + " attempts left.", "bad");
      else say(explain(reply), "bad");
    });
  });
  $("request").addEventListener("click", function () { ask(false); });
  $("resend").addEventListener("click", function () { ask(true); });
  $("confirm").addEventListener("click", function () {
    call("POST", "/v1/operations/" + operation.id + "/confirm").then(function (reply) {
      if (reply.status !== 200) { say(explain(reply), "bad"); return; }
      operation = reply.body;
      render();
      say("Confirmed. " + format("credit", operation.cheque.total) + " paid.", "");
    });
  });
  $("cancel").addEventListener("click", function () {
    call("POST", "/v1/operations/" + operation.id + "/cancel").then(function (reply) {
      if (reply.status !== 200) { say(explain(reply), "bad"); return; }
      operation = reply.body;
      render();
      say("Cancelled; the hold is released.", "bad");
    });
  });
  loadTill();
  render();
})();
`;
