// trace.js draws the provenance trace embedded in the page (#trace-data)
// with Cytoscape.js, layered by distance from the root (breadthfirst), and
// opens a node's page when it is clicked. The page lists the same hops as
// text, so nothing depends on this drawing.
(function () {
  "use strict";
  var box = document.getElementById("trace-graph");
  var dataEl = document.getElementById("trace-data");
  if (!box || !dataEl || typeof window.cytoscape !== "function") {
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var colours = {
    person: "#2f6fd0",
    organisation: "#0f8a7e",
    source: "#7a5a2e",
    quote: "#b8860b",
    claim: "#7b3fb5",
    figure: "#2e8540",
    missing: "#8a939c"
  };
  var shapes = {
    person: "ellipse",
    organisation: "hexagon",
    source: "rectangle",
    quote: "round-rectangle",
    claim: "diamond",
    figure: "tag",
    missing: "ellipse"
  };
  var elements = [];
  data.nodes.forEach(function (n) {
    var classes = [n.kind];
    if (n.root) classes.push("root");
    if (n.primary) classes.push("primary");
    if (n.original) classes.push("original");
    elements.push({
      group: "nodes",
      data: { id: n.id, label: n.label + (n.primary ? " ★" : ""), kind: n.kind, url: n.url,
        colour: colours[n.kind] || colours.missing, shape: shapes[n.kind] || "ellipse" },
      classes: classes.join(" ")
    });
  });
  data.edges.forEach(function (e) {
    elements.push({
      group: "edges",
      data: { id: e.id, source: e.source, target: e.target, label: e.label },
      classes: e.retracted ? "retracted" : ""
    });
  });
  box.textContent = "";
  // On a narrow screen the layers run left to right, so that the drawing
  // is tall rather than wide.
  var narrow = box.clientWidth < 560;
  var cy = window.cytoscape({
    container: box,
    elements: elements,
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      { selector: "node", style: {
        "shape": "data(shape)",
        "background-color": "data(colour)",
        "label": "data(label)",
        "color": "#1d2329",
        "font-size": 11,
        "text-wrap": "wrap",
        "text-max-width": 140,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
        "width": 26,
        "height": 26,
        "border-width": 2,
        "border-color": "#ffffff"
      } },
      { selector: "node.root", style: { "width": 36, "height": 36, "border-width": 5, "border-color": "#12202e", "font-weight": "bold" } },
      { selector: "node.primary", style: { "border-width": 6, "border-style": "double", "border-color": "#12202e" } },
      { selector: "node.original", style: { "border-width": 4, "border-style": "dashed", "border-color": "#12202e" } },
      { selector: "edge", style: {
        "width": 1.5,
        "line-color": "#9aa5b1",
        "target-arrow-color": "#9aa5b1",
        "target-arrow-shape": "triangle",
        "curve-style": "bezier",
        "label": "data(label)",
        "font-size": 9,
        "color": "#5b6570",
        "text-rotation": "autorotate",
        "text-background-color": "#fbfcfd",
        "text-background-opacity": 1,
        "text-background-padding": 1
      } },
      { selector: "edge.arc", style: {
        "curve-style": "unbundled-bezier",
        "control-point-distances": "data(arc)",
        "control-point-weights": 0.5
      } },
      { selector: "edge.retracted", style: { "line-style": "dashed", "line-color": "#b3261e", "target-arrow-color": "#b3261e" } },
      { selector: "node:selected", style: { "overlay-opacity": 0.15 } }
    ],
    layout: { name: "preset" }
  });
  var layout = cy.layout({
    name: "breadthfirst",
    directed: false,
    roots: [data.root],
    spacingFactor: narrow ? 1.0 : 1.15,
    padding: 24,
    avoidOverlap: true,
    nodeDimensionsIncludeLabels: true,
    transform: function (node, pos) {
      return narrow ? { x: pos.y, y: pos.x } : pos;
    }
  });
  // Edges between two nodes of the same layer would run straight through
  // the nodes between them: bend them.
  layout.one("layoutstop", function () {
    cy.edges().forEach(function (e) {
      var a = e.source().position();
      var b = e.target().position();
      var across = narrow ? Math.abs(a.x - b.x) : Math.abs(a.y - b.y);
      var along = narrow ? Math.abs(a.y - b.y) : Math.abs(a.x - b.x);
      if (across < 1 && along > 0) {
        e.data("arc", -Math.max(30, Math.min(160, along * 0.18)));
        e.addClass("arc");
      }
    });
    cy.fit(undefined, 24);
  });
  layout.run();
  cy.on("tap", "node", function (evt) {
    var url = evt.target.data("url");
    if (url) {
      window.location.href = url;
    }
  });
  cy.on("mouseover", "node", function () { box.style.cursor = "pointer"; });
  cy.on("mouseout", "node", function () { box.style.cursor = ""; });
  box.cy = cy; // for tests and the console
  box.setAttribute("data-drawn", String(cy.nodes().length));
})();
