// The import report follows a running import: status, records read and the progress bar, polled
// once a second until the import has finished (then the page reloads with the full report).
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box || box.dataset.finished === "1") { return; }
  var bar = box.querySelector("progress");
  function show(name, value) {
    document.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) { el.textContent = value; });
  }
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (p) {
      show("status_label", p.status_label);
      show("records_read", p.records_read);
      bar.value = p.percent;
      bar.textContent = p.percent + "%";
      if (p.finished) { window.location.reload(); return; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
