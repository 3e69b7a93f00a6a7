/* frontwatch web map: date slider, layer toggles, and a side panel with a settlement's timeline
   and evidence. All data from the API goes into the page through textContent (FW.el), never innerHTML. */
(function () {
  "use strict";
  var el = FW.el;
  var DAY = 86400000;
  var state = { meta: null, first: null, day: null, places: null, events: null, selected: null, style: null, seqLoad: 0, seqPlace: 0 };
  var slider = document.getElementById("day");
  var label = document.getElementById("day-label");
  var panel = document.getElementById("panel");

  function iso(d) { return new Date(d).toISOString().slice(0, 10); }
  function parse(s) { return Date.parse(s + "T00:00:00Z"); }
  function dayAt(i) { return iso(state.first + i * DAY); }
  function indexOf(s) { return Math.round((parse(s) - state.first) / DAY); }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function ctrlBadge(c) {
    var s = el("span", "ctrl", c || "unknown");
    var st = c && state.style.controllers[c];
    s.style.background = st ? st.colour : "#777";
    return s;
  }

  function link(url, text) {
    var href = FW.safeHref(url);
    if (!href) return null;
    var a = el("a", null, text);
    a.href = href;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }

  function eventCard(ev) {
    var card = el("div", "card");
    card.style.borderLeftColor = ev.style.colour;
    card.setAttribute("data-event", ev.event_id);
    var head = el("div", "head", ev.style.symbol + " " + ev.style.label + " · " + ev.day);
    if (ev.control && ev.control.to) head.appendChild(document.createTextNode(" → " + ev.control.to + " (" + ev.control.extent + ")"));
    if (ev.historical) head.appendChild(document.createTextNode(" (background)"));
    card.appendChild(head);
    (ev.claims || []).forEach(function (cl) {
      var row = el("div", "claim");
      row.appendChild(el("b", null, cl.claimant || "Unnamed source"));
      if (cl.side) {
        var badge = el("span", "side", cl.side);
        var st = state.style.controllers[cl.side];
        if (st) badge.style.background = st.colour;
        row.appendChild(document.createTextNode(" "));
        row.appendChild(badge);
      }
      var via = cl.via && cl.via.length ? " via " + cl.via.join(", ") : "";
      row.appendChild(document.createTextNode(" · " + cl.stance + via));
      if (cl.quote) row.appendChild(el("q", null, " " + cl.quote));
      card.appendChild(row);
    });
    (ev.evidence || []).forEach(function (e) { card.appendChild(el("blockquote", null, e.text)); });
    if (ev.fatalities != null) card.appendChild(el("div", null, ev.fatalities + " killed" + (ev.fatalities_text ? " (" + ev.fatalities_text + ")" : "")));
    var src = el("div", "src", (ev.report.source || "unknown source") + (ev.report.title ? ", “" + ev.report.title + "”" : "") + ", " + ev.report.date + " ");
    var a = link(ev.report.url, "link");
    if (a) src.appendChild(a);
    card.appendChild(src);
    return card;
  }

  function showPlace(id) {
    state.selected = id;
    var seq = ++state.seqPlace;
    getJSON("/api/places/" + encodeURIComponent(id) + "?on=" + state.day).then(function (p) {
      if (seq !== state.seqPlace) return;
      clear(panel);
      panel.setAttribute("data-place", p.name || "");
      var back = el("button", null, "◀ all settlements");
      back.type = "button";
      back.addEventListener("click", function () { state.selected = null; state.seqPlace++; showList(); });
      panel.appendChild(back);
      panel.appendChild(el("h2", null, p.name));
      var sub = el("div", "fw-muted", [p.admin1, p.country].filter(Boolean).join(", ") + (p.geonames_id ? " · GeoNames " + p.geonames_id : ""));
      panel.appendChild(sub);
      var now = el("p");
      now.appendChild(document.createTextNode("On " + p.on + ": "));
      now.appendChild(ctrlBadge(p.state ? p.state.controller : null));
      if (p.state && p.state.since) now.appendChild(document.createTextNode(" since " + p.state.since));
      if (p.state) now.appendChild(document.createTextNode(" · confidence " + p.state.confidence.toFixed(2)));
      if (p.state && p.state.reported) {
        now.appendChild(document.createTextNode(" · reported "));
        now.appendChild(ctrlBadge(p.state.reported));
        now.appendChild(document.createTextNode(", not confirmed"));
      }
      panel.appendChild(now);
      if (p.explanation) { panel.appendChild(el("h3", null, "Why")); panel.appendChild(el("div", "explain", p.explanation)); }
      panel.appendChild(el("h3", null, "Timeline"));
      var ul = el("ul", "timeline");
      p.timeline.forEach(function (t) {
        var li = el("li");
        var span = t.until ? (t.until !== t.from ? " – " + t.until : "") : " onwards";
        li.appendChild(document.createTextNode(t.from + span + " "));
        li.appendChild(ctrlBadge(t.controller));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
      panel.appendChild(el("h3", null, "Evidence (" + p.events.length + " events)"));
      p.events.slice().reverse().forEach(function (ev) { panel.appendChild(eventCard(ev)); });
    }).catch(function (err) { clear(panel); panel.appendChild(el("p", null, String(err))); });
  }

  function showList() {
    clear(panel);
    panel.removeAttribute("data-place");
    panel.appendChild(el("h2", null, "Settlements on " + state.day));
    if (!state.places || !state.places.length) { panel.appendChild(el("p", "fw-muted", "No control evidence up to this day.")); return; }
    var ul = el("ul", "placelist");
    state.places.forEach(function (s) {
      var li = el("li");
      li.appendChild(ctrlBadge(s.controller));
      li.appendChild(document.createTextNode(" " + s.place + (s.since ? " (since " + s.since + ")" : "") +
        (s.reported ? " · reported " + s.reported + ", not confirmed" : "")));
      li.addEventListener("click", function () { showPlace(s.id); });
      ul.appendChild(li);
    });
    panel.appendChild(ul);
    panel.appendChild(el("p", "fw-muted", "Click a settlement on the map or in this list for its timeline and evidence."));
  }

  var map, base, placeLayer = null, eventLayer = null;

  function toggle(layer, on) { if (!layer) return; if (on) layer.addTo(map); else map.removeLayer(layer); }

  function load(day) {
    state.day = day;
    label.textContent = day;
    slider.value = String(indexOf(day));
    var win = parseInt(document.getElementById("window").value, 10);
    var since = iso(parse(day) - (win - 1) * DAY);
    var seq = ++state.seqLoad;
    Promise.all([
      getJSON("/api/control?on=" + day),
      getJSON("/api/events?include_historical=false&since=" + since + "&until=" + day),
    ]).then(function (res) {
      if (seq !== state.seqLoad) return;
      state.places = res[0];
      state.events = res[1];
      if (placeLayer) map.removeLayer(placeLayer);
      if (eventLayer) map.removeLayer(eventLayer);
      placeLayer = FW.placeLayer(state.places, function (s) { showPlace(s.id); });
      eventLayer = FW.eventLayer(state.events);
      toggle(eventLayer, document.getElementById("layer-events").checked);
      toggle(placeLayer, document.getElementById("layer-places").checked);
      document.body.setAttribute("data-loaded-day", day);
      if (state.selected) showPlace(state.selected); else showList();
    }).catch(function (err) { clear(panel); panel.appendChild(el("p", null, String(err))); });
  }

  var timer = null;
  slider.addEventListener("input", function () {
    var d = dayAt(parseInt(slider.value, 10));
    label.textContent = d;
    clearTimeout(timer);
    timer = setTimeout(function () { load(d); }, 120);
  });
  slider.addEventListener("change", function () { clearTimeout(timer); load(dayAt(parseInt(slider.value, 10))); });

  function step(dir) {
    var days = state.meta.report_days;
    var next = dir > 0 ? days.find(function (d) { return d > state.day; }) : days.slice().reverse().find(function (d) { return d < state.day; });
    if (next) load(next);
  }
  document.getElementById("prev").addEventListener("click", function () { step(-1); });
  document.getElementById("next").addEventListener("click", function () { step(1); });
  document.getElementById("window").addEventListener("change", function () { load(state.day); });
  document.getElementById("layer-places").addEventListener("change", function (e) { toggle(placeLayer, e.target.checked); });
  document.getElementById("layer-events").addEventListener("change", function (e) { toggle(eventLayer, e.target.checked); });
  document.getElementById("layer-borders").addEventListener("change", function (e) { toggle(base.layers.borders, e.target.checked); });
  document.getElementById("layer-tiles").addEventListener("change", function (e) { toggle(base.layers.tiles, e.target.checked); });

  Promise.all([getJSON("/api/meta"), getJSON("/static/vendor/borders/countries-50m-region.geojson")]).then(function (res) {
    var meta = res[0];
    state.meta = meta;
    state.style = meta.style;
    base = FW.baseMap("map", res[1], { onlineTiles: true });
    map = base.map;
    FW.legend(map, meta.style);
    if (!meta.first_day) { clear(panel); panel.appendChild(el("p", null, "The database holds no reports yet.")); return; }
    state.first = parse(meta.first_day);
    slider.min = "0";
    slider.max = String(indexOf(meta.last_day));
    var wanted = new URLSearchParams(location.search).get("on");
    var start = wanted && /^\d{4}-\d{2}-\d{2}$/.test(wanted) ? wanted : meta.last_day;
    load(start);
    getJSON("/api/control?on=" + meta.last_day).then(function (all) { FW.fitTo(map, all); });
  }).catch(function (err) { clear(panel); panel.appendChild(el("p", null, String(err))); });
})();
