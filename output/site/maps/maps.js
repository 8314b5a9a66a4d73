/* kg maps: zoom, pan, hover and search for the SVG maps of the site. No dependencies, no build step.
   Every map sits in a <div class="map-viewport"> with an inline <svg class="map">; without JavaScript
   the viewport simply scrolls and every node is a plain link. */
(function () {
  "use strict";

  function setup(viewport) {
    var svg = viewport.querySelector("svg.map");
    if (!svg) return;
    var full = svg.viewBox.baseVal;
    var home = { x: full.x, y: full.y, w: full.width, h: full.height };
    var view = { x: home.x, y: home.y, w: home.w, h: home.h };
    viewport.classList.add("js");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMin meet");

    // never start larger than life: a small map keeps its natural size, centred
    (function () {
      var r = svg.getBoundingClientRect();
      if (r.width > home.w && r.height > 0) {
        var w = r.width, h = Math.max(home.h, r.height);
        home = { x: home.x - (w - home.w) / 2, y: home.y, w: w, h: h };
        view = { x: home.x, y: home.y, w: home.w, h: home.h };
      }
    })();

    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) { return v.toFixed(1); }).join(" "));
    }
    function scale() {  // screen pixels per SVG unit
      var r = svg.getBoundingClientRect();
      return Math.min(r.width / view.w, r.height / view.h);
    }
    function toSvg(clientX, clientY) {
      var r = svg.getBoundingClientRect(), s = scale();
      var offX = (r.width - view.w * s) / 2;  // xMidYMin: centred horizontally, top aligned
      return { x: view.x + (clientX - r.left - offX) / s, y: view.y + (clientY - r.top) / s };
    }
    function zoom(factor, cx, cy) {
      var w = Math.max(80, Math.min(home.w * 4, view.w / factor));
      var k = w / view.w;
      if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
      view.x = cx - (cx - view.x) * k;
      view.y = cy - (cy - view.y) * k;
      view.w = w;
      view.h = view.h * k;
      apply();
    }
    function reset() { view = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); }
    function focusOn(node, level) {
      var b = node.getBBox(), w = Math.min(home.w, Math.max(b.width * (level || 4), 700));
      var r = svg.getBoundingClientRect();
      var h = w * (r.height / Math.max(r.width, 1) || 0.6);
      view = { x: b.x + b.width / 2 - w / 2, y: b.y + b.height / 2 - h / 2, w: w, h: h };
      apply();
    }

    // wheel zoom around the pointer
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = toSvg(ev.clientX, ev.clientY);
      zoom(ev.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
    }, { passive: false });

    // drag to pan; a drag is not a click
    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
      moved = false;
    });
    window.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      moved = true;
      viewport.classList.add("dragging");
      var s = scale();
      view.x = drag.vx - dx / s;
      view.y = drag.vy - dy / s;
      apply();
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      viewport.classList.remove("dragging");
    });
    svg.addEventListener("click", function (ev) {
      if (moved) { ev.preventDefault(); ev.stopPropagation(); moved = false; }
    }, true);

    // hover: a tooltip with the claim's text, and the node's links highlighted
    var tip = document.createElement("div");
    tip.className = "map-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    viewport.appendChild(tip);
    var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
    var byIri = {};
    Array.prototype.forEach.call(svg.querySelectorAll(".node"), function (n) { byIri[n.getAttribute("data-iri")] = n; });

    function highlight(node, on) {
      var iri = node.getAttribute("data-iri");
      svg.classList.toggle("dim", on);
      node.classList.toggle("hl", on);
      edges.forEach(function (e) {
        var s = e.getAttribute("data-source"), t = e.getAttribute("data-target");
        if (s === iri || t === iri) {
          e.classList.toggle("hl", on);
          var other = byIri[s === iri ? t : s];
          if (other) other.classList.toggle("hl", on);
        }
      });
    }
    function show(node, ev) {
      var t = node.querySelector("title");
      tip.textContent = t ? t.textContent : "";
      tip.hidden = false;
      var r = viewport.getBoundingClientRect();
      var x = (ev ? ev.clientX : node.getBoundingClientRect().left) - r.left + 14;
      var y = (ev ? ev.clientY : node.getBoundingClientRect().bottom) - r.top + 14;
      tip.style.left = Math.min(x, r.width - 320) + "px";
      tip.style.top = y + "px";
    }
    Object.keys(byIri).forEach(function (iri) {
      var node = byIri[iri];
      node.addEventListener("pointerenter", function (ev) { if (!drag) { highlight(node, true); show(node, ev); } });
      node.addEventListener("pointermove", function (ev) { if (!drag) show(node, ev); });
      node.addEventListener("pointerleave", function () { highlight(node, false); tip.hidden = true; });
      var a = node.querySelector("a");
      if (a) {
        a.addEventListener("focus", function () { highlight(node, true); show(node, null); });
        a.addEventListener("blur", function () { highlight(node, false); tip.hidden = true; });
      }
    });

    // toolbar
    var bar = viewport.parentNode.querySelector(".map-toolbar");
    if (bar) {
      bar.hidden = false;
      bar.querySelector("[data-zoom=in]").addEventListener("click", function () { zoom(1.3); });
      bar.querySelector("[data-zoom=out]").addEventListener("click", function () { zoom(1 / 1.3); });
      bar.querySelector("[data-zoom=reset]").addEventListener("click", reset);
      var search = bar.querySelector("input[type=search]");
      if (search) {
        search.addEventListener("input", function () {
          var q = search.value.trim().toLowerCase(), first = null;
          Object.keys(byIri).forEach(function (iri) {
            var n = byIri[iri], t = n.querySelector("title");
            var hit = q.length > 1 && ((t && t.textContent.toLowerCase().indexOf(q) >= 0) || n.textContent.toLowerCase().indexOf(q) >= 0);
            n.classList.toggle("match", hit);
            if (hit && !first) first = n;
          });
          svg.classList.toggle("searching", q.length > 1);
          if (first) focusOn(first, 3);
        });
      }
    }

    // #slug in the address: show that node
    var slug = decodeURIComponent((location.hash || "").slice(1));
    if (slug) {
      var target = null;
      Object.keys(byIri).forEach(function (iri) { if (!target && iri.slice(-slug.length - 1) === "/" + slug) target = byIri[iri]; });
      if (target) { target.classList.add("focus"); focusOn(target, 4); }
    }
    // The argument map (a tree read from the thesis down) opens readable, the central thesis in
    // the middle of the top, with a minimap of the whole; every other map opens at "Fit", all of
    // its nodes on screen. "Fit" shows the whole map in either case.
    var first = svg.querySelector(".node-central") || svg.querySelector(".node");
    var zoomed = false;
    if (!slug && first && svg.classList.contains("map-argument") && scale() < 0.55) {
      var r0 = svg.getBoundingClientRect(), b0 = first.getBBox();
      var w0 = r0.width / 0.75, h0 = r0.height / 0.75;
      var x0 = b0.x + b0.width + 40 <= home.x + w0 ? home.x : Math.max(home.x, Math.min(b0.x + b0.width / 2 - w0 / 2, home.x + home.w - w0));
      view = { x: x0, y: home.y, w: w0, h: h0 };
      zoomed = true;
    }
    apply();
    if (zoomed || svg.classList.contains("map-argument")) minimap();

    // the minimap: the nodes as small boxes, the part on screen framed; a click or a drag on it
    // moves the view there (it is a picture for the pointer: hidden from assistive technology,
    // whose users have the lists below the map)
    function minimap() {
      var NS = "http://www.w3.org/2000/svg";
      var mini = document.createElementNS(NS, "svg");
      mini.setAttribute("class", "map-minimap");
      mini.setAttribute("aria-hidden", "true");
      mini.setAttribute("focusable", "false");
      mini.setAttribute("viewBox", [home.x, home.y, home.w, home.h].join(" "));
      mini.setAttribute("preserveAspectRatio", "xMidYMid meet");
      Array.prototype.forEach.call(svg.querySelectorAll(".node"), function (n) {
        var b = n.getBBox(), box = n.querySelector(".box");
        var r = document.createElementNS(NS, "rect");
        r.setAttribute("x", b.x); r.setAttribute("y", b.y); r.setAttribute("width", b.width); r.setAttribute("height", b.height);
        r.setAttribute("fill", box ? (box.getAttribute("fill") || "#c9d3e0") : "#c9d3e0");
        r.setAttribute("stroke", "#556"); r.setAttribute("stroke-width", home.w / 400);
        mini.appendChild(r);
      });
      var frame = document.createElementNS(NS, "rect");
      frame.setAttribute("class", "map-minimap-view");
      frame.setAttribute("fill", "rgba(45,58,74,.12)"); frame.setAttribute("stroke", "#b3261e");
      frame.setAttribute("stroke-width", home.w / 250);
      mini.appendChild(frame);
      viewport.appendChild(mini);
      function sync() {
        frame.setAttribute("x", view.x); frame.setAttribute("y", view.y);
        frame.setAttribute("width", view.w); frame.setAttribute("height", view.h);
      }
      var applyView = apply;
      apply = function () { applyView(); sync(); };
      sync();
      var dragging = false;
      function moveTo(ev) {
        var r = mini.getBoundingClientRect(), k = Math.min(r.width / home.w, r.height / home.h);
        var offX = (r.width - home.w * k) / 2, offY = (r.height - home.h * k) / 2;
        view.x = home.x + (ev.clientX - r.left - offX) / k - view.w / 2;
        view.y = home.y + (ev.clientY - r.top - offY) / k - view.h / 2;
        apply();
      }
      mini.addEventListener("pointerdown", function (ev) { dragging = true; moveTo(ev); ev.stopPropagation(); });
      mini.addEventListener("pointermove", function (ev) { if (dragging) moveTo(ev); });
      window.addEventListener("pointerup", function () { dragging = false; });
    }
    viewport.setAttribute("data-ready", "true");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".map-viewport"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
