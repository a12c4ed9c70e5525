// The appraisal form: after each autosave the server sends the proposals the typed answers give
// (the algorithms run there only), and each domain's "Proposed" line shows them before saving.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) { return; }

  function slug(text) { return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""); }

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
        line.append(span("rob rob-" + slug(p.judgement), p.judgement), " ", span("small muted", p.reason));
      } else {
        line.append(span("muted", "needs more answers"));
      }
    });
  });
})();
