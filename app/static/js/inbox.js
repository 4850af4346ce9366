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
  if (hint) { hint.textContent = "The list updates as soon as you change a filter."; }

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
