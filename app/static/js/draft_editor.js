// Draft editor: as the agent types, the reply, its length and the tone check update,
// all as the server reports them (the channel decides how length counts).
// Works without it: saving shows the same report from the server.
// Every change it makes to a box (an applied fix; draft_work.js's wordings and conflict
// choices through `window.ComposureEditor.replace`) goes through the browser's own editing,
// so Ctrl+Z in the box brings the words back, and the Undo button beside the message does.
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
  var editor = document.querySelector(".draft-editor");
  var assembled = document.getElementById("assembled");
  var lengthLine = document.getElementById("length-line");
  var panel = document.getElementById("tone-panel");
  var status = document.getElementById("tone-status");
  if (!editor || !assembled || !lengthLine) { return; }
  var csrf = editor.querySelector('input[name="csrf_token"]').value;
  var checkUrl = panel ? panel.getAttribute("data-check-url") : null;
  var DELAY = 300;  // ms after the last key press
  var timer = null;
  var sent = 0;     // number of the latest request: older answers are dropped

  function fields() {
    return Array.prototype.slice.call(editor.querySelectorAll("textarea[data-part]"));
  }

  function check() {
    var parts = {};
    fields().forEach(function (field) { parts[field.getAttribute("data-part")] = field.value; });
    var number = ++sent;
    status.textContent = word("checking", "checking…");
    fetch(checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({parts: parts})
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      if (number !== sent) { return; }
      if (!answer.ok) {
        status.textContent = answer.body.message || word("check-failed", "The tone check failed; save to check.");
        return;
      }
      assembled.innerHTML = answer.body.html.reply;
      panel.innerHTML = answer.body.html.tone;
      // The length as the channel counts it, and the thread, from the server.
      lengthLine.innerHTML = answer.body.html.length;
      var count = answer.body.findings.length;
      status.textContent = answer.body.summary ||
        (count ? count + (count === 1 ? " finding" : " findings") : "no findings");
    }).catch(function () {
      if (number === sent) { status.textContent = word("check-offline", "Offline? The check runs again when you save."); }
    });
  }

  function changed() {
    // The tone check and the length follow once the agent pauses.
    if (!checkUrl) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DELAY);
  }

  function apply(button) {
    var field = editor.querySelector('textarea[data-part="' + button.getAttribute("data-part") + '"]');
    if (!field) { return; }
    var start = parseInt(button.getAttribute("data-start"), 10);
    var end = parseInt(button.getAttribute("data-end"), 10);
    var value = field.value;
    // The report is about the trimmed part; find the words again if the text moved.
    var offset = value.length - value.replace(/^\s+/, "").length;
    var expect = button.getAttribute("data-expect");
    if (expect && value.substr(start + offset, expect.length) !== expect) {
      var at = value.indexOf(expect);
      if (at < 0) { status.textContent = word("text-changed", "That text has changed; nothing applied."); return; }
      end = at + (end - start); start = at; offset = 0;
    }
    var item = button.closest(".finding-item");
    var label = item ? item.querySelector("strong") : null;
    replace(field, start + offset, end + offset, button.getAttribute("data-suggestion"),
      label ? word("fix-applied-to", "Fix applied (%(label)s).", {label: label.textContent}) : word("fix-applied", "Fix applied."));
  }

  // Put `text` in place of field.value[start:end] as an edit of the browser's own (kept
  // on its undo stack), remembering the box as it was for the Undo button.
  var replacing = false;
  function replace(field, start, end, text, message) {
    var old = field.value;
    replacing = true;
    field.focus();
    field.setSelectionRange(start, end);
    var done = false;
    try {
      done = document.execCommand(text ? "insertText" : "delete", false, text);
    } catch (error) {
      done = false;
    }
    if (!done || field.value !== old.slice(0, start) + text + old.slice(end)) {
      field.value = old;
      field.setRangeText(text, start, end, "end");
      field.dispatchEvent(new Event("input", {bubbles: true}));
    }
    replacing = false;
    remember(field, old, message);
    changed();
  }

  // One Undo for the last fix applied: the box as it was before, until the agent types.
  var undo = document.getElementById("fix-undo");
  var undoWhat = document.getElementById("fix-undo-what");
  var before = null;  // {field, value}

  function remember(field, value, message) {
    if (!undo) { return; }
    before = {field: field, value: value, message: message};
    undoWhat.textContent = message;
    undo.hidden = false;
  }

  function forget() {
    before = null;
    if (undo) { undo.hidden = true; }
  }

  if (undo) {
    document.getElementById("fix-undo-button").addEventListener("click", function () {
      if (!before) { return; }
      var undone = before;
      replace(undone.field, 0, undone.field.value.length, undone.value, "");
      forget();
      undone.field.focus();
      status.textContent = undone.message.replace(/\.$/, "") + ": undone.";
    });
  }

  editor.addEventListener("input", function () {
    if (replacing) { return; }
    forget();
    changed();
  });
  if (panel) {
    panel.addEventListener("click", function (event) {
      var button = event.target.closest(".apply-suggestion");
      if (button) { apply(button); }
    });
  }
  // Words typed before this script ran (a slow page) or put back by the browser (Back)
  // are not what the server checked: check them now.
  if (checkUrl && fields().some(function (field) { return field.value !== field.defaultValue; })) { check(); }
  window.ComposureEditor = {replace: replace};
  editor.setAttribute("data-live-check", "on");
})();
