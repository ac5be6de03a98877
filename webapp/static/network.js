// The network view's interactive layer: the same grouped, capped neighbourhood the server draws as a picture and
// lists as text, laid out by cytoscape.js so that it can be dragged, zoomed and followed (select a name to open its
// page). Without JavaScript, or before the button is pressed, the picture and the list are the page.
(function () {
  "use strict";
  var button = document.getElementById("network-interactive-toggle");
  var holder = document.getElementById("network-interactive");
  if (!button || !holder || typeof window.cytoscape !== "function") {
    return;
  }
  var cy = null;

  function short(text, most) {
    return text.length > most ? text.slice(0, most - 1) + "\u2026" : text;
  }

  // One compound box per kind of link (as in the picture), holding its members; one edge between the box and the
  // entity, pointing the way the link points. Positions follow the picture: what points at the entity on the left,
  // what it points at on the right, the entity between them; the reader can then drag and zoom.
  function elements(data) {
    var out = [];
    var centreId = data.centre.iri;
    var row = 24;
    var gap = 70;
    var side = { "in": { x: -420, y: 0 }, out: { x: 260, y: 0 } };
    data.groups.forEach(function (group) {
      var box = "group:" + group.key;
      var place = side[group.direction];
      var title = group.direction === "out" ? group.property.label : "have it as \u201c" + group.property.label + "\u201d";
      out.push({ data: { id: box, label: title + " (" + group.count + ")" }, classes: "group " + group.direction });
      group.members.forEach(function (member) {
        out.push({
          data: { id: box + "|" + member.id, parent: box, label: short(member.label, 40), href: member.href },
          classes: "member",
          position: { x: place.x, y: place.y },
        });
        place.y += row;
      });
      if (group.hidden && group.more_href) {
        out.push({
          data: { id: box + "|more", parent: box, label: group.hidden + " more: show all", href: group.more_href },
          classes: "more",
          position: { x: place.x, y: place.y },
        });
        place.y += row;
      }
      place.y += gap;
      var edge = group.direction === "out" ? { source: centreId, target: box } : { source: box, target: centreId };
      edge.id = "edge:" + group.key;
      out.push({ data: edge, classes: group.direction });
    });
    var tallest = Math.max(side["in"].y, side.out.y);
    out.unshift({
      data: { id: centreId, label: short(data.centre.label, 60), href: data.centre.href },
      classes: "centre",
      position: { x: 0, y: Math.max(tallest - gap, 0) / 2 },
    });
    return out;
  }

  function draw(data) {
    cy = window.cytoscape({
      container: holder,
      elements: elements(data),
      wheelSensitivity: 0.2,
      minZoom: 0.2,
      maxZoom: 3,
      style: [
        {
          selector: "node",
          style: {
            label: "data(label)",
            "font-size": 12,
            "text-valign": "center",
            "text-halign": "right",
            "text-margin-x": 4,
            width: 10,
            height: 10,
            "background-color": "#0065bd",
            color: "#333333",
          },
        },
        {
          selector: "node.centre",
          style: {
            "background-color": "#002d54",
            width: 28,
            height: 28,
            "font-size": 15,
            "font-weight": "bold",
            "text-valign": "bottom",
            "text-halign": "center",
            "text-margin-y": 6,
          },
        },
        {
          selector: "node.group",
          style: {
            "background-color": "#f8f8f8",
            "border-color": "#b3b3b3",
            "border-width": 1,
            shape: "round-rectangle",
            padding: 12,
            "text-valign": "top",
            "text-halign": "center",
            "font-weight": "bold",
          },
        },
        { selector: "node.more", style: { "background-color": "#ffffff", "border-color": "#0065bd", "border-width": 2 } },
        {
          selector: "edge",
          style: {
            width: 2,
            "line-color": "#5e5e5e",
            "target-arrow-color": "#5e5e5e",
            "target-arrow-shape": "triangle",
            "curve-style": "bezier",
          },
        },
        { selector: "node:selected", style: { "border-color": "#fdd522", "border-width": 4 } },
      ],
      layout: { name: "preset", fit: true, padding: 24 },
    });
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href) {
        window.location.assign(href);
      }
    });
    holder.setAttribute("data-nodes", String(cy.nodes().length));
    holder.setAttribute("data-edges", String(cy.edges().length));
  }

  function url() {
    return window.location.pathname + ".json" + window.location.search;
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    if (open) {
      holder.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.textContent = "Explore the picture interactively";
      return;
    }
    holder.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Close the interactive picture";
    if (cy) {
      cy.resize();
      return;
    }
    holder.setAttribute("aria-busy", "true");
    fetch(url(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status + " " + response.statusText);
        }
        return response.json();
      })
      .then(function (data) {
        draw(data);
      })
      .catch(function (error) {
        holder.textContent = "The interactive picture could not be drawn (" + error.message + "); the picture above "
          + "and the list below show the same links.";
      })
      .finally(function () {
        holder.removeAttribute("aria-busy");
      });
  });
})();
