// Draft editor: the assembled reply and its length update as the agent types.
// Works without it: saving shows the same figures from the server.
(function () {
  "use strict";
  var editor = document.querySelector(".draft-editor");
  var assembled = document.getElementById("assembled");
  var length = document.getElementById("length");
  if (!editor || !assembled || !length) { return; }
  var limit = parseInt(length.getAttribute("data-limit"), 10);
  var isX = length.getAttribute("data-channel") === "x";
  var order = ["validate", "responsibility", "direction", "close_loop", "holding_reply"];

  function weigh(text) {
    if (!isX) { return Array.from(text).length; }
    // X counts links as 23 and most emoji or CJK characters as 2.
    var links = text.match(/https?:\/\/\S+/g) || [];
    var rest = text.replace(/https?:\/\/\S+/g, "").replace(/[\u200d\ufe0f]/g, "");
    var total = 23 * links.length;
    Array.from(rest).forEach(function (ch) {
      var code = ch.codePointAt(0);
      total += (code <= 0x10ff || (code >= 0x2000 && code <= 0x200d) ||
        (code >= 0x2010 && code <= 0x201f) || (code >= 0x2032 && code <= 0x2037)) ? 1 : 2;
    });
    return total;
  }

  function update() {
    var parts = [];
    order.forEach(function (name) {
      var field = editor.querySelector('textarea[data-part="' + name + '"]');
      if (field && field.value.trim()) { parts.push(field.value.trim()); }
    });
    var text = parts.join(length.getAttribute("data-public") === "true" ? " " : "\n\n");
    assembled.textContent = text;
    var count = weigh(text);
    length.textContent = count;
    length.classList.toggle("over", count > limit);
  }

  editor.addEventListener("input", update);
})();
