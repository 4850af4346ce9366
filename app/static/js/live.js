// The live page: asks GET /live every LIVE_POLL_MS while the tab is visible (sending the
// ETag it holds; an unchanged answer is a 304) and brings the page up to date without a
// reload:
// - the header's counts (My replies, Reviews, Sign-offs, Notifications);
// - a queue page (Reviews, Sign-offs, My replies) whose count changed is fetched again and
//   its list swapped in;
// - on a draft's pages: its state badge, what publishing still waits for, the Publish
//   button (enabled once the server says the draft is ready), the cooling-off countdown;
//   the editor's "Where this reply stands" fetched again when the draft moved;
// - who else has this draft or complaint open (a heartbeat to POST /live/presence);
// - a toast (read out politely) for a new notice, a decision, a draft ready to publish.
// Every page works without it; it only ever reads, except for the heartbeat. Its words
// come from words.js, in the page's language.
(function () {
  "use strict";

  var body = document.body;
  var url = body.getAttribute("data-live-url");
  if (!url || !window.fetch) { return; }
  var every = parseInt(body.getAttribute("data-live-poll-ms"), 10) || 5000;
  var draftId = body.getAttribute("data-live-draft");
  var complaintId = body.getAttribute("data-live-complaint");
  var query = [];
  if (draftId) { query.push("draft=" + encodeURIComponent(draftId)); }
  if (complaintId) { query.push("complaint=" + encodeURIComponent(complaintId)); }
  var target = url + (query.length ? "?" + query.join("&") : "");
  var etag = null;
  var last = null;
  var timer = null;
  var busy = false;
  var stopped = false;

  var each = function (selector, fn) {
    Array.prototype.slice.call(document.querySelectorAll(selector)).forEach(fn);
  };

  // Toasts ---------------------------------------------------------------------------
  var toast = function (message, link) {
    var region = document.getElementById("live-toasts");
    if (!region) { return; }
    var item = document.createElement("p");
    item.className = "toast";
    var text = document.createElement(link ? "a" : "span");
    text.textContent = message;
    if (link) { text.href = link; }
    item.appendChild(text);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link toast-close";
    close.textContent = words.t("toast.dismiss");
    close.addEventListener("click", function () { item.remove(); });
    item.appendChild(close);
    region.appendChild(item);
    while (region.children.length > 3) { region.removeChild(region.firstElementChild); }
  };

  // Counts and queues ------------------------------------------------------------------
  var setCount = function (key, value) {
    each("[data-live-count='" + key + "']", function (element) {
      var noun = element.getAttribute("data-live-words") || "";
      element.hidden = !value;
      element.textContent = "";
      if (!value) { return; }
      var shown = document.createElement("span");
      shown.className = "count";
      shown.setAttribute("aria-hidden", "true");
      shown.textContent = String(value);
      var said = document.createElement("span");
      said.className = "visually-hidden";
      said.textContent = " (" + value + " " + noun + ")";
      element.appendChild(document.createTextNode(" "));
      element.appendChild(shown);
      element.appendChild(said);
    });
  };

  var refreshQueue = function (key, value) {
    each("[data-live-refresh='" + key + "']", function (region) {
      if (region.getAttribute("data-live-now") === String(value) || region.hasAttribute("data-loading")) {
        return;
      }
      region.setAttribute("data-loading", "");
      fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          region.removeAttribute("data-loading");
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
          if (fresh) { region.replaceWith(document.importNode(fresh, true)); }
        }, function () { region.removeAttribute("data-loading"); });
    });
  };

  var applyCounts = function (counts, before) {
    Object.keys(counts).forEach(function (key) {
      setCount(key, counts[key]);
      refreshQueue(key, counts[key]);
    });
    var news = [];
    if (!before) { return news; }
    if ((counts.reviews || 0) > (before.reviews || 0)) {
      news.push([words.t("live.review_waiting"), "/reviews"]);
    }
    if ((counts.signoffs || 0) > (before.signoffs || 0)) {
      news.push([words.t("live.signoff_waiting"), "/sign-offs"]);
    }
    if ((counts.ready || 0) > (before.ready || 0) && !draftId) {
      news.push([words.t("live.mine_ready"), "/my-replies"]);
    }
    return news;
  };

  // The draft of this page ------------------------------------------------------------
  // A region marked data-live-swap (the editor's "Where this reply stands") is fetched
  // again when the draft moved, so its reviews, sign-offs and Publish are the server's.
  var swapRegions = function () {
    var regions = Array.prototype.slice.call(document.querySelectorAll("[data-live-swap][id]"));
    if (!regions.length) { return; }
    fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        regions.forEach(function (region) {
          var fresh = doc.getElementById(region.id);
          if (!fresh) { return; }
          var focused = document.activeElement;
          var had = focused && region.contains(focused) && focused.id;
          region.replaceWith(document.importNode(fresh, true));
          if (had && document.getElementById(had)) { document.getElementById(had).focus(); }
        });
      }, function () { /* the next change tries again */ });
  };

  var moved = function (draft, before) {
    return !before || draft.state !== before.state || draft.revision !== before.revision ||
      draft.ready !== before.ready || draft.shows_publish !== before.shows_publish;
  };

  var here = function (names) {
    var line = document.getElementById("live-here");
    if (!line) {
      var head = document.querySelector("main .page-head");
      if (!head) { return; }
      line = document.createElement("p");
      line.id = "live-here";
      line.className = "live-here";
      head.appendChild(line);
    }
    line.hidden = !names.length;
    line.textContent = names.length ? words.t("live.here", {names: words.list(names)}) : "";
  };

  var applyRefusals = function (draft) {
    var list = document.getElementById("publish-refusals");
    var intro = document.getElementById("publish-refusals-intro");
    if (list && !draft.publish_refusals.length) { list.remove(); }
    if (list && draft.publish_refusals.length) {
      list.textContent = "";
      draft.publish_refusals.forEach(function (refusal) {
        var item = document.createElement("li");
        item.textContent = refusal;
        list.appendChild(item);
      });
    }
    if (intro && draft.ready) { intro.textContent = words.t("live.ready"); }
    each("[data-live-publish]", function (form) { form.hidden = !draft.shows_publish; });
    each("button[name='action'][value='publish']", function (button) {
      if (draft.may_publish) {
        button.disabled = false;
        button.removeAttribute("aria-describedby");
      } else if (draft.publish_refusals.length) {
        button.disabled = true;
      }
    });
  };

  var applyDraft = function (draft, before) {
    each(".page-head .badge.state", function (badge) {
      badge.textContent = draft.state_words;
      badge.className = "badge state state-" + draft.state;
    });
    if (draft.cooling_off_over) {
      // workflow.js shows "(over)" at its next tick.
      each("[data-countdown]", function (element) { element.setAttribute("data-countdown", "0"); });
    }
    applyRefusals(draft);
    here(draft.here);
    if (!before) { return null; }
    if (moved(draft, before)) { swapRegions(); }
    if (draft.ready && !before.ready && draft.may_publish) {
      return [words.t("live.draft_ready", {id: draft.id})];
    }
    if (draft.state !== before.state) {
      return [words.t("live.draft_now", {id: draft.id, state: draft.state_words})];
    }
    if (draft.revision !== before.revision) {
      return [words.t("live.draft_revision", {id: draft.id, revision: draft.revision}),
        window.location.pathname];
    }
    return null;
  };

  // One answer --------------------------------------------------------------------------
  var apply = function (answer) {
    var before = last;
    last = answer;
    var news = applyCounts(answer.counts || {}, before && before.counts);
    var said = answer.draft ? applyDraft(answer.draft, before && before.draft) : null;
    if (answer.complaint) { here(answer.complaint.here); }
    var notice = answer.notice;
    var old = before && before.notice;
    // One toast per change: a new notice says it best; else what the page saw move.
    if (before && notice && (!old || old.id !== notice.id || old.at !== notice.at)) {
      news = [[notice.message, notice.link]];
    } else if (said) {
      news = [said];
    }
    news.forEach(function (item) { toast(item[0], item[1]); });
  };

  var schedule = function () {
    window.clearTimeout(timer);
    if (!stopped && !document.hidden) { timer = window.setTimeout(poll, every); }
  };

  var poll = function () {
    if (busy || stopped) { return; }
    busy = true;
    var headers = {"Accept": "application/json"};
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(target, {credentials: "same-origin", cache: "no-store", headers: headers})
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          stopped = true;  // signed out meanwhile: the next page they open says so
          return null;
        }
        if (response.status === 304 || !response.ok) { return null; }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (answer) {
        if (answer) { apply(answer); }
      })
      .catch(function () { /* offline for a moment: the next round tries again */ })
      .then(function () { busy = false; schedule(); });
  };

  // Who is here: the heartbeat of a draft's or complaint's page -------------------------
  var presenceUrl = body.getAttribute("data-presence-url");
  var presenceEvery = parseInt(body.getAttribute("data-presence-ms"), 10) || 20000;
  var csrfField = document.querySelector("form.signout input[name='csrf_token']");
  var beat = function () {
    if (document.hidden || stopped || !presenceUrl || !csrfField) { return; }
    var thing = draftId ? {draft: parseInt(draftId, 10)} : {complaint: parseInt(complaintId, 10)};
    fetch(presenceUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfField.value},
      body: JSON.stringify(thing)
    }).catch(function () { /* the next beat tries again */ });
  };
  if (draftId || complaintId) {
    beat();
    window.setInterval(beat, presenceEvery);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
    } else {
      beat();
      poll();
    }
  });
  // The countdown reached zero: ask the server now rather than at the next round.
  document.addEventListener("composure:countdown-over", function () { poll(); });
  poll();
})();
