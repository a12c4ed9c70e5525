// Keyboard-first screening: every key is also shown on the page. Keys do nothing while a text box
// has the focus (Escape leaves it), so notes and tags can be typed freely.
(function () {
  "use strict";
  function click(selector) {
    var el = document.querySelector(selector);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && ["submit", "button", "radio"].indexOf(target.type) < 0));
    if (event.key === "Escape" && typing) { target.blur(); return; }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var done = false;
    if (key === "e") {
      var reason = document.getElementById("id_reason");
      if (reason && !reason.value) { reason.focus(); reason.setAttribute("aria-invalid", "true"); done = true; }
      else { done = click('button.decision[data-key="e"]'); }
    } else if (key === "i" || key === "m" || key === "r") {
      done = click('button.decision[data-key="' + key + '"]');
    } else if (key === "u") {
      done = click("#undo-form button");
    } else if (key === "j" || key === "ArrowRight") {
      done = click("#next");
    } else if (key === "k" || key === "ArrowLeft") {
      done = click("#previous");
    } else if (key === "n" || key === "t") {
      var box = document.getElementById(key === "n" ? "id_note" : "id_tags");
      if (box) { box.focus(); done = true; }
    } else if (key === "f") {
      // Narrow screens: switch between the record and its full text (the radio "tabs").
      var showFulltext = document.getElementById("show-fulltext");
      if (showFulltext) {
        var other = showFulltext.checked ? document.getElementById("show-record") : showFulltext;
        other.checked = true; done = true;
      }
    } else if (key === "c") {
      var criteria = document.getElementById("criteria");
      if (criteria) { criteria.open = !criteria.open; done = true; }
    }
    if (done) { event.preventDefault(); }
  });
  // Excluding a full text needs a reason: choosing one and pressing Enter submits the exclusion.
  var reason = document.getElementById("id_reason");
  if (reason) {
    reason.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && reason.value) { event.preventDefault(); click('button.decision[data-key="e"]'); }
    });
  }
})();
