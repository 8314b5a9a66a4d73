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
  var none = document.createElement("p");
  none.className = "panel-none";
  panel.appendChild(none);
  var shown = null;
  function show(p) {
    var s = sections[p.id] || null;
    if (shown && shown !== s) { shown.hidden = true; }
    if (s) { s.hidden = false; }
    shown = s;
    none.hidden = !!s;
    none.textContent = s ? "" : "No claim is made in paragraph " + p.id.slice(2) + ".";
    panel.hidden = false;
  }
  // the paragraph in view: the last one whose top is above a quarter of the window's height
  var paras = Array.prototype.slice.call(article.querySelectorAll("p.para"));
  var current = null;
  function update() {
    var line = window.innerHeight * 0.25, found = paras.length ? paras[0] : null;
    for (var i = 0; i < paras.length; i++) {
      if (paras[i].getBoundingClientRect().top <= line) { found = paras[i]; } else { break; }
    }
    if (found && found !== current) { current = found; show(found); }
  }
  // a link to a passage (#a-…, #p-…) shows the claims of the paragraph holding it, until the reader scrolls on
  var pinnedAt = null;
  function fromHash() {
    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    var p = target && target.closest ? target.closest("p.para") : null;
    if (!p) { pinnedAt = null; update(); return; }
    current = p;
    show(p);
    pinnedAt = window.scrollY;
  }
  var pending = false;
  window.addEventListener("scroll", function () {
    if (pinnedAt !== null && Math.abs(window.scrollY - pinnedAt) < 80) { return; }
    pinnedAt = null;
    if (!pending) { pending = true; window.requestAnimationFrame(function () { pending = false; update(); }); }
  }, { passive: true });
  window.addEventListener("hashchange", fromHash);
  window.addEventListener("load", function () { if (location.hash) { fromHash(); } });
  fromHash();
}());
