// The inbox's filters apply as soon as one changes; without this script the Filter button
// does the same. The search box is sent with Enter or the button, never while typing.
// A select changed with the arrow keys (which fire "change" on every step in some
// browsers) applies when the person leaves it or presses Enter, not on each step.
(function () {
  "use strict";

  var form = document.querySelector("form[data-auto-submit]");
  if (!form || typeof form.requestSubmit !== "function") { return; }
  var hint = form.querySelector(".auto-hint");
  // Said before anyone uses the filters (each select is described by it).
  if (hint) { hint.textContent = words.t("inbox.auto_hint"); }

  var stepping = false;
  var pending = false;
  var send = function () {
    pending = false;
    form.requestSubmit();
  };

  Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && pending) {
        event.preventDefault();
        send();
        return;
      }
      stepping = /^(Arrow|Page|Home|End)/.test(event.key) || event.key.length === 1;
    });
    select.addEventListener("mousedown", function () { stepping = false; });
    select.addEventListener("change", function () {
      if (stepping) {
        pending = true;
      } else {
        send();
      }
    });
    select.addEventListener("blur", function () {
      stepping = false;
      if (pending) { send(); }
    });
  });
})();

// Keys on the inbox (listed by "?", app/static/js/shortcuts.js): j / k choose the next or
// previous complaint, o (or Enter, before anything has focus) opens the one chosen, the
// first one until another is chosen. Never while typing in a box or with a modifier.
(function () {
  "use strict";

  var links = Array.prototype.slice.call(document.querySelectorAll(".inbox-list tbody .excerpt a"));
  if (!links.length) { return; }
  var at = -1;
  var typing = function (target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  };
  var choose = function (index) {
    if (at >= 0) { links[at].closest("tr").classList.remove("chosen"); }
    at = index;
    links[at].closest("tr").classList.add("chosen");
    links[at].focus();
  };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) { return; }
    var nothingFocused = event.target === document.body || event.target === document.documentElement;
    if (event.key === "j") {
      choose(Math.min(at + 1, links.length - 1));
    } else if (event.key === "k") {
      choose(Math.max(at - 1, 0));
    } else if (event.key === "o" || (event.key === "Enter" && nothingFocused)) {
      (links[at] || links[0]).click();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
