// List mode (screening/screen_list.html): one key per decision on the focused record, J/K or the
// arrows to move between records. Each decision is the record's own form, sent by fetch to the same
// address (the page works as plain forms without this file), with the record's note and tags (its
// <details>); when every record is decided, the next page is loaded. Keys do nothing while a text box has the focus (Escape leaves it).
(function () {
  "use strict";
  var list = document.getElementById("list-records");
  if (!list) { return; }
  var records = Array.prototype.slice.call(list.querySelectorAll(".list-record"));
  var status = document.getElementById("list-status");
  var current = -1;

  function focusAt(index, quiet) {
    if (index < 0 || index >= records.length) { return; }
    if (current >= 0) { records[current].classList.remove("focused"); }
    current = index;
    records[current].classList.add("focused");
    records[current].focus({preventScroll: !!quiet});
  }
  function undecided() { return records.filter(function (r) { return !r.classList.contains("decided"); }); }
  function after(index) {
    for (var i = index + 1; i < records.length; i++) { if (!records[i].classList.contains("decided")) { return i; } }
    return Math.min(index + 1, records.length - 1);
  }
  function tell(text) { if (status) { status.textContent = text; } }

  function decide(form, button) {
    var record = form.closest(".list-record");
    var body = new FormData(form);
    body.append("value", button.value);
    Array.prototype.forEach.call(form.querySelectorAll("button.decision"), function (b) { b.disabled = true; });
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                        headers: {"Accept": "application/json", "X-Requested-With": "fetch"}})
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        Array.prototype.forEach.call(form.querySelectorAll("button.decision"), function (b) {
          b.disabled = false;
          b.setAttribute("aria-pressed", answer.saved && b.value === answer.value ? "true" : "false");
        });
        if (!answer.saved) { tell(answer.message || "Not saved."); return; }
        record.classList.add("decided");
        var shown = form.querySelector(".decided-as");
        if (shown) { shown.textContent = "Your decision: " + answer.label; }
        var left = undecided().length;
        if (left === 0) {
          tell("Every record on this page is decided: the next page is loading.");
          var link = document.getElementById("next-page");
          if (link) { link.textContent = "Next page"; }
          window.location.assign(list.getAttribute("data-done-url"));
          return;
        }
        tell(left + " of " + records.length + " records on this page " + (left === 1 ? "waits" : "wait") +
             " for your decision.");
        focusAt(after(records.indexOf(record)));
      })
      .catch(function () {
        Array.prototype.forEach.call(form.querySelectorAll("button.decision"), function (b) { b.disabled = false; });
        tell("The decision was not saved (no answer from the site); try again.");
      });
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!form.classList.contains("list-decide") || !button || !window.fetch) { return; }
    event.preventDefault();
    decide(form, button);
  });
  list.addEventListener("focusin", function (event) {
    var record = event.target.closest && event.target.closest(".list-record");
    if (record && records.indexOf(record) !== current) {
      if (current >= 0) { records[current].classList.remove("focused"); }
      current = records.indexOf(record);
      record.classList.add("focused");
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && ["submit", "button", "radio"].indexOf(target.type) < 0));
    if (event.key === "Escape" && typing) { target.blur(); return; }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var done = true;
    if (key === "j" || key === "ArrowDown") {
      focusAt(current < 0 ? 0 : current + 1);
    } else if (key === "k" || key === "ArrowUp") {
      focusAt(current < 0 ? 0 : current - 1);
    } else if (key === "c") {
      var criteria = document.getElementById("criteria");
      if (criteria) { criteria.open = !criteria.open; }
    } else if (current >= 0 && /^[a-z]$/.test(key)) {
      var button = records[current].querySelector('button.decision[data-key="' + key + '"]');
      if (button && !button.disabled) { button.click(); } else { done = false; }
    } else {
      done = false;
    }
    if (done) { event.preventDefault(); }
  });

  // The first record waiting for a decision has the focus when the page opens.
  var first = records.findIndex(function (r) { return !r.classList.contains("decided"); });
  focusAt(first < 0 ? 0 : first, first <= 0);
})();
