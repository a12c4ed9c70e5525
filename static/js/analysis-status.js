// Live status of analysis runs without reloading the page: every element with data-status-url
// asks the server for its run's state once a second until the run ends; when the run of the page
// ends, its results are fetched and put in place. (A file, not an inline script, for the CSP.)
(function () {
  "use strict";
  var INTERVAL_MS = 1000;

  function watch(el) {
    var label = el.querySelector('[data-role="label"]');
    var error = el.querySelector('[data-role="error"]');
    var targetId = el.getAttribute("data-results-target");
    var seen = label ? label.className.replace("status ", "") : "";

    function show(data) {
      if (label) {
        label.textContent = data.label;
        label.className = "status " + data.status;
      }
      if (error) error.textContent = data.status === "failed" ? data.error : "";
    }

    function loadResults(url) {
      var target = targetId && document.getElementById(targetId);
      if (!target) return;
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (html) {
        target.innerHTML = html;
      });
    }

    function poll() {
      fetch(el.getAttribute("data-status-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          show(data);
          if (data.finished) {
            // results of a run that ended while the page was open (not of one that had ended before)
            if (seen === "queued" || seen === "running") loadResults(data.results_url);
            return;
          }
          seen = data.status;
          setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () { setTimeout(poll, INTERVAL_MS * 5); });
    }

    if (seen === "queued" || seen === "running") poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-status-url]").forEach(watch);
  });
})();
