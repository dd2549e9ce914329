/**
 * The member page's script (served as /assets/member.js): renders the state, keeps a WebSocket to /v1/me/events
 * (reconnecting with back-off and then fetching the requests it missed), and answers approval requests.
 */
export const MEMBER_SCRIPT = String.raw`
"use strict";
(function () {
  var state = JSON.parse(document.getElementById("state").textContent);
  var money = new Intl.NumberFormat(undefined, { style: "currency", currency: state.tenant.currency });
  var scale = Math.pow(10, state.tenant.minor_digits);
  var shown = null;
  var socket = null;
  var backoff = 500;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function formatAmount(method, amount) {
    if (method === "points") return amount.toLocaleString() + " pts";
    return money.format(amount / scale);
  }
  function api(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { "content-type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetch(path, init).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    });
  }

  function renderBalances() {
    var box = document.getElementById("balances");
    box.textContent = "";
    [["credit", "Credit"], ["cashback", "Cashback"], ["points", "Points"]].forEach(function (pair) {
      var line = state.balances[pair[0]];
      var cell = el("div", { class: "balance", "data-method": pair[0] });
      cell.appendChild(el("b", {}, formatAmount(pair[0], line.balance)));
      cell.appendChild(el("small", {}, pair[1] + (line.available !== line.balance ? " · " + formatAmount(pair[0], line.available) + " available" : "")));
      box.appendChild(cell);
    });
  }
  var KINDS = { payment: "Payment", accrual: "Points earned", refund: "Refund", accrual_reversal: "Points returned",
    top_up: "Top-up", manual_accrual: "Added by the store", manual_deduction: "Deducted by the store" };
  function renderHistory() {
    var list = document.getElementById("history");
    list.textContent = "";
    if (state.history.length === 0) list.appendChild(el("li", { class: "muted" }, "Nothing yet."));
    state.history.forEach(function (entry) {
      var item = el("li", { "data-entry": entry.id });
      var left = el("span", {}, KINDS[entry.kind] || entry.kind);
      left.appendChild(el("div", { class: "muted" }, new Date(entry.created_at).toLocaleString()));
      item.appendChild(left);
      item.appendChild(el("b", { class: entry.amount < 0 ? "neg" : "pos" }, (entry.amount < 0 ? "−" : "+") + formatAmount(entry.method, Math.abs(entry.amount))));
      list.appendChild(item);
    });
  }
  function renderCards() {
    var list = document.getElementById("cards");
    list.textContent = "";
    state.cards.forEach(function (card) {
      var item = el("li", { "data-card": card.number });
      item.appendChild(el("span", {}, "•••• " + card.number.slice(-4) + " "));
      item.firstChild.appendChild(el("span", { class: "pill" }, card.status));
      if (card.status === "active") {
        var block = el("button", { class: "danger" }, "Block");
        block.addEventListener("click", function () {
          if (!window.confirm("Block card ending " + card.number.slice(-4) + "? It can no longer be used until the store unblocks it.")) return;
          api("POST", "/v1/me/cards/" + encodeURIComponent(card.number) + "/block").then(function (reply) {
            if (reply.status === 200) { card.status = reply.body.status; renderCards(); }
          });
        });
        item.appendChild(block);
      }
      list.appendChild(item);
    });
  }
  function renderOthers() {
    var list = document.getElementById("others");
    list.textContent = "";
    document.getElementById("others-section").hidden = state.others.length === 0;
    state.others.forEach(function (other) {
      var item = el("li", { "data-member": other.id });
      item.appendChild(el("span", {}, other.name));
      var go = el("button", {}, "Switch to " + other.name);
      go.addEventListener("click", function () {
        api("POST", "/v1/me/switch", { member_id: other.id }).then(function (reply) {
          if (reply.status === 200) location.reload();
        });
      });
      item.appendChild(go);
      list.appendChild(item);
    });
  }
  function describe(request) {
    return (request.store_name || "Store") + (request.register_name ? " · " + request.register_name : "");
  }
  function methodsText(request) {
    return "Paid with " + request.payments.map(function (p) { return p.method + " " + formatAmount(p.method, p.amount); }).join(", ");
  }
  function renderPending() {
    var list = document.getElementById("pending");
    list.textContent = "";
    if (state.pending.length === 0) list.appendChild(el("li", { class: "muted" }, "No requests waiting."));
    state.pending.forEach(function (request) {
      var item = el("li", { "data-request": request.id });
      var left = el("span", {}, describe(request));
      left.appendChild(el("div", { class: "muted" }, money.format(request.amount / scale)));
      item.appendChild(left);
      var open = el("button", { class: "primary" }, "Review");
      open.addEventListener("click", function () { show(request); });
      item.appendChild(open);
      list.appendChild(item);
    });
  }
  function show(request) {
    shown = request;
    document.getElementById("approval-where").textContent = describe(request) + (request.cheque_number ? " · cheque " + request.cheque_number : "");
    document.getElementById("approval-amount").textContent = money.format(request.amount / scale);
    document.getElementById("approval-methods").textContent = methodsText(request);
    document.getElementById("approval").hidden = false;
  }
  function hide() {
    shown = null;
    document.getElementById("approval").hidden = true;
  }
  function upsertPending(request) {
    state.pending = state.pending.filter(function (r) { return r.id !== request.id; });
    if (request.status === "pending") state.pending.unshift(request);
    renderPending();
  }
  function answer(kind) {
    if (!shown) return;
    var request = shown;
    document.getElementById("approve").disabled = true;
    document.getElementById("reject").disabled = true;
    api("POST", "/v1/me/approval-requests/" + request.id + "/" + kind).then(function (reply) {
      document.getElementById("approve").disabled = false;
      document.getElementById("reject").disabled = false;
      if (reply.status === 200) upsertPending(reply.body);
      else upsertPending(Object.assign({}, request, { status: "closed" }));
      hide();
    });
  }
  function refreshPending() {
    return api("GET", "/v1/me/approval-requests?status=pending").then(function (reply) {
      if (reply.status !== 200) return;
      state.pending = reply.body.data;
      renderPending();
      if (!shown && state.pending.length > 0) show(state.pending[0]);
    });
  }
  function refreshAccount() {
    api("GET", "/v1/me").then(function (reply) {
      if (reply.status !== 200) return;
      state.balances = reply.body.balances;
      state.cards = reply.body.cards;
      renderBalances();
      renderCards();
    });
    api("GET", "/v1/me/history").then(function (reply) {
      if (reply.status !== 200) return;
      state.history = reply.body.data;
      renderHistory();
    });
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/me/events";
    var ws = new WebSocket(url);
    socket = ws;
    var status = document.getElementById("connection");
    ws.addEventListener("open", function () {
      backoff = 500;
      status.textContent = "Live — requests appear here as the cashier sends them.";
      document.body.setAttribute("data-live", "true");
      refreshPending();
      refreshAccount();
    });
    ws.addEventListener("message", function (event) {
      // The server answers the keep-alive "ping" with a plain "pong": not a message of the page.
      if (event.data === "pong") return;
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (message.type === "approval_request") {
        upsertPending(message.request);
        show(message.request);
      } else if (message.type === "approval_request_closed") {
        upsertPending(message.request);
        if (shown && shown.id === message.request.id) hide();
      } else if (message.type === "balance") {
        state.balances = message.balances;
        renderBalances();
      } else if (message.type === "history") {
        var known = {};
        state.history.forEach(function (entry) { known[entry.id] = true; });
        state.history = message.entries.filter(function (entry) { return !known[entry.id]; }).concat(state.history);
        renderHistory();
      }
    });
    ws.addEventListener("close", function (event) {
      if (socket !== ws) return;
      // The session ended (signed out here or elsewhere, or revoked): back to the sign-in page.
      if (event.code === 4001) { location.reload(); return; }
      document.body.setAttribute("data-live", "false");
      status.textContent = "Reconnecting…";
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    });
  }

  document.getElementById("sign-out").addEventListener("click", function () {
    var button = document.getElementById("sign-out");
    button.disabled = true;
    fetch("/v1/me/logout", { method: "POST" }).then(function () { location.reload(); }, function () { button.disabled = false; });
  });
  document.getElementById("approve").addEventListener("click", function () { answer("approve"); });
  document.getElementById("reject").addEventListener("click", function () { answer("reject"); });
  setInterval(function () { if (socket && socket.readyState === 1) socket.send("ping"); }, 25000);
  renderBalances();
  renderHistory();
  renderCards();
  renderOthers();
  renderPending();
  if (state.pending.length > 0) show(state.pending[0]);
  connect();
})();
`;
