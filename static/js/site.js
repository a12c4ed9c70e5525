// Behaviour every page may use, kept out of the HTML so that the Content-Security-Policy can
// forbid inline script: a form with data-confirm="question" asks before it is sent.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  // The server shows times in the reader's time zone once it knows it (reviewapp/timezones.py).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[\w/+-]+$/.test(zone) && document.cookie.indexOf("tz=" + zone) < 0) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* an old browser without Intl: times stay in UTC, and say so */ }
})();
