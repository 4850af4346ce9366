// The inbox's bulk bar: "select every complaint on this page", a count of what is
// selected, and (once the whole page is ticked) the offer to select every complaint
// matching the filter, beyond this page. Without this script the checkboxes and the
// "Select all N matching" box still work; only the count and the page box need it.
// With it, the bar's controls wait hidden until something is ticked, so the list starts
// higher on the page.
(function () {
  "use strict";

  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("input[name='ids'][form='bulk-form']"));
  var page = document.getElementById("bulk-page");
  var all = document.getElementById("bulk-all");
  var count = document.getElementById("bulk-count");
  var controls = document.getElementById("bulk-controls");
  // How many match the filter: the number in the box's label, its separators dropped.
  var matching = all ? parseInt(all.parentNode.textContent.replace(/\D/g, ""), 10) || 0 : 0;

  var say = function () {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    if (page) {
      page.checked = ticked === rows.length && rows.length > 0;
      page.indeterminate = ticked > 0 && ticked < rows.length;
    }
    if (controls) { controls.hidden = !ticked && !(all && all.checked); }
    if (all && all.checked) {
      count.textContent = words.n("bulk.all_selected", matching);
    } else if (ticked) {
      count.textContent = words.n("bulk.selected", ticked);
    } else {
      count.textContent = words.t("bulk.hint");
    }
  };

  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked && all) { all.checked = false; }
      say();
    });
  });
  if (page) {
    page.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = page.checked; });
      if (!page.checked && all) { all.checked = false; }
      say();
    });
  }
  if (all) {
    all.addEventListener("change", function () {
      if (all.checked) { rows.forEach(function (box) { box.checked = true; }); }
      say();
    });
  }
  say();
})();
