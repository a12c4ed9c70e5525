// Pages whose content a background task is still writing (e.g. a review archive) mark an element
// with data-reload-while-waiting; the page reloads itself every few seconds until it no longer
// does. (A file, not an inline script, for the CSP.)
(function () {
  "use strict";
  var el = document.querySelector("[data-reload-while-waiting]");
  if (!el) return;
  var seconds = parseInt(el.getAttribute("data-reload-while-waiting"), 10) || 2;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
