// The workflow pages' small helpers; each page works without them.
// - cooling-off countdown: "(4 min 10 s left)" next to the <time> it ends at; at zero it
//   tells live.js, which checks with the server and enables Publish;
// - review page: selecting words in the reply marks the passage a comment is about;
// - publish page: a Copy button for the final text.
(function () {
  "use strict";
  // Words people read, in the page's language: the page's #page-words element holds them
  // (drafts/_workflow.html, `script_words`); English if it is missing.
  function word(name, fallback, values) {
    var holder = document.getElementById("page-words");
    var text = (holder && holder.getAttribute("data-" + name)) || fallback;
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(values[key]);
    });
    return text;
  }

  // Countdown. The server says how many seconds were left when it sent the page, so a
  // wrong clock on this computer does not matter.
  var countdowns = Array.prototype.slice.call(document.querySelectorAll("[data-countdown]"));
  if (countdowns.length) {
    var loaded = Date.now();
    var tick = function () {
      var running = false;
      countdowns.forEach(function (element) {
        var left = parseInt(element.getAttribute("data-countdown"), 10) -
          Math.floor((Date.now() - loaded) / 1000);
        if (left <= 0) {
          // live.js asks the server whether the draft is ready and enables Publish.
          if (!element.hasAttribute("data-over")) {
            element.setAttribute("data-over", "");
            element.textContent = word("over", "(over)");
            document.dispatchEvent(new CustomEvent("composure:countdown-over"));
          }
          return;
        }
        running = true;
        var minutes = Math.floor(left / 60);
        var seconds = left % 60;
        element.textContent = minutes
          ? word("left-minutes", "(%(minutes)s min %(seconds)s s left)", {minutes: minutes, seconds: seconds})
          : word("left-seconds", "(%(seconds)s s left)", {seconds: seconds});
      });
      if (running) { window.setTimeout(tick, 1000); }
    };
    tick();
  }

  // Passage selection on the review page: the offsets are characters of the revision's
  // text, as Python counts them (code points), so emoji count once.
  var reply = document.getElementById("review-text");
  var form = reply && document.getElementById(reply.getAttribute("data-anchor-form"));
  if (reply && form) {
    var quote = form.querySelector("#quote");
    var start = form.querySelector("#anchor_start");
    var end = form.querySelector("#anchor_end");
    var codePoints = function (text) { return Array.from(text).length; };
    var offsetOf = function (node, offset) {
      var range = document.createRange();
      range.selectNodeContents(reply);
      range.setEnd(node, offset);
      return codePoints(range.toString());
    };
    var mark = function () {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
      var range = selection.getRangeAt(0);
      if (!reply.contains(range.startContainer) || !reply.contains(range.endContainer)) { return; }
      var text = range.toString();
      var from = offsetOf(range.startContainer, range.startOffset);
      // Leave out spaces selected at either end.
      var leading = codePoints(text) - codePoints(text.replace(/^\s+/, ""));
      var trimmed = text.trim();
      if (!trimmed) { return; }
      start.value = from + leading;
      end.value = from + leading + codePoints(trimmed);
      quote.value = trimmed;
    };
    reply.addEventListener("mouseup", mark);
    reply.addEventListener("keyup", mark);
    quote.addEventListener("input", function () { start.value = ""; end.value = ""; });
    var hint = form.querySelector("#quote-hint");
    if (hint) { hint.textContent = word("quote-hint", "Select the words in the reply above, or copy them here."); }
  }

  // Copy button on the publish page (hidden until this script shows it).
  Array.prototype.slice.call(document.querySelectorAll(".copy-button")).forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function (message) { if (status) { status.textContent = message; } };
      source.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(source.value).then(function () {
          done(word("copied", "Copied."));
        }, function () {
          done(word("copy-failed", "Could not copy; the text is selected, press Ctrl+C."));
        });
      } else {
        done(word("copy-selected", "The text is selected; press Ctrl+C to copy it."));
      }
    });
  });
})();
