// The list of a page's keyboard shortcuts (templates/_shortcuts.html): "?" opens it when
// the person is not typing in a box, Esc closes it (a modal <dialog> does), and so does
// its Close button. The page's own keys are in its own script.
(function () {
  "use strict";

  var dialog = document.getElementById("shortcuts-help");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var typing = function (target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  };
  var open = function () { if (!dialog.open) { dialog.showModal(); } };
  Array.prototype.forEach.call(document.querySelectorAll("[data-shortcuts-open]"), function (button) {
    button.addEventListener("click", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    event.preventDefault();
    open();
  });
})();
