// The YASGUI page: the vendored editor (yasgui.min.js, MIT, see yasgui.LICENSE.txt) pointed at this
// site's endpoint, with the cookbook's examples. Autocompletion that would ask remote services
// (prefix.cc, LOV) is switched off: the page makes no request outside this site.
(function () {
  "use strict";
  var endpoint = new URL(document.getElementById("yasgui").getAttribute("data-endpoint"), location.href).href;
  if (Yasgui.Yasqe && Yasgui.Yasqe.defaults) {
    Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  }
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } }
  });
  window.kgYasgui = yasgui;
  // WCAG 2.1 AA (axe-core, tests/test_pages_browser.py): YASGUI's inputs get names, and its
  // "add tab" button leaves the tab list (a tablist may hold only tabs); again whenever it redraws.
  var root = document.getElementById("yasgui");
  function accessible() {
    Array.prototype.forEach.call(root.querySelectorAll("input.autocomplete:not([aria-label])"), function (el) {
      el.setAttribute("aria-label", "SPARQL endpoint");
    });
    Array.prototype.forEach.call(root.querySelectorAll(".yasqe textarea:not([aria-label])"), function (el) {
      el.setAttribute("aria-label", "SPARQL query");
    });
    Array.prototype.forEach.call(root.querySelectorAll(".tab input:not([aria-label])"), function (el) {
      el.setAttribute("aria-label", "Tab name");
    });
    Array.prototype.forEach.call(root.querySelectorAll("textarea:not([aria-label]), input:not([aria-label]):not([type=hidden])"), function (el) {
      if (!el.labels || !el.labels.length) el.setAttribute("aria-label", el.getAttribute("placeholder") || "YASGUI setting");
    });
    Array.prototype.forEach.call(root.querySelectorAll("[role=tablist] > * > button, [role=tablist] > button"), function (b) {
      var item = b.parentNode.getAttribute("role") === "tablist" ? b : b.parentNode, list = item.parentNode;
      b.classList.add("kg-add-tab");
      list.parentNode.insertBefore(item, list.nextSibling);
    });
  }
  accessible();
  new MutationObserver(accessible).observe(root, { childList: true, subtree: true });
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var select = document.getElementById("example");
  select.addEventListener("change", function () {
    examples.forEach(function (e) {
      if (e.name === select.value) { yasgui.getTab().setQuery(e.query); }
    });
  });
})();
