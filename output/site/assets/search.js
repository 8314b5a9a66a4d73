// The site's search box (kg/templates/_search.html): loads search-index.json (written by the
// build) once, then matches every word typed against each resource's labels, alternative and
// hidden labels and claim texts, in the browser; no server is needed, so it works on a static host.
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  if (!form) { return; }
  var input = form.querySelector("input[type=search]");
  var list = form.querySelector(".search-results");
  var status = form.querySelector(".search-status");
  var root = form.getAttribute("data-root");
  var entries = null;
  var MAX = 20;

  function fold(s) {  // case and accents do not matter
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function load() {
    if (entries) { return Promise.resolve(entries); }
    return fetch(form.getAttribute("data-index")).then(function (r) {
      if (!r.ok) { throw new Error("search index: HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      entries = data.entries.map(function (e) {
        return {e: e, label: fold(e.label), alt: fold((e.alt || []).join(" \u2016 ")),
                hidden: fold((e.hidden || []).join(" \u2016 ")), text: fold(e.text || "")};
      });
      return entries;
    });
  }
  function score(x, words) {
    var s = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (x.label.indexOf(w) === 0) { s += 8; }
      else if (x.label.indexOf(w) >= 0) { s += 6; }
      else if (x.alt.indexOf(w) >= 0) { s += 4; }
      else if (x.hidden.indexOf(w) >= 0) { s += 3; }
      else if (x.text.indexOf(w) >= 0) { s += 1; }
      else { return 0; }
    }
    return s;
  }
  function show(q) {
    var words = fold(q).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var found = entries.map(function (x) { return [score(x, words), x]; })
      .filter(function (p) { return p[0] > 0; })
      .sort(function (a, b) { return b[0] - a[0] || (a[1].label < b[1].label ? -1 : a[1].label > b[1].label ? 1 : 0); });
    status.textContent = found.length ? found.length + " result" + (found.length === 1 ? "" : "s") +
      (found.length > MAX ? ", the first " + MAX + " shown" : "") : "No result for \u201c" + q + "\u201d";
    found.slice(0, MAX).forEach(function (p) {
      var e = p[1].e;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + "/" + e.href;
      a.textContent = e.label;
      li.appendChild(a);
      var small = document.createElement("small");
      small.textContent = " " + e.kind;
      li.appendChild(small);
      list.appendChild(li);
    });
  }
  input.addEventListener("input", function () {
    load().then(function () { show(input.value); }, function (err) { status.textContent = String(err.message || err); });
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = list.querySelector("a");
    if (first) { location.href = first.href; }
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; load().then(function () { show(q); }); }
})();
