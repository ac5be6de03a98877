// Progressive enhancement: tables in scrollable regions, sortable tables, entity suggestions in forms, and focus
// on the answer after a form is sent. Pages work without it.
(function () {
  "use strict";
  // Every data table scrolls inside its own region (the design system's responsive table), never the page; a
  // region a keyboard cannot otherwise reach is made focusable and named after its table.
  document.querySelectorAll("main table.ds_table").forEach(function (table) {
    var region = table.parentElement;
    if (!region.classList.contains("ak-table-scroll")) {
      region = document.createElement("div");
      region.className = "ak-table-scroll";
      table.parentNode.insertBefore(region, table);
      region.appendChild(table);
    }
    if (!region.hasAttribute("tabindex")) {
      var caption = table.querySelector("caption");
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", caption && caption.textContent.trim() ? caption.textContent.trim() : "Table");
      region.setAttribute("tabindex", "0");
    }
  });
  function cellValue(row, index) {
    var cell = row.children[index];
    var text = cell ? cell.textContent.trim() : "";
    var number = Number(text.replace(/,/g, ""));
    return text !== "" && !isNaN(number) ? number : text.toLowerCase();
  }
  document.querySelectorAll("table.ak-sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          return (x > y ? 1 : x < y ? -1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  // The contents of a long page (the design system's side navigation) mark the part being read.
  var contents = document.querySelector(".ak-contents-nav");
  if (contents && "IntersectionObserver" in window) {
    var links = {};
    contents.querySelectorAll("a.ds_side-navigation__link[href^='#']").forEach(function (link) {
      links[link.getAttribute("href").slice(1)] = link;
    });
    var spy = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting || !links[entry.target.id]) { return; }
        Object.keys(links).forEach(function (id) {
          links[id].classList.remove("ds_current");
          links[id].removeAttribute("aria-current");
        });
        links[entry.target.id].classList.add("ds_current");
        links[entry.target.id].setAttribute("aria-current", "location");
      });
    }, { rootMargin: "0px 0px -75% 0px" });
    Object.keys(links).forEach(function (id) {
      var target = document.getElementById(id);
      if (target) { spy.observe(target); }
    });
  }
  // After a form is sent, focus goes to what came back: the error summary if there is a problem, else the
  // results heading (so a keyboard or screen reader user need not find their way down to it).
  var FLAG = "alignkb-focus-results";
  document.querySelectorAll("form.ak-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      try { window.sessionStorage.setItem(FLAG, form.getAttribute("action") || location.pathname); } catch (e) {}
    });
  });
  var sent = null;
  try { sent = window.sessionStorage.getItem(FLAG); window.sessionStorage.removeItem(FLAG); } catch (e) {}
  if (sent) {
    var target = document.querySelector(".ds_error-summary") || document.getElementById("results");
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  }
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) { return; }
      timer = setTimeout(function () {
        fetch("/search.json?q=" + encodeURIComponent(text)).then(function (r) { return r.json(); }).then(function (data) {
          list.textContent = "";
          (data.results || []).slice(0, 10).forEach(function (result) {
            var option = document.createElement("option");
            option.value = result.label;
            list.appendChild(option);
          });
        }).catch(function () {});
      }, 200);
    });
  });
})();
