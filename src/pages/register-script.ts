/** The reference register's script (served as /assets/register.js). */
export const REGISTER_SCRIPT = String.raw`
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var operation = null;
  var digits = 2;
  var pointValue = 1;
  var money = null;
  var polling = 0;
  // One Idempotency-Key per sale: a create pressed twice, or retried after a lost answer, holds the money once.
  var saleKey = null;
  // A request is in flight: every button waits for its answer.
  var busy = false;
  // A create whose answer was lost: the sale may be held, so its fields stay as sent until a retry answers.
  var unanswered = false;
  var SALE_FIELDS = ["card", "cheque", "total", "method", "amount", "accrue"];
  var FIELDS = ["key", "card", "total", "amount", "code"];

  var fromHash = /key=([^&]+)/.exec(location.hash);
  if (fromHash) sessionStorage.setItem("tillsafe.key", decodeURIComponent(fromHash[1]));
  $("key").value = sessionStorage.getItem("tillsafe.key") || "";
  $("key").addEventListener("change", function () { sessionStorage.setItem("tillsafe.key", $("key").value.trim()); loadTill(); });
  var fromCard = /card=([^&]+)/.exec(location.hash);
  if (fromCard) $("card").value = decodeURIComponent(fromCard[1]);

  function newKey(prefix) {
    var random = window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2);
    return prefix + "-" + random;
  }
  function call(method, path, body, key) {
    var headers = { authorization: "Bearer " + $("key").value.trim() };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (key) headers["idempotency-key"] = key;
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
      return r.json().then(function (json) { return { status: r.status, body: json }; }, function () { return { status: r.status, body: null }; });
    });
  }
  /** Runs one request with every button disabled until it answers; a lost answer says so and may be retried. */
  function act(run) {
    if (busy) return;
    busy = true;
    clearErrors();
    render();
    run().catch(function () {
      say("No answer from the server. Press again to retry: the same sale is never held twice.", "bad");
    }).then(function () {
      busy = false;
      render();
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
  function cash(minor) {
    return money ? money.format(minor / Math.pow(10, digits)) : String(minor);
  }
  /** An amount in its method's unit: "10 points ($0.10)", "$47.00 of credit". */
  function inUnit(method, amount) {
    if (method === "points") return amount + (amount === 1 ? " point" : " points") + " (" + cash(amount * pointValue) + ")";
    return cash(amount) + " of " + method;
  }
  function say(text, kind) {
    $("message").hidden = false;
    $("message").className = "status" + (kind ? " " + kind : "");
    $("message").textContent = text;
  }
  function fieldError(field, text) {
    var box = $(field + "-error");
    box.textContent = text;
    box.hidden = false;
    $(field).setAttribute("aria-invalid", "true");
  }
  function clearErrors() {
    // A refusal the last attempt got goes with it: the next answer says its own (what is held stays said).
    if (/\bbad\b/.test($("message").className)) {
      $("message").hidden = true;
      $("message").textContent = "";
    }
    FIELDS.forEach(function (field) {
      $(field + "-error").hidden = true;
      $(field + "-error").textContent = "";
      $(field).removeAttribute("aria-invalid");
    });
  }
  function sale() {
    var method = $("method").value;
    var total = toMinor($("total").value, "credit");
    var amount = toMinor($("amount").value || $("total").value, method);
    var ok = true;
    if (!(total > 0)) { fieldError("total", "Enter the cheque total, for example 47.00."); ok = false; }
    if (!(amount > 0)) { fieldError("amount", method === "points" ? "Enter a whole number of points." : "Enter the amount to pay, for example 47.00."); ok = false; }
    if (!$("card").value.trim()) { fieldError("card", "Scan or type the member's card number."); ok = false; }
    if (!ok) return null;
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
      ? op.id + " · " + op.status + " · " + (op.payments || []).map(function (p) { return inUnit(p.method, p.amount); }).join(", ") +
        " · authorization: " + op.authorization.method + " / " + op.authorization.status
      : "No operation yet.";
    $("operation").setAttribute("data-status", op ? op.status : "");
    $("operation").setAttribute("data-authorization", op ? op.authorization.status : "");
    var pending = op && op.status === "pending";
    var ended = op && op.status !== "pending";
    var auth = op ? op.authorization.status : "";
    var approval = step(op, "approval");
    var sms = step(op, "sms_code");
    $("request").disabled = busy || !(pending && approval && approval !== "approved");
    $("resend").disabled = busy;
    $("sms").hidden = !(pending && sms && sms !== "verified");
    $("send-code").disabled = busy;
    $("verify").disabled = busy;
    $("change").disabled = busy || !(pending && approval !== "approved" && sms !== "verified");
    $("confirm").disabled = busy || !(pending && (auth === "approved" || auth === "verified" || auth === "not_required"));
    $("cancel").disabled = busy || !pending;
    $("create").disabled = busy || !!op;
    $("new-sale").hidden = !ended;
    $("new-sale").disabled = busy;
    SALE_FIELDS.forEach(function (field) { $(field).disabled = unanswered; });
  }
  /** Puts a refusal next to the field it is about, or in the message. */
  function explain(reply) {
    var error = reply.body && reply.body.error;
    if (!error) { say("The server answered HTTP " + reply.status + ".", "bad"); return; }
    var d = error.details || {};
    if (error.code === "unauthenticated") return fieldError("key", "This terminal key is not valid (revoked or mistyped).");
    if (error.code === "card_not_found") return fieldError("card", "No member has this card.");
    if (error.code === "card_blocked") return fieldError("card", "This card is " + (d.status || "blocked") + ": it cannot pay or earn.");
    if (error.code === "insufficient_funds") return fieldError("amount", "Only " + inUnit(d.method, d.available) + " available.");
    if (error.code === "payments_exceed_total") return fieldError("amount", "More than the cheque total of " + cash(d.total) + ".");
    if (error.code === "balance_out_of_range") return fieldError("amount", "This amount is too large for the card's balance.");
    if (error.code === "invalid_code") return fieldError("code", "Wrong code: " + d.attempts_left + " attempts left.");
    if (error.code === "limit_exceeded") return limitRefusal(d);
    if (error.code === "invalid_request" && d.issues && d.issues[0]) {
      var path = d.issues[0].path;
      if (path === "card") return fieldError("card", d.issues[0].message);
      if (path.indexOf("cheque.total") === 0) return fieldError("total", d.issues[0].message);
      if (path.indexOf("payments") === 0) return fieldError("amount", d.issues[0].message);
    }
    say(error.message + " (" + error.code + ")", "bad");
  }
  var PER = { operation: "in one sale", day: "a day", week: "a week", month: "a month", lifetime: "in all" };
  var LEFT = { day: "today", week: "this week", month: "this month", lifetime: "" };
  /** A limit's refusal in a cashier's words, next to the amount when it is about money. */
  function limitRefusal(d) {
    var whose = d.scope === "card" ? "This card" : d.scope === "register" ? "This register" : "This store";
    var unit = function (v) { return d.method === "points" ? v + " points" : d.method ? cash(v) + " of " + d.method : cash(v); };
    var may = {
      deducted_amount: "may spend at most " + unit(d.bound),
      accrued_amount: "may earn at most " + unit(d.bound),
      manual_accrued_amount: "may be given at most " + unit(d.bound) + " by hand",
      manual_deducted_amount: "may have at most " + unit(d.bound) + " taken by hand",
      accrual_count: "may earn at most " + d.bound + " times",
      manual_operation_count: "may have at most " + d.bound + " manual changes",
      purchase_count: "may make at most " + d.bound + " purchases",
      balance: "may hold at most " + unit(d.bound)
    }[d.metric] || "has reached a limit of " + d.bound;
    var text = whose + " " + may + (d.metric === "balance" ? "" : " " + (PER[d.period] || ""));
    var counted = d.metric === "accrual_count" || d.metric === "manual_operation_count" || d.metric === "purchase_count";
    if (d.period !== "operation" && d.metric !== "balance") {
      var left = Math.max(0, d.bound - d.current);
      text += ": " + (counted ? (left === 0 ? "none" : left) : unit(left)) + " left" + (LEFT[d.period] ? " " + LEFT[d.period] : "");
    }
    text += ".";
    if (counted) return say(text, "bad");
    return fieldError("amount", text);
  }
  function paid(op) {
    var parts = (op.payments || []).map(function (p) { return inUnit(p.method, p.amount); });
    var text = parts.length ? parts.join(" and ") + " paid" : "Nothing paid from the card";
    if (op.accrual && op.accrual.points > 0) text += "; " + op.accrual.points + " points earned";
    return text + ".";
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
        if (operation.status !== "pending" && operation.status !== "confirmed") say("The operation is " + operation.status + ": nothing was paid.", "bad");
        loop();
      }, function () { setTimeout(loop, 2000); });
    })();
  }
  function ask(resend) {
    act(function () {
      return call("POST", "/v1/operations/" + operation.id + "/approval-requests", { resend: resend }, newKey("apr")).then(function (reply) {
        $("resend").hidden = true;
        if (reply.status === 201) {
          operation.authorization = { method: "approval", status: "pending" };
          if (reply.body.delivered) say("Request sent. Waiting for the member to approve on their phone…", "wait");
          else say("Request sent, but the member's page is not open. Ask them to open it: the request waits under MobiSecure.", "wait");
        } else if (reply.status === 409 && reply.body.error.code === "approval_request_pending") {
          say("A request for this sale is still pending. Resend it?", "wait");
          $("resend").hidden = false;
        } else if (reply.status === 429) {
          say("Just sent — wait " + (reply.body.error.details.retry_after || 3) + " s before resending.", "wait");
          $("resend").hidden = false;
        } else explain(reply);
      });
    });
  }
  function loadTill() {
    if (!$("key").value.trim()) return;
    call("GET", "/v1/terminal").then(function (reply) {
      if (reply.status !== 200) { $("till").textContent = ""; explain(reply); return; }
      digits = reply.body.tenant.minor_digits;
      pointValue = reply.body.tenant.point_value || 1;
      money = new Intl.NumberFormat(undefined, { style: "currency", currency: reply.body.tenant.currency });
      $("till").textContent = reply.body.tenant.name + " · " + reply.body.store.name + " · " + reply.body.register.name;
      render();
    });
  }

  $("create").addEventListener("click", function () {
    if (busy || operation) return;
    clearErrors();
    var body = sale();
    if (!body) return;
    var request = Object.assign({ type: "purchase", card: $("card").value.trim() }, body);
    saleKey = saleKey || newKey("sale");
    act(function () {
      return call("POST", "/v1/operations", request, saleKey).then(function (reply) {
        unanswered = reply.status >= 500;
        if (reply.status !== 201) {
          // Refused: nothing is held, and the next try (with the fields corrected) is a new request.
          if (reply.status < 500) saleKey = null;
          explain(reply);
          return;
        }
        unanswered = false;
        operation = reply.body;
        var needs = [];
        if (step(operation, "approval")) needs.push("the member's approval");
        if (step(operation, "sms_code")) needs.push("an SMS code");
        say(needs.length ? "Held. This payment needs " + needs.join(" and ") + "." : "Held. Confirm to complete the sale.", "wait");
        follow();
      }, function (error) {
        // No answer: the money may be held. The same key and the same fields, sent again, find out without holding twice.
        unanswered = true;
        throw error;
      });
    });
  });
  $("change").addEventListener("click", function () {
    clearErrors();
    var body = sale();
    if (!body) return;
    act(function () {
      return call("PATCH", "/v1/operations/" + operation.id, body).then(function (reply) {
        if (reply.status !== 200) { explain(reply); return; }
        operation = reply.body;
        say("Amount changed to " + cash(operation.cheque.total) + ". Ask the member again.", "wait");
        follow();
      });
    });
  });
  $("send-code").addEventListener("click", function () {
    act(function () {
      return call("POST", "/v1/operations/" + operation.id + "/sms-codes", undefined, newKey("sms")).then(function (reply) {
        if (reply.status === 201) say("Code sent to " + reply.body.sent_to + ". Type the code the member reads out.", "wait");
        else explain(reply);
      });
    });
  });
  $("verify").addEventListener("click", function () {
    var code = $("code").value.trim();
    if (!/^\d{6}$/.test(code)) { clearErrors(); fieldError("code", "The code is the 6 digits of the member's SMS."); return; }
    act(function () {
      return call("POST", "/v1/operations/" + operation.id + "/sms-codes/verify", { code: code }).then(function (reply) {
        if (reply.status !== 200) { explain(reply); return; }
        operation = reply.body;
        render();
        say("Code verified." + ($("confirm").disabled ? "" : " Confirm the sale."), "");
      });
    });
  });
  $("request").addEventListener("click", function () { ask(false); });
  $("resend").addEventListener("click", function () { ask(true); });
  $("confirm").addEventListener("click", function () {
    act(function () {
      return call("POST", "/v1/operations/" + operation.id + "/confirm").then(function (reply) {
        if (reply.status !== 200) { explain(reply); return; }
        operation = reply.body;
        say("Confirmed. " + paid(operation), "");
      });
    });
  });
  $("cancel").addEventListener("click", function () {
    act(function () {
      return call("POST", "/v1/operations/" + operation.id + "/cancel").then(function (reply) {
        if (reply.status !== 200) { explain(reply); return; }
        operation = reply.body;
        say("Cancelled; the hold is released and nothing was paid.", "bad");
      });
    });
  });
  $("new-sale").addEventListener("click", function () {
    if (busy) return;
    polling += 1;
    operation = null;
    saleKey = null;
    ["card", "total", "amount", "code"].forEach(function (field) { $(field).value = ""; });
    // The next cheque number: A-1001 becomes A-1002.
    $("cheque").value = $("cheque").value.replace(/(\d+)$/, function (n) { return String(Number(n) + 1).padStart(n.length, "0"); });
    clearErrors();
    $("message").hidden = true;
    $("resend").hidden = true;
    render();
    $("card").focus();
  });
  loadTill();
  render();
})();
`;
