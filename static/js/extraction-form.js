// The extraction form: autosave (what is typed is posted, debounced, to the autosave endpoint, so a
// closed tab loses nothing), adding rows to repeating groups, and showing only the outcome data blocks
// that fit the chosen data type (blocks holding values always stay visible).
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || form.dataset.readonly) { return; }
  var status = document.getElementById("autosave-status");
  var timer = null;
  var dirty = false;
  var submitting = false;

  function say(text) { if (status) { status.textContent = text; } }

  function autosave() {
    timer = null;
    var body = new FormData(form);
    body.delete("action");
    dirty = false;
    fetch(form.dataset.autosave, { method: "POST", body: body, credentials: "same-origin",
                                   headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json().then(function (data) { return [r.ok, data]; }); })
      .then(function (res) {
        if (res[0]) {
          say("Draft kept at " + new Date().toLocaleTimeString() + " (not yet saved).");
          // Pages that show something computed from the draft (appraisal proposals) listen for this.
          form.dispatchEvent(new CustomEvent("autosaved", { detail: res[1] }));
        }
        else { say(res[1].message || "The draft could not be kept."); }
      })
      .catch(function () { dirty = true; say("Offline: the draft will be kept when the connection is back."); });
  }

  function changed() {
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(autosave, 1200);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", function (event) { changed(); refreshBlocks(event.target); });
  form.addEventListener("submit", function () { submitting = true; if (timer) { clearTimeout(timer); } });
  // Leaving with typing not yet posted: send it now (sendBeacon survives the page closing).
  window.addEventListener("pagehide", function () {
    if (!dirty || submitting || !navigator.sendBeacon) { return; }
    var body = new FormData(form);
    body.delete("action");
    navigator.sendBeacon(form.dataset.autosave, body);
  });

  function hasValue(block) {
    return Array.prototype.some.call(block.querySelectorAll("input, select, textarea"), function (el) {
      if (el.type === "checkbox" || el.type === "radio") { return el.checked; }
      return el.value.trim() !== "";
    });
  }

  var slugs = { "Means (two groups)": "continuous", "Events (two groups)": "dichotomous",
                "Reported effect": "effect", "Pre-post (one group)": "prepost" };

  function refreshRow(row) {
    var select = row.querySelector("select[data-data-type]");
    if (!select) { return; }
    var kind = slugs[select.value] || "";
    row.querySelectorAll("fieldset.block[data-serves]").forEach(function (block) {
      var serves = block.dataset.serves;
      block.hidden = Boolean(serves && kind && serves.split(" ").indexOf(kind) < 0 && !hasValue(block));
    });
  }

  function refreshBlocks(target) {
    var row = target && target.closest ? target.closest(".repeat-row") : null;
    if (row && target.matches("select[data-data-type]")) { refreshRow(row); }
  }

  document.querySelectorAll(".repeat-row").forEach(refreshRow);

  document.querySelectorAll("button[data-add-row]").forEach(function (button) {
    var key = button.dataset.addRow;
    var container = document.querySelector('.repeat[data-section="' + key + '"]');
    var template = document.getElementById("tpl-" + key);
    button.hidden = false;
    button.addEventListener("click", function () {
      var used = Array.prototype.map.call(container.querySelectorAll(".repeat-row"), function (r) {
        return parseInt(r.dataset.row, 10) || 0;
      });
      var next = used.length ? Math.max.apply(null, used) + 1 : 0;
      var html = template.innerHTML.split("__i__").join(String(next));
      container.insertAdjacentHTML("beforeend", html);
      var row = container.lastElementChild;
      var number = row.querySelector(".row-number");
      if (number) { number.textContent = String(container.querySelectorAll(".repeat-row").length); }
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
      refreshRow(row);
    });
  });
})();
