// Keeps the JSON beside the treaty draft form up to date while the envoy types: the
// form is posted back as "Show the JSON" would post it (same fields, same CSRF token,
// URL-encoded) and the server's rendering of the text replaces the one shown. The
// server builds the JSON, so there is one way to make a treaty text, not two.
(function () {
  "use strict";
  var form = document.querySelector("form.draft-form");
  var shown = document.querySelector(".draft-json pre code");
  if (!form || !shown || !window.fetch || !window.URLSearchParams || !window.DOMParser) { return; }
  var timer = null;
  var sequence = 0;
  function refresh() {
    var fields = new URLSearchParams(new FormData(form));
    fields.set("action", "preview");
    var mine = ++sequence;
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: fields.toString()
    }).then(function (response) { return response.text(); }).then(function (html) {
      if (mine !== sequence) { return; }
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.querySelector(".draft-json pre code");
      if (fresh) { shown.textContent = fresh.textContent; }
      var problems = page.querySelector("pre.problems");
      var box = document.getElementById("draft-problems");
      if (box) { box.textContent = problems ? problems.textContent : ""; }
    }).catch(function () { /* the "Show the JSON" button still works */ });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();
