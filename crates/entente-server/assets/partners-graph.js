// The graph of relations and alliances on /ui/partners: fetches the graph from
// /ui/partners/graph.json (same origin, with the session cookie) and draws it with
// the vendored cytoscape. Labels are set as text by cytoscape (canvas), never as HTML.
(function () {
  "use strict";
  var box = document.getElementById("partners-graph");
  if (!box || typeof cytoscape !== "function") { return; }
  var colours = {
    "contact": "#9fb3cf", "recognized": "#6f95c8", "negotiating": "#4a7fc1", "in-force": "#1e7a46",
    "suspended": "#e0a040", "terminated": "#c96a6a", "pending": "#9aa3b0"
  };
  fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("graph: " + response.status); }
      return response.json();
    })
    .then(function (graph) {
      box.textContent = "";
      var cy = cytoscape({
        container: box,
        elements: graph.elements,
        layout: { name: "cose", animate: false, padding: 30 },
        maxZoom: 1.6,
        minZoom: 0.2,
        style: [
          { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
            "background-color": "#8fa0b8", "width": 22, "height": 22, "color": "#1d2430" } },
          { selector: "node[kind = 'self']", style: { "background-color": "#1d2430", "width": 30, "height": 30 } },
          { selector: "node[kind = 'alliance']", style: { "shape": "round-rectangle", "background-color": "#7b5ea7" } },
          { selector: "node[kind = 'stranger']", style: { "background-color": "#d3d8df" } },
          { selector: "edge", style: { "width": 2.5, "curve-style": "bezier", "line-color": "#9aa3b0" } },
          { selector: "edge[kind = 'membership']", style: { "line-style": "dashed", "width": 1.5, "line-color": "#7b5ea7" } },
          { selector: "edge[kind = 'founder']", style: { "line-style": "dotted", "width": 1.5, "line-color": "#b9a7d6" } }
        ].concat(Object.keys(colours).map(function (state) {
          return { selector: "edge[kind = 'relation'][state = '" + state + "'], node[kind = 'partner'][state = '" + state + "']",
            style: { "line-color": colours[state], "background-color": colours[state] } };
        }))
      });
      cy.on("tap", "node", function (event) {
        var href = event.target.data("href");
        if (typeof href === "string" && href.indexOf("/ui/") === 0) { window.location.assign(href); }
      });
    })
    .catch(function (error) {
      box.textContent = "The graph could not be loaded (" + error.message + "); the table above lists every relation.";
    });
})();
