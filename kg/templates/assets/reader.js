// The reader's two additions to the page (everything else is in the HTML): the switch between the
// corrected and the printed text, and the side panel with the claims of the paragraph in view.
(function () {
  "use strict";
  var article = document.querySelector("article.reader");
  if (!article) { return; }
  var tools = document.getElementById("reader-tools");
  var button = document.createElement("button");
  button.type = "button";
  button.id = "printed-switch";
  button.setAttribute("aria-pressed", "false");
  button.textContent = "Show the printed text";
  button.addEventListener("click", function () {
    var printed = article.classList.toggle("printed");
    button.setAttribute("aria-pressed", printed ? "true" : "false");
    button.textContent = printed ? "Show the corrected text" : "Show the printed text";
  });
  tools.appendChild(button);

  var panel = document.getElementById("claims-panel");
  if (!panel) { return; }
  var sections = {};
  panel.querySelectorAll("section[data-for]").forEach(function (s) { sections[s.getAttribute("data-for")] = s; });
  var shown = null;
  function show(id) {
    var s = sections[id];
    if (!s || s === shown) { return; }
    if (shown) { shown.hidden = true; }
    s.hidden = false;
    shown = s;
    panel.hidden = false;
  }
  var visible = new Map();
  function pick() {
    var best = null, bestTop = Infinity;
    visible.forEach(function (top, id) { if (top < bestTop) { best = id; bestTop = top; } });
    if (best) { show(best); }
  }
  var paras = article.querySelectorAll("p.para[data-claims]");
  if ("IntersectionObserver" in window) {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { visible.set(e.target.id, e.boundingClientRect.top); } else { visible.delete(e.target.id); }
      });
      pick();
    }, { rootMargin: "0px 0px -40% 0px" });
    paras.forEach(function (p) { io.observe(p); });
  }
  function fromHash() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var p = target && target.closest ? target.closest("p.para") : null;
    if (p && sections[p.id]) { show(p.id); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  if (!shown && paras.length) { show(paras[0].id); }
}());
