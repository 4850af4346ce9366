// Polls an import's progress and updates the page; reloads once it has finished so the
// list of rows not imported appears. Without JavaScript the page refreshes itself.
(function () {
  "use strict";
  var root = document.getElementById("import-job");
  if (!root || root.dataset.finished === "true") { return; }
  var url = root.dataset.progressUrl;
  var statusText = document.getElementById("import-status");
  var bar = document.getElementById("import-progress");
  function set(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = String(value); }
  }
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        set("count-imported", job.imported);
        set("count-duplicates", job.duplicates);
        set("count-rejected", job.rejected);
        set("count-ignored", job.ignored);
        if (job.finished) { window.location.reload(); return; }
        statusText.textContent = job.message;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
