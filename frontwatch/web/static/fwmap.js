/* frontwatch map drawing, shared by the web map and the situation report.
   Every string from a report is put in the page with textContent or as a DOM text node, never as HTML. */
(function (global) {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function safeHref(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url.trim()) ? url.trim() : null;
  }

  function baseMap(container, borders, opts) {
    opts = opts || {};
    var map = L.map(container, { zoomControl: true, preferCanvas: false, attributionControl: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Borders: Natural Earth via world-atlas");
    var bordersLayer = L.geoJSON(borders, {
      style: function (f) {
        var ua = f.properties && f.properties.name === "Ukraine";
        return { color: "#777", weight: ua ? 1.6 : 0.8, fillColor: ua ? "#fbfaf5" : "#eeeeea", fillOpacity: 1 };
      },
      interactive: false,
    }).addTo(map);
    var layers = { borders: bordersLayer };
    if (opts.onlineTiles) {
      // Optional and off by default: the map must work without any network access.
      layers.tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 18, attribution: "© OpenStreetMap contributors",
      });
    }
    map.setView(opts.center || [48.8, 36.5], opts.zoom || 7);
    return { map: map, layers: layers };
  }

  function placeIcon(state) {
    var root = el("div", "fw-place fw-" + state.controller);
    root.setAttribute("data-name", state.place);
    root.setAttribute("data-id", state.id);
    root.setAttribute("data-controller", state.controller);
    var dot = el("span", "fw-dot");
    dot.style.background = state.colour;
    if (state.reported) {
      // A change reported but not confirmed: the held state stays the dot, the claim is a ring.
      root.className += " fw-reported";
      root.setAttribute("data-reported", state.reported);
      dot.style.outline = "2px dashed " + (state.reported_colour || "#666");
      dot.style.outlineOffset = "1px";
    }
    root.appendChild(dot);
    root.appendChild(el("span", "fw-label", state.place));
    return L.divIcon({ html: root, className: "fw-place-icon", iconSize: null, iconAnchor: [7, 7] });
  }

  function placeLayer(states, onClick) {
    var group = L.layerGroup();
    states.forEach(function (s) {
      if (s.latitude == null || s.longitude == null) return;
      var m = L.marker([s.latitude, s.longitude], {
        icon: placeIcon(s), keyboard: true, riseOnHover: true,
        title: s.place + ": " + s.controller + (s.reported ? " (reported " + s.reported + ", not confirmed)" : ""),
        zIndexOffset: 1000,
      });
      if (onClick) m.on("click", function () { onClick(s); });
      m.addTo(group);
    });
    return group;
  }

  function eventPopup(ev) {
    var box = el("div", "fw-popup");
    box.appendChild(el("strong", null, ev.style.symbol + " " + ev.style.label));
    box.appendChild(el("div", "fw-muted", (ev.location.name || "") + " · " + ev.day));
    if (ev.fatalities) box.appendChild(el("div", null, ev.fatalities + " killed"));
    if (ev.evidence && ev.evidence.length) box.appendChild(el("q", null, ev.evidence[0].text));
    return box;
  }

  function eventLayer(events) {
    var group = L.layerGroup();
    var seen = {};
    events.forEach(function (ev) {
      var loc = ev.location;
      if (!loc || loc.latitude == null || loc.longitude == null) return;
      // Offset events at the same spot so their symbols do not hide each other or the settlement.
      var key = loc.latitude.toFixed(3) + "," + loc.longitude.toFixed(3);
      var k = (seen[key] = (seen[key] || 0) + 1);
      var icon = el("div", "fw-event");
      icon.setAttribute("data-kind", ev.kind);
      icon.style.color = ev.style.colour;
      icon.textContent = ev.style.symbol;
      var m = L.marker([loc.latitude, loc.longitude], {
        icon: L.divIcon({ html: icon, className: "fw-event-icon", iconSize: [18, 18], iconAnchor: [-4 - 14 * (k - 1), 22] }),
        title: ev.style.label,
      });
      m.bindPopup(function () { return eventPopup(ev); });
      m.addTo(group);
    });
    return group;
  }

  function legend(map, styleData) {
    var ctl = L.control({ position: "bottomleft" });
    ctl.onAdd = function () {
      var box = el("div", "fw-legend");
      Object.keys(styleData.controllers).forEach(function (k) {
        var row = el("div");
        var dot = el("span", "fw-dot");
        dot.style.background = styleData.controllers[k].colour;
        row.appendChild(dot);
        row.appendChild(document.createTextNode(" " + styleData.controllers[k].label));
        box.appendChild(row);
      });
      var seen = {};
      Object.keys(styleData.kinds).forEach(function (k) {
        var s = styleData.kinds[k];
        var g = styleData.groups[s.group];
        if (seen[s.group]) return;
        seen[s.group] = true;
        var row = el("div");
        var sym = el("span", "fw-sym", s.symbol);
        sym.style.color = g.colour;
        row.appendChild(sym);
        row.appendChild(document.createTextNode(" " + g.label));
        box.appendChild(row);
      });
      return box;
    };
    ctl.addTo(map);
    return ctl;
  }

  function fitTo(map, states) {
    var pts = states.filter(function (s) { return s.latitude != null; }).map(function (s) { return [s.latitude, s.longitude]; });
    if (pts.length > 1) map.fitBounds(pts, { padding: [40, 40], maxZoom: 8 });
    else if (pts.length === 1) map.setView(pts[0], 8);
  }

  global.FW = { el: el, safeHref: safeHref, baseMap: baseMap, placeLayer: placeLayer, eventLayer: eventLayer, legend: legend, fitTo: fitTo };
})(window);
