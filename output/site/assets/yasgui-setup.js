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
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var select = document.getElementById("example");
  select.addEventListener("change", function () {
    examples.forEach(function (e) {
      if (e.name === select.value) { yasgui.getTab().setQuery(e.query); }
    });
  });
})();
