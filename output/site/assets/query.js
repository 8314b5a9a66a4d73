// The query page: runs SPARQL against the endpoint (POST, form-encoded) and shows the rows as a
// table; IRIs of this dataset link to their pages on this site.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var idBase = form.getAttribute("data-id-base");
  var textarea = document.getElementById("query");
  var select = document.getElementById("example");
  var comment = document.getElementById("example-comment");
  var statusEl = document.getElementById("status");
  var results = document.getElementById("results");
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var byName = {};
  examples.forEach(function (e) { byName[e.name] = e; });

  function pick(name) {
    var e = byName[name];
    if (!e) { return; }
    select.value = name;
    textarea.value = e.query;
    comment.textContent = e.comment;
  }
  select.addEventListener("change", function () { pick(select.value); });
  var hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  if (hash && byName[hash]) { pick(hash); }

  // Permalinks (query?query=…, or query.html?query=… on a static copy) and downloads (the endpoint
  // with ?format= and ?download=, which answers with Content-Disposition: attachment).
  var links = document.getElementById("query-links");
  function updateLinks() {
    var q = encodeURIComponent(textarea.value);
    var page = /\.html$/.test(location.pathname) ? "query.html" : "query";
    document.getElementById("permalink").href = page + "?query=" + q;
    var endpoint = document.getElementById("endpoint").value;
    ["csv", "tsv", "json"].forEach(function (f) {
      document.getElementById("download-" + f).href = endpoint + "?query=" + q + "&format=" + f + "&download=results";
    });
    links.hidden = false;
  }
  textarea.addEventListener("input", updateLinks);
  var given = new URLSearchParams(location.search).get("query");

  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = document.createElement("a");
      var v = term.value;
      a.href = v.indexOf(idBase) === 0 ? "id/" + v.slice(idBase.length) + ".html" : v;
      a.textContent = v.indexOf(idBase) === 0 ? "kg:" + v.slice(idBase.length) : v;
      a.title = v;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) { td.title = "@" + term["xml:lang"]; }
      else if (term.datatype) { td.title = term.datatype; }
    }
    return td;
  }

  function table(data) {
    var vars = data.head.vars || [];
    var t = document.createElement("table");
    t.id = "result-table";
    var tr = document.createElement("tr");
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; tr.appendChild(th); });
    var thead = document.createElement("thead"); thead.appendChild(tr); t.appendChild(thead);
    var tbody = document.createElement("tbody");
    data.results.bindings.forEach(function (b) {
      var row = document.createElement("tr");
      vars.forEach(function (v) { row.appendChild(cell(b[v])); });
      tbody.appendChild(row);
    });
    t.appendChild(tbody);
    return t;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    updateLinks();
    var started = performance.now();
    statusEl.textContent = "running…";
    results.textContent = "";
    fetch(document.getElementById("endpoint").value, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: "query=" + encodeURIComponent(textarea.value)
    }).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      return resp.text().then(function (body) { return { resp: resp, type: type, body: body }; });
    }).then(function (r) {
      var ms = Math.round(performance.now() - started);
      if (!r.resp.ok) {
        var msg = r.body;
        try { var e = JSON.parse(r.body); msg = e.message + (e.hint ? " — " + e.hint : ""); } catch (x) { /* not JSON */ }
        statusEl.textContent = "";
        var p = document.createElement("p"); p.className = "error"; p.textContent = "Error " + r.resp.status + ": " + msg;
        results.appendChild(p);
        return;
      }
      if (r.type.indexOf("sparql-results+json") >= 0) {
        var data = JSON.parse(r.body);
        if (typeof data.boolean === "boolean") {
          statusEl.textContent = "answer: " + data.boolean + " (" + ms + " ms)";
          return;
        }
        statusEl.textContent = data.results.bindings.length + " rows (" + ms + " ms)";
        results.appendChild(table(data));
      } else {
        statusEl.textContent = "graph (" + ms + " ms)";
        var pre = document.createElement("pre"); pre.textContent = r.body; results.appendChild(pre);
      }
    }).catch(function (err) {
      statusEl.textContent = "";
      var p = document.createElement("p"); p.className = "error";
      p.textContent = "The endpoint could not be reached (" + err + "). On a static copy of the site, set the endpoint field to a running `kg serve`.";
      results.appendChild(p);
    });
  });
  updateLinks();
  if (given !== null) {  // a permalink (or /sparql?query=… opened in a browser): fill in the query and run it
    textarea.value = given;
    updateLinks();
    form.requestSubmit();
  }
})();
