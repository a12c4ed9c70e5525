// Behaviour every page may use, kept out of the HTML so that the Content-Security-Policy can
// forbid inline script: a form with data-confirm="question" asks before it is sent.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
