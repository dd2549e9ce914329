/** The console script's middle part (see console-script.ts): cards, keys, registers, stores and secret keys. */
export const CONSOLE_CARDS_AND_KEYS = String.raw`  var cardList = $("cards");
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
        if (reply.status !== 202) { say("page-message", errorText(reply, "No link was sent.")); return; }
        say("page-message", "Sent by SMS to " + reply.body.sent_to + ": the link signs the member in once, within 10 minutes.");
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

`;
