/** The sign-in page's script (served as /assets/login.js): phone → code → session cookie. */
export const LOGIN_SCRIPT = String.raw`
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var tenant = $("phone-form").getAttribute("data-tenant");
  function say(text, bad) {
    $("login-message").hidden = false;
    $("login-message").className = "status" + (bad ? " bad" : "");
    $("login-message").textContent = text;
  }
  function post(path, body) {
    return fetch(path, { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (json) { return { status: r.status, body: json }; }); });
  }
  function devOutbox() {
    var box = $("dev-sms-list");
    if (!box) return;
    fetch("/m/" + tenant + "/dev-sms", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { data: [] }; }).then(function (reply) {
      box.textContent = "";
      reply.data.forEach(function (sms) {
        var item = document.createElement("li");
        item.textContent = sms.to + " — " + sms.body;
        box.appendChild(item);
      });
    });
  }
  $("phone-form").addEventListener("submit", function (event) {
    event.preventDefault();
    post("/v1/member-login/codes", { tenant_id: tenant, phone: $("phone").value.trim() }).then(function (reply) {
      if (reply.status !== 202) { say(reply.body.error ? reply.body.error.message : "Something went wrong", true); return; }
      $("code-form").hidden = false;
      say("If this number belongs to a member, a code is on its way.");
      $("code").focus();
      setTimeout(devOutbox, 300);
      setTimeout(devOutbox, 1500);
    });
  });
  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    post("/v1/member-login/verify", { tenant_id: tenant, phone: $("phone").value.trim(), code: $("code").value.trim() }).then(function (reply) {
      if (reply.status === 200) { location.assign("/m/" + encodeURIComponent(tenant)); return; }
      var error = reply.body.error || {};
      if (error.code === "invalid_code") say("That code is not right. " + error.details.attempts_left + " tries left.", true);
      else say(error.message || "Something went wrong", true);
    });
  });
  devOutbox();
})();
`;
