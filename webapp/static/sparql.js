// The YASGUI editor, pre-loaded with the project's prefixes and example queries. Without it the plain form works.
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var configNode = document.getElementById("sparql-config");
  if (!holder || !configNode || typeof window.Yasgui === "undefined") { return; }
  var config = JSON.parse(configNode.textContent);
  var form = document.getElementById("sparql-form");
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Declare the prefixes a query uses, so the editor can check and complete it (the endpoint declares them too).
  function withPrefixes(text) {
    var header = "";
    Object.keys(config.prefixes).forEach(function (prefix) {
      var declared = new RegExp("PREFIX\\s+" + prefix + ":", "i").test(text);
      if (!declared && new RegExp("(^|[\\s(/^|])" + prefix + ":").test(text)) {
        header += "PREFIX " + prefix + ": <" + config.prefixes[prefix] + ">\n";
      }
    });
    return header + text;
  }

  holder.hidden = false;
  var yasgui = new window.Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null
  });
  var first = yasgui.getTab();
  first.setQuery(withPrefixes(document.getElementById("query").value));
  config.examples.forEach(function (example) {
    yasgui.addTab(false, { name: example.title, yasqe: { value: withPrefixes(example.text) } });
  });
  if (form) { form.hidden = true; }
  window.alignkbYasgui = yasgui;

  // YASGUI's own markup misses a few accessibility details (WCAG 2.1 AA, checked by axe-core in the tests):
  // unlabelled inputs, tabs pointing at panels that are not rendered, and a button inside the tab list.
  function repairAccessibility() {
    holder.querySelectorAll(".CodeMirror textarea").forEach(function (el) {
      el.setAttribute("aria-label", "SPARQL query");
    });
    holder.querySelectorAll("input.autocomplete").forEach(function (el) {
      el.setAttribute("aria-label", "SPARQL endpoint address");
    });
    holder.querySelectorAll("select.tableSizer").forEach(function (el) {
      if (!el.hasAttribute("aria-label")) { el.setAttribute("aria-label", "Rows shown on each page of results"); }
    });
    holder.querySelectorAll(".yasr select:not([aria-label]), .yasr input:not([aria-label])").forEach(function (el) {
      if (!el.labels || el.labels.length === 0) { el.setAttribute("aria-label", el.getAttribute("title") || el.getAttribute("placeholder") || "Results option"); }
    });
    holder.querySelectorAll(".tabsList a[role=tab]").forEach(function (tab) {
      var panel = tab.getAttribute("aria-controls");
      if (panel && !document.getElementById(panel)) { tab.removeAttribute("aria-controls"); }
      if (!tab.hasAttribute("aria-selected")) { tab.setAttribute("aria-selected", "false"); }
      tab.querySelectorAll("input").forEach(function (el) { el.setAttribute("aria-label", "Tab name"); });
    });
    holder.querySelectorAll(".tabsList").forEach(function (list) {
      var add = list.querySelector(".addTab");
      if (add && add.parentElement && add.parentElement.parentElement === list) {
        list.parentElement.insertBefore(add.parentElement, list.nextSibling);
      }
    });
  }
  repairAccessibility();
  var observer = new MutationObserver(function () {
    observer.disconnect();
    repairAccessibility();
    observer.observe(holder, { childList: true, subtree: true });
  });
  observer.observe(holder, { childList: true, subtree: true });
})();
