// The editor's "never lose work" and keys (issue 18); the page works without it.
// - Autosave: a moment after typing stops (the form's data-autosave-ms), and when the page
//   is hidden or left, the boxes are kept on the server as the person's working copy. Not a
//   revision: nothing in the workflow moves. The next time the editor opens, they are back.
// - A warning before leaving while something typed is not kept yet.
// - "Other wordings → Use this" swaps the wording into its box (Ctrl+Z or Undo brings the
//   words back); it is saved with the next save, never on its own.
// - After a conflict: "Put theirs in the box" / "Put mine in the box" per part.
// - Keys: Ctrl/Cmd+S saves, Ctrl/Cmd+Enter submits (asking first), Alt+1…4 go to a part.
// - On a narrow screen the reply and its findings follow the box being edited.
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

  var form = document.getElementById("draft-form");
  if (!form) { return; }
  var csrf = form.querySelector('input[name="csrf_token"]').value;
  var url = form.getAttribute("data-autosave-url");
  var delay = parseInt(form.getAttribute("data-autosave-ms"), 10) || 1500;
  var base = parseInt(form.getAttribute("data-base-revision"), 10);
  var status = document.getElementById("autosave-status");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("textarea[data-part]"));
  var editing = window.ComposureEditor;

  function snapshot() {
    var parts = {};
    boxes.forEach(function (box) { parts[box.getAttribute("data-part")] = box.value; });
    return JSON.stringify(parts);
  }

  function say(message) { if (status) { status.textContent = message; } }

  // What the server holds: the page's boxes as sent (the revision, or the working copy
  // put back), then each autosave's.
  var kept = snapshot();
  var timer = null;
  var leaving = false;

  var keptAt = null;  // when the server last kept the boxes, as it says the time

  function sayKept() {
    form.setAttribute("data-kept", "yes");
    say(keptAt ? word("kept-at", "Kept as you typed, at %(time)s; not yet saved as a revision.", {time: keptAt}) : "");
  }

  function keep(onLeaving) {
    window.clearTimeout(timer);
    var now = snapshot();
    if (leaving) { return; }
    if (now === kept) {
      if (!onLeaving) { sayKept(); }
      return;
    }
    var request = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!onLeaving,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({parts: JSON.parse(now), base_revision: base})
    });
    if (onLeaving) {
      kept = now;
      request.catch(function () {});  // the page is going; nothing is left to tell
      return;
    }
    request.then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      if (!answer.ok) {
        say(word("not-kept", "Not kept: %(why)s Save to keep it.", {why: answer.body.message || word("refused", "the server refused it")}));
        return;
      }
      kept = now;
      keptAt = answer.body.saved_at;
      if (snapshot() === now) { sayKept(); }
    }).catch(function () {
      say(word("keep-offline", "Offline? What you typed is not kept yet; it is tried again as you type."));
    });
  }

  form.addEventListener("input", function () {
    form.setAttribute("data-kept", "no");
    say(word("not-kept-yet", "Not kept yet…"));
    window.clearTimeout(timer);
    timer = window.setTimeout(keep, delay);
  });
  form.addEventListener("submit", function () { leaving = true; window.clearTimeout(timer); });
  window.addEventListener("pagehide", function () { keep(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { keep(true); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || snapshot() === kept) { return; }
    keep(true);
    event.preventDefault();
    event.returnValue = "";
  });

  function box(part) { return form.querySelector('textarea[data-part="' + part + '"]'); }

  function put(field, text, message) {
    if (!field) { return; }
    if (editing) {
      editing.replace(field, 0, field.value.length, text, message);
    } else {
      field.value = text;
      field.dispatchEvent(new Event("input", {bubbles: true}));
    }
  }

  // "Use this": a swap in the box, not a submit.
  form.addEventListener("click", function (event) {
    var wording = event.target.closest(".use-wording");
    if (wording) {
      event.preventDefault();
      var part = wording.getAttribute("data-part");
      var legend = wording.closest("fieldset").querySelector("legend");
      put(box(part), wording.getAttribute("data-text"),
        legend ? word("wording-changed-in", "Wording changed (%(part)s); not saved yet.", {part: legend.textContent.trim()}) : word("wording-changed", "Wording changed; not saved yet."));
      var chosen = form.querySelector('input[data-chosen="' + part + '"]');
      if (chosen) { chosen.value = wording.getAttribute("data-variant"); }
      return;
    }
    var version = event.target.closest(".use-version");
    if (version) {
      var source = document.getElementById(version.getAttribute("data-from"));
      put(box(version.getAttribute("data-part")), source ? source.textContent : "",
        version.textContent.trim() + ".");
    }
  });
  Array.prototype.forEach.call(form.querySelectorAll(".use-version"), function (button) {
    button.hidden = false;
  });

  // Keys. With a modifier they work while typing; nothing else is taken from a box.
  document.addEventListener("keydown", function (event) {
    var command = event.ctrlKey || event.metaKey;
    var button;
    if (command && !event.altKey && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      button = form.querySelector('[data-shortcut="save"]');
      if (button) { leaving = true; form.requestSubmit(button); } else { say(word("choose-below", "Choose below how to save over the newer revision.")); }
    } else if (command && event.key === "Enter") {
      event.preventDefault();
      button = form.querySelector('[data-shortcut="submit"]');
      if (button && window.confirm(word("confirm-submit", "Save and submit this reply for review? Cooling-off starts when you do."))) {
        leaving = true;
        form.requestSubmit(button);
      }
    } else if (event.altKey && !command && /^Digit[1-9]$/.test(event.code)) {
      var target = boxes[parseInt(event.code.slice(5), 10) - 1];
      if (target) { event.preventDefault(); target.focus(); }
    }
  });

  // The findings of the box being edited stand out, and the column beside scrolls to the
  // first of them (the live check redraws the panel: they are marked again each time).
  // On a narrow screen the reply and its findings sit right under the box being edited.
  var side = document.getElementById("editor-side");
  var panel = document.getElementById("tone-panel");
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 960px)") : null;
  var home = side ? side.parentNode : null;
  var focused = null;

  function markFocused(scroll) {
    if (!panel) { return null; }
    var first = null;
    Array.prototype.forEach.call(panel.querySelectorAll(".finding-item"), function (item) {
      var mine = focused !== null && item.getAttribute("data-part") === focused;
      item.classList.toggle("of-focused-part", mine);
      if (mine && !first) { first = item; }
    });
    if (scroll && first && side && !(narrow && narrow.matches)) {
      var shown = side.getBoundingClientRect();
      var at = first.getBoundingClientRect();
      if (at.top < shown.top || at.bottom > shown.bottom) {
        side.scrollTop += at.top - shown.top - 8;
      }
    }
    return first;
  }

  if (panel && window.MutationObserver) {
    new MutationObserver(function () { markFocused(false); }).observe(panel, {childList: true});
  }
  form.addEventListener("focusin", function (event) {
    var fieldset = event.target.matches("textarea[data-part]") ? event.target.closest("fieldset") : null;
    if (!side || !fieldset) { return; }
    focused = event.target.getAttribute("data-part");
    if (narrow && narrow.matches) {
      if (fieldset.nextElementSibling !== side) { fieldset.after(side); }
    } else if (side.parentNode !== home) {
      home.appendChild(side);
    }
    markFocused(true);
  });
  form.setAttribute("data-autosave", "on");
})();
