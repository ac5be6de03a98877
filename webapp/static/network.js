// The interactive network view (cytoscape.js). Without it, the table of links below the figure is the view.
(function () {
  "use strict";
  var holder = document.getElementById("network");
  var dataNode = document.getElementById("network-data");
  if (!holder || !dataNode || typeof window.cytoscape === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var elements = data.nodes.map(function (n) {
    return { data: { id: n.id, label: n.label, href: n.href, type: n.type }, classes: n.centre ? "centre" : "" };
  }).concat(data.edges.map(function (e) {
    return { data: { id: e.id, source: e.source, target: e.target, label: e.label } };
  }));
  holder.hidden = false;
  var cy = window.cytoscape({
    container: holder,
    elements: elements,
    layout: { name: "concentric", animate: false, minNodeSpacing: 60, levelWidth: function () { return 1; },
      concentric: function (node) { return node.hasClass("centre") ? 2 : 1; } },
    style: [
      { selector: "node", style: { "background-color": "#0065bd", label: "data(label)", "font-size": 10,
          "text-wrap": "ellipsis", "text-max-width": 130, width: 18, height: 18, color: "#1a1a1a", "text-valign": "bottom", "text-margin-y": 4 } },
      { selector: "node.centre", style: { "background-color": "#002d54", width: 40, height: 40, "font-weight": "bold" } },
      { selector: "edge", style: { width: 1.5, "line-color": "#8fc3ea", "target-arrow-color": "#8fc3ea",
          "target-arrow-shape": "triangle", "curve-style": "bezier", "font-size": 10, color: "#1a1a1a",
          "text-background-color": "#fff", "text-background-opacity": 0.9 } },
      { selector: "edge.hover", style: { label: "data(label)", "line-color": "#0065bd", width: 3 } }
    ]
  });
  cy.on("tap", "node", function (event) {
    var href = event.target.data("href");
    if (href) { window.location.href = href; }
  });
  cy.on("mouseover", "node", function (event) { event.target.connectedEdges().addClass("hover"); });
  cy.on("mouseout", "node", function (event) { event.target.connectedEdges().removeClass("hover"); });
  window.alignkbNetwork = cy;
})();
