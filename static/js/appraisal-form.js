// The appraisal form: after each autosave the server sends the proposals the typed answers give
// (the algorithms run there only), and each domain's "Proposed" line shows them before saving.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) { return; }

  function span(cls, text) {
    var el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    return el;
  }

  form.addEventListener("autosaved", function (event) {
    var proposals = (event.detail || {}).proposals;
    if (!proposals) { return; }
    Object.keys(proposals).forEach(function (key) {
      var line = document.querySelector("#domain-" + key + " .proposal");
      if (!line) { return; }
      var p = proposals[key];
      line.textContent = "Proposed: ";
      if (p.judgement) {
        // the class comes from the server: where the judgement stands on the tool's scale
        line.append(span("rob " + (p["class"] || ""), p.judgement), " ", span("small muted", p.reason));
      } else {
        line.append(span("muted", "needs more answers"));
      }
    });
  });
})();
