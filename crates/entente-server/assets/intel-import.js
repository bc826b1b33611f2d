// The import page's drop zone: uploads one file with a progress bar and shows the
// outcome. The session's CSRF token comes from the zone's data-csrf attribute and
// travels in the x-csrf-token header. Everything from the server is put in the page
// with textContent, never as HTML.
(function () {
  "use strict";
  var zone = document.getElementById("drop-zone");
  if (!zone) { return; }
  var input = document.getElementById("import-file");
  var progress = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  var result = document.getElementById("import-result");
  var summary = document.getElementById("result-summary");
  var list = document.getElementById("result-rejections");
  var collection = document.getElementById("import-collection");
  var maxBytes = Number(zone.getAttribute("data-max-bytes")) || 0;
  zone.hidden = false;

  function say(text) { status.textContent = text; }

  function show(outcome) {
    result.hidden = false;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (outcome.error) {
      summary.className = "error";
      summary.textContent = "Nothing was stored: " + outcome.error;
    } else {
      summary.className = "";
      summary.textContent = outcome.format + " into " + outcome.collection + ": " + outcome.added + " added, " +
        outcome.already_present + " already present, " + outcome.rejected + " rejected.";
    }
    (outcome.rejections || []).forEach(function (reason) {
      var item = document.createElement("li");
      item.textContent = reason;
      list.appendChild(item);
    });
    if (outcome.rejected > (outcome.rejections || []).length) {
      var more = document.createElement("li");
      more.textContent = "… and " + (outcome.rejected - outcome.rejections.length) + " more";
      list.appendChild(more);
    }
  }

  function upload(file) {
    if (maxBytes && file.size > maxBytes) {
      say(file.name + " is larger than this node accepts (" + maxBytes + " bytes).");
      return;
    }
    var request = new XMLHttpRequest();
    var target = zone.getAttribute("data-upload") + "?collection=" + encodeURIComponent(collection.value);
    request.open("POST", target);
    request.setRequestHeader("x-csrf-token", zone.getAttribute("data-csrf"));
    request.setRequestHeader("content-type", "application/json");
    progress.hidden = false;
    progress.value = 0;
    say("Uploading " + file.name + "…");
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { progress.value = Math.round((event.loaded / event.total) * 100); }
    });
    request.upload.addEventListener("load", function () { progress.value = 100; say("Checking and storing…"); });
    request.addEventListener("load", function () {
      var outcome = null;
      try { outcome = JSON.parse(request.responseText); } catch (ignored) { outcome = null; }
      if (outcome && typeof outcome.added === "number") {
        say("Done: " + file.name);
        show(outcome);
      } else {
        say("The upload was refused (" + request.status + "): reload the page and try again.");
      }
    });
    request.addEventListener("error", function () { say("The upload failed: the node could not be reached."); });
    request.send(file);
  }

  input.addEventListener("change", function () {
    if (input.files && input.files[0]) { upload(input.files[0]); }
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files[0]) { upload(files[0]); }
  });
}());
