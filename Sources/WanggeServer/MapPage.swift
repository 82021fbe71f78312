import Foundation
import WanggeKit

/// The map page at `/map`: one self-contained HTML document (no external scripts, fonts or tiles) that reads the
/// grid collections and, with a token, the events from the OGC API and draws them on a canvas in Web Mercator.
enum MapPage {
    /// The page, with the report figures a grid can be coloured by.
    static let html: String = template.replacingOccurrences(of: "<!--FIGURES-->", with: ChoroplethSVG.figures.map { f in
        "<option value=\"\(f.key)\"\(f.percent ? " data-percent=\"1\"" : "")\(f.key == "resolution_rate" ? " selected" : "")>\(ChoroplethSVG.xml(f.label))</option>"
    }.joined())

    static let template: String = #"""
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>网格 Wangge · Map</title>
<link rel="icon" href="data:,">
<style>
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #2f6fdd; --panel: #ffffff; --ground: #eef1f4; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; overflow: hidden; color: var(--ink); background: var(--ground);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
aside { position: absolute; left: 0; top: 0; bottom: 0; width: 300px; overflow-y: auto; background: var(--panel);
  border-right: 1px solid var(--line); box-shadow: 2px 0 12px rgba(15, 23, 42, .06); z-index: 2; }
header { padding: 16px 18px 12px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 18px; font-weight: 650; letter-spacing: .2px; }
header h1 span { color: var(--muted); font-weight: 400; font-size: 13px; margin-left: 6px; }
header p { margin: 4px 0 0; color: var(--muted); }
section { padding: 12px 18px; border-bottom: 1px solid var(--line); }
section h2 { margin: 0 0 8px; font-size: 11px; font-weight: 650; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
label.row { display: flex; align-items: center; gap: 8px; padding: 3px 0; cursor: pointer; user-select: none; }
label.row input { margin: 0; accent-color: var(--accent); }
label.row .name { flex: 1; }
label.row .count { color: var(--muted); font-variant-numeric: tabular-nums; }
.swatch { width: 18px; height: 12px; border-radius: 3px; flex: none; }
.dot { width: 10px; height: 10px; border-radius: 50%; flex: none; border: 1.5px solid #fff; box-shadow: 0 0 0 1px rgba(0,0,0,.15); margin: 0 4px; }
.token { display: flex; gap: 6px; margin-top: 8px; }
.choro { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
.choro select, .choro input { min-width: 0; padding: 4px 6px; border: 1px solid #cbd2d9; border-radius: 6px; font: inherit; }
#choro-legend .row { cursor: default; }
.token input { flex: 1; min-width: 0; padding: 5px 8px; border: 1px solid #cbd2d9; border-radius: 6px; font: inherit; }
button { font: inherit; padding: 5px 10px; border: 1px solid #cbd2d9; border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
button:hover { background: #f5f7fa; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover { background: #245bb8; }
.note { color: var(--muted); margin: 6px 0 0; }
.note.error { color: #c92a2a; }
#info table { width: 100%; border-collapse: collapse; }
#info td { padding: 3px 0; vertical-align: top; border-bottom: 1px solid #f0f2f5; word-break: break-word; }
#info td:first-child { color: var(--muted); width: 42%; padding-right: 8px; }
#info .title { font-weight: 600; font-size: 14px; margin-bottom: 6px; }
#info .hits { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
#info .hits button { padding: 2px 7px; font-size: 12px; border-radius: 10px; }
#info .hits button.on { background: var(--ink); color: #fff; border-color: var(--ink); }
main { position: absolute; left: 300px; top: 0; right: 0; bottom: 0; }
canvas { display: block; width: 100%; height: 100%; cursor: grab; touch-action: none; }
canvas.dragging { cursor: grabbing; }
.controls { position: absolute; right: 14px; top: 14px; display: flex; flex-direction: column; gap: 6px; }
.controls button { width: 34px; height: 34px; padding: 0; font-size: 17px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.status { position: absolute; left: 12px; bottom: 10px; display: flex; gap: 12px; align-items: flex-end; pointer-events: none; }
.scale { background: rgba(255,255,255,.85); padding: 2px 6px 3px; border-radius: 4px; font-size: 11px; color: var(--ink); }
.scale div { height: 5px; border: 1.5px solid var(--ink); border-top: none; margin-top: 2px; }
.coords:empty { display: none; }
.coords { background: rgba(255,255,255,.85); padding: 2px 6px; border-radius: 4px; font-size: 11px; color: var(--muted); font-variant-numeric: tabular-nums; }
#loading { position: absolute; left: 50%; top: 16px; transform: translateX(-50%); background: var(--ink); color: #fff; padding: 6px 12px; border-radius: 16px; font-size: 12px; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
#loading[hidden] { display: none; }
</style>
</head>
<body data-state="loading">
<aside>
  <header>
    <h1>网格 Wangge<span>grid map</span></h1>
    <p id="summary">Loading…</p>
  </header>
  <section>
    <h2>Grid layers</h2>
    <div id="layers"></div>
  </section>
  <section>
    <h2>Events by status</h2>
    <div id="statuses"></div>
    <div class="token">
      <input id="token" type="password" placeholder="API token (wg_…)" autocomplete="off" aria-label="API token">
      <button id="load-events" class="primary">Show</button>
    </div>
    <p id="events-note" class="note">Events need an API token: <code>wangge token create --role viewer</code>.</p>
  </section>
  <section>
    <h2>Colour grids by a report</h2>
    <div class="choro">
      <select id="choro-level" aria-label="Grids">
        <option value="community">社区 Community</option><option value="courtyard" selected>小区 Courtyard</option>
        <option value="building">楼栋 Building</option><option value="functional">功能型 Functional</option><option value="industry">行业 Industry</option>
      </select>
      <select id="choro-figure" aria-label="Figure"><!--FIGURES--></select>
      <select id="choro-period" aria-label="Period">
        <option value="week">Week</option><option value="month" selected>Month</option><option value="quarter">Quarter</option><option value="year">Year</option>
      </select>
      <input id="choro-date" type="date" aria-label="A day in the period">
      <button id="choro-go" class="primary">Colour</button>
      <button id="choro-off">Off</button>
    </div>
    <div id="choro-legend"></div>
    <p id="choro-note" class="note">Figures from <code>/reports/grids</code> with the token above.</p>
  </section>
  <section id="info">
    <h2>Selection</h2>
    <p class="note">Click a grid or an event to see its properties.</p>
  </section>
</aside>
<main>
  <canvas id="map" aria-label="Map of grids and events"></canvas>
  <div class="controls">
    <button id="zoom-in" title="Zoom in">+</button>
    <button id="zoom-out" title="Zoom out">−</button>
    <button id="fit" title="Fit to the data">⤢</button>
  </div>
  <div class="status"><div class="scale" id="scale"></div><div class="coords" id="coords"></div></div>
  <div id="loading">Loading grids…</div>
</main>
<script>
"use strict";
(() => {
  const errors = [];
  window.addEventListener("error", e => { errors.push(String(e.message)); document.body.dataset.errors = errors.length; });
  window.addEventListener("unhandledrejection", e => { errors.push(String(e.reason)); document.body.dataset.errors = errors.length; });

  // Grid layers, bottom to top. Residential levels are outlines over a light fill; overlays are translucent.
  const LAYERS = [
    { id: "building", title: "楼栋 Building", fill: "#fbfaf6", stroke: "#c9ced6", width: 0.8, on: true },
    { id: "courtyard", title: "小区 Courtyard", fill: null, stroke: "#8e99a8", width: 1.3, on: true, label: 90 },
    { id: "community", title: "社区 Community", fill: null, stroke: "#334e68", width: 2.2, on: true, label: 60 },
    { id: "street", title: "街道 Street", fill: null, stroke: "#102a43", width: 3.2, on: true },
    { id: "functional", title: "功能型 Functional", fill: "rgba(47,111,221,.13)", stroke: "#2f6fdd", width: 1.6, dash: [6, 4], on: true },
    { id: "industry", title: "行业 Industry", fill: "rgba(232,89,12,.12)", stroke: "#e8590c", width: 1.6, dash: [2, 3], on: false },
  ];
  const STATUSES = [
    ["reported", "已上报 Reported", "#e03131"], ["accepted", "已受理 Accepted", "#f76707"],
    ["dispatched", "已派遣 Dispatched", "#f59f00"], ["in_progress", "处置中 In progress", "#1c7ed6"],
    ["resolved", "已处置 Resolved", "#0ca678"], ["closed", "已结案 Closed", "#2b8a3e"],
    ["evaluated", "已评价 Evaluated", "#5c940d"], ["rejected", "不受理 Rejected", "#868e96"],
  ];
  const statusColour = Object.fromEntries(STATUSES.map(s => [s[0], s[2]]));
  const statusOn = Object.fromEntries(STATUSES.map(s => [s[0], true]));

  const R = 6378137, D = Math.PI / 180;
  const mx = lon => lon * D * R;
  const my = lat => Math.log(Math.tan(Math.PI / 4 + lat * D / 2)) * R;
  const lonOf = x => x / R / D;
  const latOf = y => (2 * Math.atan(Math.exp(y / R)) - Math.PI / 2) / D;

  const canvas = document.getElementById("map");
  const ctx = canvas.getContext("2d");
  const data = Object.fromEntries(LAYERS.map(l => [l.id, []]));
  let events = [];
  let origin = null;               // world origin (metres) subtracted before building paths (float precision)
  const view = { cx: 0, cy: 0, k: 1 }; // centre in origin-relative metres, pixels per metre
  let selected = null;             // { kind: "grid" | "event", layer, feature }
  let hits = [];

  // ---- loading -------------------------------------------------------------------------------
  async function fetchAll(collection, headers, progress) {
    let url = `collections/${collection}/items?limit=10000`;
    const out = [];
    while (url) {
      const r = await fetch(url, { headers: Object.assign({ Accept: "application/geo+json" }, headers) });
      if (!r.ok) {
        let message = `${r.status} ${r.statusText}`;
        try { const body = await r.json(); if (body.message) message = body.message; } catch (_) {}
        const err = new Error(message); err.status = r.status; throw err;
      }
      const page = await r.json();
      out.push(...page.features);
      if (progress) progress(out.length, page.numberMatched);
      const next = (page.links || []).find(l => l.rel === "next");
      url = next ? next.href : null;
    }
    return out;
  }

  function project(feature) {
    const g = feature.geometry;
    if (!g) return null;
    const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : null;
    if (!polys) return null;
    const path = new Path2D();
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, best = null, bestArea = -1;
    const rings = [];
    for (const poly of polys) {
      poly.forEach((ring, i) => {
        const xy = new Float64Array(ring.length * 2);
        ring.forEach(([lon, lat], j) => {
          const x = mx(lon) - origin.x, y = my(lat) - origin.y;
          xy[2 * j] = x; xy[2 * j + 1] = y;
          if (j === 0) path.moveTo(x, y); else path.lineTo(x, y);
          if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y;
        });
        path.closePath();
        rings.push(xy);
        if (i === 0) {
          let a = 0;
          for (let j = 0; j + 3 < xy.length; j += 2) a += xy[j] * xy[j + 3] - xy[j + 2] * xy[j + 1];
          if (Math.abs(a) > bestArea) { bestArea = Math.abs(a); best = poly; }
        }
      });
    }
    return { feature, path, rings, bbox: [minX, minY, maxX, maxY], anchor: labelPoint(best) };
  }

  // A point inside the polygon for its label: the middle of the widest span on the horizontal line through
  // the middle of its bounding box.
  function labelPoint(poly) {
    if (!poly) return null;
    const pts = poly.map(r => r.map(([lon, lat]) => [mx(lon) - origin.x, my(lat) - origin.y]));
    let minY = Infinity, maxY = -Infinity;
    for (const [, y] of pts[0]) { minY = Math.min(minY, y); maxY = Math.max(maxY, y); }
    let bestSpan = null;
    for (const f of [0.5, 0.35, 0.65, 0.2, 0.8]) {
      const y = minY + (maxY - minY) * f, xs = [];
      for (const ring of pts) for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i], [x2, y2] = ring[i + 1];
        if ((y1 <= y) !== (y2 <= y)) xs.push(x1 + (y - y1) / (y2 - y1) * (x2 - x1));
      }
      xs.sort((a, b) => a - b);
      for (let i = 0; i + 1 < xs.length; i += 2) {
        const w = xs[i + 1] - xs[i];
        if (!bestSpan || w > bestSpan.w) bestSpan = { w, x: (xs[i] + xs[i + 1]) / 2, y };
      }
      if (bestSpan && bestSpan.w > (maxY - minY) * 0.3) break;
    }
    return bestSpan ? [bestSpan.x, bestSpan.y] : null;
  }

  async function loadGrids() {
    const loading = document.getElementById("loading");
    for (const layer of LAYERS) {
      loading.textContent = `Loading ${layer.id} grids…`;
      const features = await fetchAll(layer.id);
      if (!origin && features.length) {
        const c = features[0].geometry.type === "Polygon" ? features[0].geometry.coordinates[0][0] : features[0].geometry.coordinates[0][0][0];
        origin = { x: mx(c[0]), y: my(c[1]) };
      }
      data[layer.id] = features.map(project).filter(Boolean);
      renderLayerList();
      draw();
    }
    loading.hidden = true;
    fit();
  }

  async function loadEvents() {
    const token = document.getElementById("token").value.trim();
    const note = document.getElementById("events-note");
    if (!token) { note.className = "note"; note.textContent = "Enter an API token to show events."; return; }
    localStorage.setItem("wangge.token", token);
    note.className = "note"; note.textContent = "Loading events…";
    try {
      const features = await fetchAll("events", { Authorization: `Bearer ${token}` },
        (n, total) => { note.textContent = `Loading events… ${n.toLocaleString()}${total ? " of " + total.toLocaleString() : ""}`; });
      events = features.filter(f => f.geometry && f.geometry.type === "Point").map(f => ({
        feature: f, x: mx(f.geometry.coordinates[0]) - (origin ? origin.x : 0), y: my(f.geometry.coordinates[1]) - (origin ? origin.y : 0),
      }));
      note.textContent = `${events.length.toLocaleString()} events. Click a status to hide or show it.`;
    } catch (e) {
      events = [];
      note.className = "note error";
      note.textContent = e.status === 401 || e.status === 403 ? `The token was not accepted (${e.message}).` : `Events could not be loaded: ${e.message}`;
    }
    renderStatusList();
    summarise();
    draw();
  }

  // ---- report colours --------------------------------------------------------------------------
  // Five classes at the quintiles of the values present, as the SVG choropleth does; greens where more is better.
  const RAMP_WORSE = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  const RAMP_BETTER = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
  const NO_DATA = "#e6e6e6";
  const BETTER = new Set(["resolution_rate", "satisfaction_rate", "on_time_rate"]);
  const choro = { level: null, colours: {} };

  function quintiles(values) {
    const v = [...values].sort((a, b) => a - b), out = [];
    for (let k = 1; k <= 5 && v.length; k++) {
      const x = v[Math.min(v.length - 1, Math.ceil(k / 5 * v.length) - 1)];
      if (out[out.length - 1] !== x) out.push(x);
    }
    return out;
  }

  async function loadChoropleth() {
    const token = document.getElementById("token").value.trim();
    const note = document.getElementById("choro-note");
    note.className = "note";
    if (!token) { note.textContent = "Enter an API token above first."; return; }
    const level = document.getElementById("choro-level").value, figure = document.getElementById("choro-figure").value;
    const period = document.getElementById("choro-period").value, date = document.getElementById("choro-date").value;
    const option = document.getElementById("choro-figure").selectedOptions[0];
    note.textContent = "Loading the report…";
    try {
      const r = await fetch(`/reports/grids?level=${level}&period=${period}` + (date ? `&date=${date}` : ""), { headers: { Authorization: `Bearer ${token}` } });
      const body = await r.json();
      if (!r.ok) throw Object.assign(new Error(body.error ? body.error.message : r.statusText), { status: r.status });
      const values = body.grids.map(g => g[figure]).filter(v => typeof v === "number");
      const classes = quintiles(values), ramp = BETTER.has(figure) ? RAMP_BETTER : RAMP_WORSE;
      const colour = v => {
        if (typeof v !== "number") return NO_DATA;
        let i = classes.findIndex(b => v <= b); if (i < 0) i = classes.length - 1;
        return ramp[classes.length <= 1 ? ramp.length - 1 : Math.round(i / (classes.length - 1) * (ramp.length - 1))];
      };
      const percent = option.dataset.percent === "1";
      const fmt = v => percent ? (v * 100).toFixed(1) + " %" : (Number.isInteger(v) ? String(v) : v.toFixed(1));
      choro.level = level;
      choro.colours = Object.fromEntries(body.grids.map(g => [g.code, colour(g[figure])]));
      const layer = LAYERS.find(l => l.id === level);
      if (layer && !layer.on) { layer.on = true; renderLayerList(); }
      let lower = values.length ? Math.min(...values) : null;
      const rows = classes.map((b, i) => {
        const text = lower === b ? fmt(b) : `${i ? "> " : ""}${fmt(lower)} – ${fmt(b)}`;
        lower = b;
        const sw = el("span", { className: "swatch" }); sw.style.background = colour(b);
        return el("div", { className: "row" }, sw, el("span", { className: "name", textContent: text }));
      });
      if (values.length < body.grids.length) {
        const sw = el("span", { className: "swatch" }); sw.style.background = NO_DATA;
        rows.push(el("div", { className: "row" }, sw, el("span", { className: "name", textContent: "no data 无数据" })));
      }
      document.getElementById("choro-legend").replaceChildren(el("div", { className: "note", textContent: option.textContent }), ...rows);
      note.textContent = `${body.grids.length} ${level} grids · ${body.period.label} · ${body.total.received} events`;
      document.body.dataset.choropleth = body.grids.length;
      document.body.dataset.choroplethClasses = classes.length;
    } catch (e) {
      note.className = "note error";
      note.textContent = `The report could not be loaded: ${e.message}`;
    }
    draw();
  }

  function clearChoropleth() {
    choro.level = null; choro.colours = {};
    document.getElementById("choro-legend").replaceChildren();
    document.body.dataset.choropleth = 0;
    draw();
  }

  // ---- sidebar -------------------------------------------------------------------------------
  function el(tag, props, ...children) {
    const e = Object.assign(document.createElement(tag), props || {});
    for (const c of children) e.append(c);
    return e;
  }

  function renderLayerList() {
    const box = document.getElementById("layers");
    box.replaceChildren(...LAYERS.map(layer => {
      const input = el("input", { type: "checkbox", checked: layer.on });
      input.addEventListener("change", () => { layer.on = input.checked; draw(); });
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = layer.fill || "transparent";
      swatch.style.border = `${Math.min(2, layer.width)}px ${layer.dash ? "dashed" : "solid"} ${layer.stroke}`;
      return el("label", { className: "row" }, input, swatch, el("span", { className: "name", textContent: layer.title }),
        el("span", { className: "count", textContent: data[layer.id].length.toLocaleString() }));
    }));
    summarise();
  }

  function renderStatusList() {
    const counts = {};
    for (const e of events) counts[e.feature.properties.status] = (counts[e.feature.properties.status] || 0) + 1;
    document.getElementById("statuses").replaceChildren(...STATUSES.map(([id, title, colour]) => {
      const input = el("input", { type: "checkbox", checked: statusOn[id] });
      input.addEventListener("change", () => { statusOn[id] = input.checked; draw(); });
      const dot = el("span", { className: "dot" });
      dot.style.background = colour;
      return el("label", { className: "row" }, input, dot, el("span", { className: "name", textContent: title }),
        el("span", { className: "count", textContent: (counts[id] || 0).toLocaleString() }));
    }));
  }

  function summarise() {
    const grids = LAYERS.reduce((n, l) => n + data[l.id].length, 0);
    document.getElementById("summary").textContent = `${grids.toLocaleString()} grids` + (events.length ? ` · ${events.length.toLocaleString()} events` : "");
    document.body.dataset.grids = grids;
    document.body.dataset.events = events.length;
  }

  function showInfo() {
    const box = document.getElementById("info");
    const parts = [el("h2", { textContent: "Selection" })];
    if (!selected) {
      parts.push(el("p", { className: "note", textContent: "Click a grid or an event to see its properties." }));
      box.replaceChildren(...parts);
      return;
    }
    if (hits.length > 1) {
      parts.push(el("div", { className: "hits" }, ...hits.map(h => {
        const b = el("button", { textContent: h.kind === "event" ? `#${h.item.feature.id}` : h.layer.id, className: h === selected ? "on" : "" });
        b.addEventListener("click", () => { selected = h; showInfo(); draw(); });
        return b;
      })));
    }
    const p = selected.item.feature.properties || {};
    const title = selected.kind === "event" ? `Event #${selected.item.feature.id}` : `${p.name || selected.item.feature.id}`;
    parts.push(el("div", { className: "title", textContent: title }));
    const rows = Object.entries(p).filter(([, v]) => v !== null && v !== "").map(([k, v]) =>
      el("tr", {}, el("td", { textContent: k }), el("td", { textContent: typeof v === "object" ? JSON.stringify(v) : String(v) })));
    parts.push(el("table", {}, el("tbody", {}, ...rows)));
    box.replaceChildren(...parts);
  }

  // ---- view ----------------------------------------------------------------------------------
  function size() {
    const r = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    return { w: r.width, h: r.height, dpr };
  }
  const toScreen = (x, y) => { const { w, h } = size(); return [(x - view.cx) * view.k + w / 2, h / 2 - (y - view.cy) * view.k]; };
  const toWorld = (sx, sy) => { const { w, h } = size(); return [(sx - w / 2) / view.k + view.cx, (h / 2 - sy) / view.k + view.cy]; };

  function fit() {
    let b = [Infinity, Infinity, -Infinity, -Infinity];
    for (const l of LAYERS) for (const f of data[l.id]) {
      b = [Math.min(b[0], f.bbox[0]), Math.min(b[1], f.bbox[1]), Math.max(b[2], f.bbox[2]), Math.max(b[3], f.bbox[3])];
    }
    if (!isFinite(b[0])) for (const e of events) b = [Math.min(b[0], e.x), Math.min(b[1], e.y), Math.max(b[2], e.x), Math.max(b[3], e.y)];
    if (!isFinite(b[0])) return;
    const { w, h } = size();
    view.cx = (b[0] + b[2]) / 2; view.cy = (b[1] + b[3]) / 2;
    view.k = Math.min((w - 60) / Math.max(b[2] - b[0], 1), (h - 60) / Math.max(b[3] - b[1], 1));
    draw();
  }

  function zoomAt(sx, sy, factor) {
    const [wx, wy] = toWorld(sx, sy);
    view.k = Math.min(Math.max(view.k * factor, 1e-5), 200);
    const { w, h } = size();
    view.cx = wx - (sx - w / 2) / view.k;
    view.cy = wy - (h / 2 - sy) / view.k;
    draw();
  }

  // ---- drawing -------------------------------------------------------------------------------
  let pending = false;
  function draw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  }

  function visible(f, b) { return !(f.bbox[2] < b[0] || f.bbox[0] > b[2] || f.bbox[3] < b[1] || f.bbox[1] > b[3]); }

  function render() {
    const { w, h, dpr } = size();
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#eef1f4";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const [x0, y1] = toWorld(0, 0), [x1, y0] = toWorld(w, h), box = [x0, y0, x1, y1];
    const world = () => ctx.setTransform(view.k * dpr, 0, 0, -view.k * dpr, (w / 2 - view.cx * view.k) * dpr, (h / 2 + view.cy * view.k) * dpr);

    world();
    for (const layer of LAYERS) {
      if (!layer.on) continue;
      const list = data[layer.id].filter(f => visible(f, box));
      if (choro.level === layer.id) {
        for (const f of list) { ctx.fillStyle = choro.colours[f.feature.id] || NO_DATA; ctx.fill(f.path, "evenodd"); }
      } else if (layer.fill) { ctx.fillStyle = layer.fill; for (const f of list) ctx.fill(f.path, "evenodd"); }
      ctx.strokeStyle = layer.stroke;
      ctx.lineWidth = layer.width / view.k;
      ctx.lineJoin = "round";
      ctx.setLineDash(layer.dash ? layer.dash.map(d => d / view.k) : []);
      for (const f of list) ctx.stroke(f.path);
    }
    ctx.setLineDash([]);
    if (selected && selected.kind === "grid") {
      ctx.fillStyle = "rgba(250, 176, 5, .18)";
      ctx.fill(selected.item.path, "evenodd");
      ctx.strokeStyle = "#f08c00"; ctx.lineWidth = 3.5 / view.k;
      ctx.stroke(selected.item.path);
    }

    // Labels of communities and courtyards that are wide enough on screen.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    for (const layer of LAYERS) {
      if (!layer.on || !layer.label) continue;
      ctx.font = layer.id === "community" ? "600 13px system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif" : "11px system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif";
      for (const f of data[layer.id]) {
        if (!f.anchor || (f.bbox[2] - f.bbox[0]) * view.k < layer.label || !visible(f, box)) continue;
        const [sx, sy] = toScreen(f.anchor[0], f.anchor[1]);
        const text = f.feature.properties.name || String(f.feature.id);
        ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,.9)"; ctx.strokeText(text, sx, sy);
        ctx.fillStyle = layer.id === "community" ? "#102a43" : "#52606d"; ctx.fillText(text, sx, sy);
      }
    }

    // Events, grouped by status so each colour is one path.
    const r = Math.max(2.5, Math.min(6, 2 + 0.9 * Math.log2(Math.max(view.k, 1e-9) * 2)));
    // Finished work underneath, open work on top (newest reports last).
    for (const [status, , colour] of [...STATUSES].reverse()) {
      if (!statusOn[status]) continue;
      const path = new Path2D();
      let any = false;
      for (const e of events) {
        if (e.feature.properties.status !== status || e.x < x0 || e.x > x1 || e.y < y0 || e.y > y1) continue;
        const [sx, sy] = toScreen(e.x, e.y);
        path.moveTo(sx + r, sy); path.arc(sx, sy, r, 0, 2 * Math.PI); any = true;
      }
      if (!any) continue;
      ctx.fillStyle = colour; ctx.fill(path);
      ctx.strokeStyle = "rgba(255,255,255,.95)"; ctx.lineWidth = r < 3 ? 0.6 : 1; ctx.stroke(path);
    }
    if (selected && selected.kind === "event") {
      const [sx, sy] = toScreen(selected.item.x, selected.item.y);
      ctx.beginPath(); ctx.arc(sx, sy, r + 4, 0, 2 * Math.PI);
      ctx.strokeStyle = "#212529"; ctx.lineWidth = 2.5; ctx.stroke();
    }
    drawScale(w);
  }

  function drawScale(w) {
    const [, cy] = toWorld(w / 2, 0);
    const metresPerPixel = Math.cos(latOf(cy + (origin ? origin.y : 0)) * D) / view.k;
    const target = 110 * metresPerPixel, p = Math.pow(10, Math.floor(Math.log10(target)));
    const nice = [5, 2, 1].map(m => m * p).find(v => v <= target) || p;
    const el = document.getElementById("scale");
    el.replaceChildren(document.createTextNode(nice >= 1000 ? `${nice / 1000} km` : `${nice} m`));
    const bar = document.createElement("div");
    bar.style.width = `${nice / metresPerPixel}px`;
    el.append(bar);
  }

  // ---- interaction ---------------------------------------------------------------------------
  function pick(sx, sy) {
    const found = [];
    const { dpr } = size();
    const r2 = 8 * 8;
    let nearest = null, best = r2;
    for (const e of events) {
      if (!statusOn[e.feature.properties.status]) continue;
      const [ex, ey] = toScreen(e.x, e.y), d = (ex - sx) ** 2 + (ey - sy) ** 2;
      if (d <= best) { best = d; nearest = e; }
    }
    if (nearest) found.push({ kind: "event", item: nearest });
    const { w, h } = size();
    ctx.setTransform(view.k * dpr, 0, 0, -view.k * dpr, (w / 2 - view.cx * view.k) * dpr, (h / 2 + view.cy * view.k) * dpr);
    const [wx, wy] = toWorld(sx, sy);
    for (const layer of [...LAYERS].reverse()) {
      if (!layer.on) continue;
      for (const f of data[layer.id]) {
        if (wx < f.bbox[0] || wx > f.bbox[2] || wy < f.bbox[1] || wy > f.bbox[3]) continue;
        if (ctx.isPointInPath(f.path, sx * dpr, sy * dpr, "evenodd")) found.push({ kind: "grid", layer, item: f });
      }
    }
    // Smallest grid first after events: the building, then its courtyard, community, street; overlays last.
    const order = ["event", "building", "courtyard", "community", "street", "functional", "industry"];
    found.sort((a, b) => order.indexOf(a.kind === "event" ? "event" : a.layer.id) - order.indexOf(b.kind === "event" ? "event" : b.layer.id));
    return found;
  }

  const pointers = new Map();
  let dragged = false, pinch = null;
  canvas.addEventListener("pointerdown", e => {
    canvas.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, { x: e.offsetX, y: e.offsetY });
    dragged = false;
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = { d: Math.hypot(a.x - b.x, a.y - b.y) };
    }
    canvas.classList.add("dragging");
  });
  canvas.addEventListener("pointermove", e => {
    const [wx, wy] = toWorld(e.offsetX, e.offsetY);
    if (origin) document.getElementById("coords").textContent = `${lonOf(wx + origin.x).toFixed(5)}, ${latOf(wy + origin.y).toFixed(5)}`;
    const p = pointers.get(e.pointerId);
    if (!p) return;
    const dx = e.offsetX - p.x, dy = e.offsetY - p.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) dragged = true;
    p.x = e.offsetX; p.y = e.offsetY;
    if (pointers.size === 2 && pinch) {
      const [a, b] = [...pointers.values()], d = Math.hypot(a.x - b.x, a.y - b.y);
      zoomAt((a.x + b.x) / 2, (a.y + b.y) / 2, d / pinch.d);
      pinch.d = d;
    } else if (pointers.size === 1) {
      view.cx -= dx / view.k; view.cy += dy / view.k; draw();
    }
  });
  const release = e => {
    const wasClick = pointers.size === 1 && !dragged && e.type === "pointerup";
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = null;
    if (pointers.size === 0) canvas.classList.remove("dragging");
    if (wasClick) {
      hits = pick(e.offsetX, e.offsetY);
      selected = hits[0] || null;
      showInfo(); draw();
    }
  };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  canvas.addEventListener("wheel", e => { e.preventDefault(); zoomAt(e.offsetX, e.offsetY, Math.exp(-e.deltaY * (e.deltaMode ? 0.05 : 0.0015))); }, { passive: false });
  canvas.addEventListener("dblclick", e => zoomAt(e.offsetX, e.offsetY, 2));
  document.getElementById("zoom-in").addEventListener("click", () => { const { w, h } = size(); zoomAt(w / 2, h / 2, 1.6); });
  document.getElementById("zoom-out").addEventListener("click", () => { const { w, h } = size(); zoomAt(w / 2, h / 2, 1 / 1.6); });
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("load-events").addEventListener("click", loadEvents);
  document.getElementById("choro-go").addEventListener("click", loadChoropleth);
  document.getElementById("choro-off").addEventListener("click", clearChoropleth);
  document.getElementById("token").addEventListener("keydown", e => { if (e.key === "Enter") loadEvents(); });
  new ResizeObserver(draw).observe(canvas);

  // A token may come in the fragment (#token=…, never sent to the server) or from an earlier visit.
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) { localStorage.setItem("wangge.token", fromHash); history.replaceState(null, "", location.pathname + location.search); }
  document.getElementById("token").value = fromHash || localStorage.getItem("wangge.token") || "";

  renderStatusList();
  loadGrids()
    .then(() => document.getElementById("token").value ? loadEvents() : null)
    .then(() => { document.body.dataset.state = "ready"; })
    .catch(e => {
      const loading = document.getElementById("loading");
      loading.hidden = false; loading.textContent = `Could not load the grids: ${e.message}`;
      document.body.dataset.state = "failed";
    });
})();
</script>
</body>
</html>
"""#
}
