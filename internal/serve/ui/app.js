// heapsnap serve: the explorer's page. Plain JavaScript, no libraries, no
// network beyond this server's read-only /api/. Every string from the heap
// is put in the page as text (textContent), never as HTML.
"use strict";

// ---- formatting, as the command line formats (DevTools' decimal units) ----
function scaled(n, unit) {
  if (n < 100 * unit) { const t = Math.round(n * 10 / unit); return Math.floor(t / 10) + "." + (t % 10); }
  return String(Math.round(n / unit));
}
function fmtB(n) {
  if (n < 1e3) return n + " B";
  if (n < 1e6) return scaled(n, 1e3) + " kB";
  if (n < 1e9) return scaled(n, 1e6) + " MB";
  return scaled(n, 1e9) + " GB";
}
function fmtSB(n) { return n > 0 ? "+" + fmtB(n) : n < 0 ? "−" + fmtB(-n) : "0 B"; }
function fmtN(n) { return (n < 0 ? "−" : "") + Math.abs(n).toLocaleString("en-US"); }
function fmtSN(n) { return n > 0 ? "+" + fmtN(n) : fmtN(n); }
function pct(n, total) { return total > 0 ? (100 * n / total).toFixed(n * 1000 < total ? 2 : 1) + " %" : ""; }
function dist(d) { return d < 0 || d >= 100000000 ? "−" : String(d); }
function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "…" : s; }

// ---- DOM ----
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of kids.flat()) if (c != null && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
const $ = (sel, root = document) => root.querySelector(sel);
const view = () => $("#view");
function objLink(id, label) { return el("a", { href: "#/object/" + id, text: label || "@" + id }); }

// ---- API ----
async function api(path) {
  const res = await fetch("api/" + path, { headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}
function showError(container, err) { container.replaceChildren(el("p", { class: "error", text: "Error: " + err.message })); }

let meta = null;
const totalSize = () => (meta ? meta.total_size : 0);

// ---- a tree grid: rows that expand lazily, a page at a time ----
// A node is {kind, data, depth, kids, total, open}. load(node, offset)
// returns {items: [node...], total} for a node's children.
class TreeGrid {
  constructor(container, { columns, load, onSelect, onOpen, emptyText }) {
    Object.assign(this, { container, columns, load, onSelect, onOpen, emptyText });
    this.roots = []; this.rootTotal = 0; this.sel = -1; this.rows = [];
    this.table = el("table", { class: "grid", tabindex: "0" });
    this.table.addEventListener("keydown", (e) => this.key(e));
    container.append(this.table);
  }
  async setRoots(loadRoots) {
    this.loadRoots = loadRoots;
    const { items, total } = await loadRoots(0);
    this.roots = items; this.rootTotal = total; this.sel = -1;
    this.render();
  }
  flatten() {
    const rows = [];
    const walk = (nodes, total, parent, depth) => {
      for (const n of nodes) {
        n.depth = depth; n.parent = parent; rows.push(n);
        if (n.open && n.kids) walk(n.kids, n.total, n, depth + 1);
      }
      if (nodes.length < total) rows.push({ kind: "more", parent, depth, shown: nodes.length, total });
    };
    walk(this.roots, this.rootTotal, null, 0);
    return rows;
  }
  render() {
    this.rows = this.flatten();
    const head = el("tr", {}, this.columns.map((c) => {
      const th = el("th", { class: (c.num ? "num " : "") + (c.sort ? "sortable " : "") + (c.sorted ? "sorted " : "") + (c.asc ? "asc" : ""), text: c.title });
      if (c.width) th.style.width = c.width;
      if (c.sort) th.addEventListener("click", c.sort);
      return th;
    }));
    const body = this.rows.map((n, k) => this.row(n, k));
    if (!this.rows.length) body.push(el("tr", {}, el("td", { colspan: this.columns.length, class: "empty", text: this.emptyText || "Nothing here." })));
    this.table.replaceChildren(el("thead", {}, head), el("tbody", {}, body));
  }
  row(n, k) {
    if (n.kind === "more") {
      const left = n.total - n.shown;
      const tr = el("tr", { class: "row more" + (k === this.sel ? " sel" : ""), dataset: { kind: "more" } },
        el("td", { colspan: this.columns.length }, el("span", { class: "tw leaf" }), "\u00a0".repeat(n.depth * 3),
          `Show ${Math.min(left, this.pageSize(n.parent))} more (${fmtN(left)} not shown)`));
      tr.addEventListener("click", () => { this.sel = k; this.more(n); });
      return tr;
    }
    const tr = el("tr", { class: "row" + (k === this.sel ? " sel" : ""), dataset: { kind: n.kind, id: n.data && n.data.id } });
    this.columns.forEach((c, j) => {
      const td = el("td", { class: c.num ? "num" : c.pct ? "pct" : "" });
      if (j === 0) {
        td.append("\u00a0".repeat(n.depth * 3));
        const tw = el("span", { class: "tw" + (n.leaf ? " leaf" : ""), text: n.open ? "▼" : "▶" });
        tw.addEventListener("click", (e) => { e.stopPropagation(); this.sel = k; this.toggle(n); });
        td.append(tw);
      }
      c.cell(td, n);
      tr.append(td);
    });
    tr.addEventListener("click", () => this.select(k));
    tr.addEventListener("dblclick", () => this.onOpen && n.data && this.onOpen(n));
    return tr;
  }
  pageSize(parent) { return parent ? (parent.kind === "class" ? 100 : 50) : 200; }
  select(k) {
    this.sel = k; this.render(); this.table.focus({ preventScroll: true });
    const n = this.rows[k];
    if (n && n.kind !== "more" && this.onSelect) this.onSelect(n);
  }
  async toggle(n) {
    if (n.leaf) return;
    if (n.open) { n.open = false; this.render(); return; }
    n.open = true;
    if (!n.kids) {
      try {
        const { items, total } = await this.load(n, 0);
        n.kids = items; n.total = total;
        if (!items.length) n.leaf = true;
      } catch (err) { n.open = false; alertError(err); }
    }
    this.render();
  }
  async more(m) {
    try {
      if (!m.parent) {
        const { items } = await this.loadRoots(this.roots.length);
        this.roots.push(...items);
      } else {
        const { items } = await this.load(m.parent, m.parent.kids.length);
        m.parent.kids.push(...items);
      }
    } catch (err) { alertError(err); }
    this.render();
  }
  key(e) {
    const n = this.rows[this.sel];
    const move = (k) => { if (k >= 0 && k < this.rows.length) { this.select(k); this.scrollToSel(); } };
    switch (e.key) {
      case "ArrowDown": case "j": move(this.sel + 1); break;
      case "ArrowUp": case "k": move(Math.max(0, this.sel - 1)); break;
      case "ArrowRight": case "l": if (n && n.kind !== "more" && !n.open) this.toggle(n); else move(this.sel + 1); break;
      case "ArrowLeft": case "h":
        if (n && n.open) this.toggle(n);
        else if (n && n.parent) move(this.rows.indexOf(n.parent));
        break;
      case "Enter":
        if (n && n.kind === "more") this.more(n);
        else if (n && this.onOpen) this.onOpen(n);
        break;
      default: return;
    }
    e.preventDefault();
  }
  scrollToSel() { const tr = this.table.querySelector("tr.sel"); if (tr) tr.scrollIntoView({ block: "nearest" }); }
}

function alertError(err) { const t = $("#tip"); t.hidden = false; t.textContent = "Error: " + err.message; t.style.left = "20px"; t.style.top = "60px"; setTimeout(() => (t.hidden = true), 3000); }

// Columns shared by every object list: the object, its distance and sizes.
function objectLabel(td, o, edge) {
  if (edge) td.append(el("span", { class: "edge", text: edge }), " in ");
  td.append(el("span", { class: "cls", text: o.class }));
  if (o.name && o.name !== o.class) td.append(" ", el("span", { class: "name", text: clip(o.name, 120) }));
  td.append(el("span", { class: "id", text: "@" + o.id }));
  td.title = `${o.class} ${clip(o.name, 300)} @${o.id}`;
}
function sizeColumns(get) {
  return [
    { title: "Distance", num: true, width: "70px", cell: (td, n) => { const o = get(n); td.textContent = o ? dist(o.distance) : ""; } },
    { title: "Shallow Size", num: true, width: "96px", cell: (td, n) => { const o = get(n); td.textContent = o ? fmtB(o.shallow) : ""; } },
    { title: "", pct: true, width: "62px", cell: (td, n) => { const o = get(n); td.textContent = o ? pct(o.shallow, totalSize()) : ""; } },
    { title: "Retained Size", num: true, width: "112px", cell: (td, n) => { const o = get(n); if (o) barCell(td, fmtB(o.retained), o.retained); } },
    { title: "", pct: true, width: "62px", cell: (td, n) => { const o = get(n); td.textContent = o ? pct(o.retained, totalSize()) : ""; } },
  ];
}
function barCell(td, text, n) {
  const i = el("i"); i.style.width = Math.min(100, (100 * n) / Math.max(1, totalSize())) + "%";
  td.classList.add("bar"); td.append(i, el("span", { text }));
}
const sizesOfObject = (o) => ({ distance: o.distance, shallow: o.shallow_size, retained: o.retained_size });

// References of an object, as tree-grid children.
async function loadReferences(id, offset) {
  const p = await api(`objects/${id}/references?offset=${offset}&limit=50`);
  return { total: p.total, items: p.references.map((r) => ({ kind: "obj", data: r.object, edge: r.edge, internal: r.edge_type === "hidden" || r.edge_type === "internal" })) };
}
async function loadRetainers(id, offset) {
  const p = await api(`objects/${id}/retainers?offset=${offset}&limit=50`);
  return { total: p.total, items: p.retainers.map((r) => ({ kind: "obj", data: r.object, edge: r.edge })) };
}

// ---- Summary ----
const summary = { sort: "retained", asc: false, filter: "" };
async function showSummary(params) {
  if (params.has("filter")) summary.filter = params.get("filter");
  const filter = el("input", { type: "search", placeholder: "Class filter  (/)", value: summary.filter, id: "class-filter", spellcheck: "false" });
  const count = el("span", { class: "count" });
  const left = el("div", { class: "pane", id: "summary-pane" }, el("div", { class: "toolbar" }, filter, count));
  const right = el("div", { class: "pane", id: "object-pane" }, el("p", { class: "empty", text: "Select an object to see its retainers." }));
  view().replaceChildren(el("div", { class: "split" }, left, right));
  const sortCol = (key) => () => {
    if (summary.sort === key) summary.asc = !summary.asc; else { summary.sort = key; summary.asc = false; }
    reload();
  };
  const col = (c, key) => Object.assign(c, { sort: sortCol(key), sorted: summary.sort === key, asc: summary.sort === key && summary.asc });
  const get = (n) => (n.kind === "class" ? { distance: n.data.distance, shallow: n.data.shallow_size, retained: n.data.retained_size } : sizesOfObject(n.data));
  const sizes = sizeColumns(get);
  col(sizes[0], "distance"); col(sizes[1], "shallow"); col(sizes[3], "retained");
  const grid = new TreeGrid(left, {
    columns: [
      col({ title: "Constructor", cell: (td, n) => {
        if (n.kind === "class") { td.append(el("span", { class: "cls", text: n.data.name }), el("span", { class: "count-x", text: "×" + fmtN(n.data.count) })); td.title = n.data.key; }
        else { objectLabel(td, n.data, n.edge); if (n.internal) td.classList.add("internal"); }
      } }, "name"),
      ...sizes,
    ],
    emptyText: "No class matches the filter.",
    load: async (n, offset) => {
      if (n.kind === "class") {
        const p = await api(`classes/${n.data.id}/instances?offset=${offset}&limit=100`);
        return { total: p.total, items: p.objects.map((o) => ({ kind: "obj", data: o })) };
      }
      return loadReferences(n.data.id, offset);
    },
    onSelect: (n) => { if (n.kind === "obj") showObjectPanel(right, n.data.id); },
    onOpen: (n) => { if (n.kind === "obj") location.hash = "#/object/" + n.data.id; else grid.toggle(n); },
  });
  const reload = async () => {
    const q = new URLSearchParams({ sort: summary.sort, asc: summary.asc ? "1" : "0", filter: summary.filter });
    try {
      await grid.setRoots(async (offset) => {
        q.set("offset", offset); q.set("limit", 200);
        const p = await api("classes?" + q);
        count.textContent = `${fmtN(p.total)} classes`;
        return { total: p.total, items: p.classes.map((c) => ({ kind: "class", data: c })) };
      });
    } catch (err) { showError(left, err); }
  };
  let timer = 0;
  filter.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => { summary.filter = filter.value; reload(); }, 120); });
  filter.addEventListener("keydown", (e) => { if (e.key === "ArrowDown" || e.key === "Enter") { e.preventDefault(); grid.select(0); } });
  await reload();
}

// ---- one object: the side panel and the page ----
function objectHeader(s) {
  const o = s.object;
  const kv = el("dl", { class: "kv" },
    el("dt", { text: "Type" }), el("dd", { text: o.type }),
    el("dt", { text: "Shallow size" }), el("dd", { text: `${fmtB(o.shallow_size)}  (${fmtN(o.shallow_size)} bytes)` }),
    el("dt", { text: "Retained size" }), el("dd", { text: `${fmtB(o.retained_size)}  (${fmtN(o.retained_size)} bytes, ${pct(o.retained_size, totalSize())} of the heap)` }),
    el("dt", { text: "Distance" }), el("dd", { text: dist(o.distance) }),
  );
  if (s.location) kv.append(el("dt", { text: "Created at" }), el("dd", { text: s.location }));
  if (s.source) kv.append(el("dt", { text: "Source" }), el("dd", { text: s.source }));
  const head = el("section", { class: "card" },
    el("h2", {}, el("span", { class: "cls", text: o.class }), " ", el("span", { class: "name", text: clip(o.name, 200) }), el("span", { class: "id", text: "@" + o.id })),
    kv,
    el("h3", { text: "Owner path" }), el("div", { class: "path", id: "owner-path", text: s.path || "(none: the object is not reachable from a user root)" }));
  const stack = s.allocation_stack || s.allocation;
  if (stack && stack.length) {
    // Allocation stacks come with snapshots taken with allocation tracking.
    head.append(el("h3", { text: "Allocation stack" }), el("table", {}, stack.map((f) =>
      el("tr", {}, el("td", { class: "mono", text: f.function || f.name || "(anonymous)" }), el("td", { class: "mono name", text: [f.file || f.script, f.line, f.column].filter((x) => x).join(":") + (f.source ? "  ← " + (f.source.file + ":" + f.source.line) : "") })))));
  }
  if (s.dominators && s.dominators.length) {
    const doms = el("div", { class: "crumbs" });
    s.dominators.slice().reverse().forEach((d, k) => {
      if (k) doms.append(el("span", { class: "sep", text: "›" }));
      const a = objLink(d.id, clip(d.class, 40)); a.title = `${d.class} ${clip(d.name, 200)} @${d.id}, retains ${fmtB(d.retained_size)}`; doms.append(a);
    });
    if (s.dominators_truncated) doms.prepend(el("span", { class: "sep", text: "… " }));
    head.append(el("h3", { text: `Dominators (root first, ${s.dominators.length}${s.dominators_truncated ? "+" : ""})` }), doms);
  }
  return head;
}

async function showObjectPanel(container, id) {
  container.replaceChildren(el("p", { class: "loading", text: "Loading @" + id + "…" }));
  try {
    const s = await api("objects/" + id);
    const ret = el("section", { class: "card", id: "retainers-of" }, el("h3", { text: `Retainers (${fmtN(s.retainer_count)})` }));
    const refs = el("section", { class: "card", id: "references-of" }, el("h3", { text: `References (${fmtN(s.edge_count)})` }));
    container.replaceChildren(objectHeader(s),
      el("section", { class: "card" }, objLink(id, "Open the object page: retainer graph, all references and retainers →")), ret, refs);
    objectGrid(ret, id, loadRetainers, "No retainers (only weak references, or the root's).");
    objectGrid(refs, id, loadReferences, "No references.");
  } catch (err) { showError(container, err); }
}

// objectGrid lists an object's retainers or references, each expanding
// into its own (the Retainers view of DevTools).
function objectGrid(container, id, load, emptyText) {
  const sizes = sizeColumns((n) => sizesOfObject(n.data));
  const grid = new TreeGrid(container, {
    columns: [{ title: "Object", cell: (td, n) => objectLabel(td, n.data, n.edge) }, sizes[0], sizes[1], sizes[3]],
    load: (n, offset) => load(n.data.id, offset),
    onOpen: (n) => (location.hash = "#/object/" + n.data.id),
    emptyText,
  });
  grid.setRoots((offset) => load(id, offset)).catch((err) => showError(container, err));
  return grid;
}

async function showObject(id) {
  view().replaceChildren(el("p", { class: "loading", text: "Loading @" + id + "…" }));
  try {
    const [s, chains] = await Promise.all([api("objects/" + id), api(`objects/${id}/chains?paths=5&depth=12`)]);
    const graph = el("section", { class: "card" }, el("h3", { text: "Retainers graph: from each of the first retainers, the chain DevTools expands" }));
    graph.append(retainerGraph(chains.objects[0]));
    const ret = el("section", { class: "card", id: "retainers-of" }, el("h3", { text: `Retainers (${fmtN(s.retainer_count)})` }));
    const refs = el("section", { class: "card", id: "references-of" }, el("h3", { text: `References (${fmtN(s.edge_count)})` }));
    const icicle = el("section", { class: "card" }, el("a", { href: "#/tree/" + id, text: "What it retains: the icicle from this object →" }));
    view().replaceChildren(el("div", { class: "scroll" }, objectHeader(s), icicle, graph, el("div", { class: "cols2" }, ret, refs)));
    objectGrid(ret, id, loadRetainers, "No retainers.");
    objectGrid(refs, id, loadReferences, "No references.");
  } catch (err) { showError(view(), err); }
}

// retainerGraph draws the chains as one graph: the object on the right,
// each chain's nodes leftwards towards its root, shared nodes drawn once.
function retainerGraph(of) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs, ...kids) => { const e = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); e.append(...kids); return e; };
  const nodes = new Map(); const edges = new Map(); let layers = 0;
  for (const c of of.chains) {
    const steps = c.steps; const n = steps.length;
    steps.forEach((st, k) => {
      const layer = n - 1 - k; layers = Math.max(layers, layer + 1);
      const id = st.object.id;
      if (!nodes.has(id)) nodes.set(id, { o: st.object, layer, internal: st.internal });
      if (k > 0) {
        const key = steps[k - 1].object.id + ">" + id;
        if (!edges.has(key)) edges.set(key, { from: steps[k - 1].object.id, to: id, label: st.edge });
      }
    });
  }
  if (!nodes.size) return el("p", { class: "empty", text: "No retainer chain: nothing but weak references holds it." });
  const W = 170, H = 34, GX = 64, GY = 12;
  const rows = new Array(layers).fill(0);
  for (const v of nodes.values()) { v.row = rows[v.layer]++; }
  const width = layers * (W + GX) + 20, height = Math.max(...rows) * (H + GY) + 20;
  const x = (v) => width - 10 - (v.layer + 1) * W - v.layer * GX, y = (v) => 10 + v.row * (H + GY);
  const g = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
  for (const e of edges.values()) {
    const a = nodes.get(e.from), b = nodes.get(e.to);
    const x1 = x(a) + W, y1 = y(a) + H / 2, x2 = x(b), y2 = y(b) + H / 2;
    g.append(svg("path", { d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}` }));
    const t = svg("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 3, "text-anchor": "middle", class: "elabel" }); t.textContent = clip(e.label || "", 14);
    g.append(t);
  }
  for (const [id, v] of nodes) {
    const cls = "node" + (v.layer === 0 ? " target" : "") + (v.o.distance <= 1 ? " root" : "");
    const t1 = svg("text", { x: 6, y: 14 }); t1.textContent = clip(v.o.class, 26);
    const t2 = svg("text", { x: 6, y: 27, opacity: 0.65 }); t2.textContent = `@${id} · ${fmtB(v.o.retained_size)}`;
    const title = svg("title", {}); title.textContent = `${v.o.class} ${clip(v.o.name, 200)} @${id}\ndistance ${dist(v.o.distance)}, retains ${fmtB(v.o.retained_size)}`;
    const node = svg("g", { class: cls, transform: `translate(${x(v)},${y(v)})` }, title, svg("rect", { width: W, height: H, rx: 3 }), t1, t2);
    node.addEventListener("click", () => (location.hash = "#/object/" + id));
    g.append(node);
  }
  const box = el("div", { class: "graph", id: "retainer-graph" }, g);
  // The object is on the right: show that end first.
  requestAnimationFrame(() => (box.scrollLeft = box.scrollWidth));
  return box;
}

// ---- the dominator tree as an icicle ----
function hue(s) { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0; return h % 360; }
let icicleSel = null;
async function showTree(id) {
  view().replaceChildren(el("p", { class: "loading", text: "Loading the dominator tree…" }));
  let t;
  try { t = await api(id ? `tree/${id}?depth=10&min=2` : "tree?depth=10&min=2"); } catch (err) { return showError(view(), err); }
  const from = Object.assign({}, t.from, { children: t.objects });
  const crumbs = el("div", { class: "crumbs" });
  const doms = (t.dominators || []).slice().reverse();
  doms.forEach((d) => { crumbs.append(el("a", { href: "#/tree/" + d.id, text: clip(d.class, 30), title: `${d.class} @${d.id} ${fmtB(d.retained_size)}` }), el("span", { class: "sep", text: "›" })); });
  crumbs.append(el("b", { text: `${from.class} @${from.id}` }), el("span", { class: "name", text: `  retains ${fmtB(from.retained_size)} (${pct(from.retained_size, totalSize())} of the heap), dominates ${fmtN(from.child_count)} objects` }));
  if (doms.length) crumbs.append(el("span", { class: "spacer" }), objLink(from.id, "object details →"));
  const wrap = el("div", { class: "icicle-wrap" });
  const ice = el("div", { class: "icicle", id: "icicle" });
  wrap.append(ice);
  view().replaceChildren(crumbs, el("div", { class: "legend", text: "Width is retained size. Click a box to zoom in, Backspace to zoom out; boxes under 0.2 % are left out. Gaps are the object's own size and what it holds in small objects." }), wrap);
  const W = Math.max(600, wrap.clientWidth - 24), RH = 20;
  const total = Math.max(1, from.retained_size);
  const boxes = [];
  // Lay out level by level with an explicit queue: trees can be deep.
  const queue = [{ n: from, x: 0, depth: 0 }];
  let maxDepth = 0;
  while (queue.length) {
    const { n, x, depth } = queue.shift();
    const w = (n.retained_size / total) * W;
    if (w < 1) continue;
    boxes.push({ n, x, w, depth }); maxDepth = Math.max(maxDepth, depth);
    let cx = x;
    for (const c of n.children || []) { queue.push({ n: c, x: cx, depth: depth + 1 }); cx += (c.retained_size / total) * W; }
  }
  ice.style.width = W + "px"; ice.style.height = (maxDepth + 1) * RH + "px";
  const tip = $("#tip");
  for (const b of boxes) {
    const n = b.n;
    const d = el("div", { class: "box", dataset: { id: n.id } });
    d.style.left = b.x + "px"; d.style.top = b.depth * RH + "px"; d.style.width = Math.max(1, b.w - 1) + "px";
    const h = hue(n.class);
    d.style.background = n.type === "synthetic" ? "#cbd5e1" : `hsl(${h} 62% ${n.type === "object" || n.type === "closure" ? 74 : 84}%)`;
    if (b.w > 30) d.append(el("b", { text: n.class }), n.name && n.name !== n.class ? " " + clip(n.name, 80) : "");
    if (b.w > 160) d.append(el("span", { class: "size", text: fmtB(n.retained_size) }));
    d.addEventListener("mousemove", (e) => {
      tip.hidden = false;
      tip.replaceChildren(el("div", {}, el("b", { text: n.class }), " ", el("span", { class: "mono", text: clip(n.name, 160) + " @" + n.id })),
        el("div", { text: `${n.edge ? "via " + n.edge + " · " : ""}retained ${fmtB(n.retained_size)} (${pct(n.retained_size, totalSize())} of the heap, ${pct(n.retained_size, total)} of this view) · shallow ${fmtB(n.shallow_size)} · dominates ${fmtN(n.child_count)}` }));
      tip.style.left = Math.min(e.clientX + 12, innerWidth - 470) + "px"; tip.style.top = e.clientY + 14 + "px";
    });
    d.addEventListener("mouseleave", () => (tip.hidden = true));
    d.addEventListener("click", () => { tip.hidden = true; if (n.id !== from.id) location.hash = "#/tree/" + n.id; else if (doms.length) location.hash = "#/tree/" + doms[doms.length - 1].id; });
    d.addEventListener("contextmenu", (e) => { e.preventDefault(); location.hash = "#/object/" + n.id; });
    ice.append(d);
  }
  icicleSel = { parent: doms.length ? doms[doms.length - 1].id : null, from: from.id };
}

// ---- suspects ----
async function showSuspects() {
  let r;
  try { r = await api("suspects"); } catch (err) { return showError(view(), err); }
  const list = el("div", { class: "scroll", id: "suspects" });
  if (!r.suspects.length) list.append(el("p", { class: "empty", text: `No suspects: the detectors (${r.suspect_kinds.join(", ")}) found nothing above their thresholds.` }));
  for (const s of r.suspects) {
    const card = el("div", { class: "suspect" },
      el("div", { class: "head" }, el("span", { class: "kind", text: s.kind }), el("span", { class: "title", text: s.title }),
        el("span", { class: "size", text: `${fmtB(s.retained_size)} · ${pct(s.retained_size, r.total_size)} · ×${fmtN(s.count)}` })));
    if (s.detail) card.append(el("div", { class: "detail", text: s.detail }));
    if (s.path || s.id) {
      const p = el("div", { class: "path" }, s.path || "");
      if (s.id) p.append("  ", objLink(s.id), "  ", el("a", { href: "#/tree/" + s.id, text: "icicle" }));
      card.append(p);
    }
    card.append(evidence(s.evidence));
    list.append(card);
  }
  view().replaceChildren(list);
}
// evidence shows a suspect's evidence: its scalar facts, then its lists.
function evidence(ev) {
  const box = el("div");
  if (!ev) return box;
  const facts = [];
  for (const [k, v] of Object.entries(ev)) {
    if (Array.isArray(v)) {
      if (!v.length) continue;
      const t = el("table");
      for (const item of v.slice(0, 8)) {
        const tr = el("tr");
        if (typeof item !== "object") tr.append(el("td", { text: String(item) }));
        else for (const [ik, iv] of Object.entries(item)) {
          if (ik === "id" && iv) tr.append(el("td", {}, objLink(iv)));
          else tr.append(el("td", { text: typeof iv === "object" ? [iv.file, iv.line, iv.column].filter((x) => x).join(":") : typeof iv === "number" && /size|bytes/.test(ik) ? fmtB(iv) : String(iv) }));
        }
        t.append(tr);
      }
      if (v.length > 8) t.append(el("tr", {}, el("td", { class: "name", text: `… ${v.length - 8} more` })));
      box.append(el("div", { class: "name", text: k.replace(/_/g, " ") }), t);
    } else if (v !== "" && v != null && typeof v !== "object") facts.push(`${k.replace(/_/g, " ")}: ${v}`);
  }
  if (facts.length) box.prepend(el("div", { class: "detail mono", text: facts.join(" · ") }));
  return box;
}

// ---- statistics ----
async function showStats() {
  let a;
  try { a = await api("analyze?top=25&largest=20"); } catch (err) { return showError(view(), err); }
  const st = a.statistics;
  const slices = [
    ["Code", st.code, "#f59e0b"], ["Strings", st.strings, "#a855f7"], ["JS arrays", st.js_arrays, "#3b82f6"],
    ["Typed arrays", st.typed_arrays, "#06b6d4"], ["System objects", st.system, "#94a3b8"],
    ["Other JS objects", st.other_js_objects, "#22c55e"], ["Other non-JS objects", st.other_non_js_objects, "#f43f5e"],
  ];
  const bar = el("div", { class: "stackbar", id: "stats-bar" });
  const t = el("table", { class: "grid" });
  for (const [name, n, color] of slices) {
    const d = el("div", { title: `${name}: ${fmtB(n)}` }); d.style.width = Math.max(0, (100 * n) / Math.max(1, st.total)) + "%"; d.style.background = color; bar.append(d);
    const sw = el("span", { class: "swatch" }); sw.style.background = color;
    t.append(el("tr", {}, el("td", {}, sw, name), el("td", { class: "num", text: fmtB(n) }), el("td", { class: "pct", text: pct(n, st.total) }), el("td", { class: "num", text: fmtN(n) + " bytes" })));
  }
  t.append(el("tr", {}, el("td", {}, el("b", { text: "Total" })), el("td", { class: "num", text: fmtB(st.total) }), el("td"), el("td", { class: "num", text: fmtN(st.total) + " bytes" })));
  const facts = el("dl", { class: "kv" },
    el("dt", { text: "Total size" }), el("dd", { text: `${fmtB(a.total_size)} (${fmtN(a.total_size)} bytes)` }),
    el("dt", { text: "Nodes, edges" }), el("dd", { text: `${fmtN(a.nodes)}, ${fmtN(a.edges)}` }),
    el("dt", { text: "V8 heap, native" }), el("dd", { text: `${fmtB(st.v8heap)}, ${fmtB(st.native)}` }),
    el("dt", { text: "Unreachable" }), el("dd", { text: `${fmtN(a.unreachable.weak_only)} held only weakly, ${fmtN(a.unreachable.cycles)} in unreachable cycles` }),
    el("dt", { text: "Classes" }), el("dd", { text: fmtN(a.class_count) }),
    el("dt", { text: "Snapshot fields" }), el("dd", { text: a.format.node_fields.join(", ") }));
  const largest = el("table", { class: "grid", id: "largest" }, el("tr", {}, el("th", { text: "Largest objects" }), el("th", { class: "num", text: "Shallow" }), el("th", { class: "num", text: "Retained" }), el("th", { class: "num", text: "" })));
  for (const o of a.largest) {
    const td = el("td"); objectLabel(td, o);
    td.querySelector(".id").replaceWith(el("span", { class: "id" }, objLink(o.id)));
    largest.append(el("tr", {}, td, el("td", { class: "num", text: fmtB(o.shallow_size) }), el("td", { class: "num", text: fmtB(o.retained_size) }), el("td", { class: "pct", text: pct(o.retained_size, a.total_size) })));
  }
  view().replaceChildren(el("div", { class: "scroll" },
    el("div", { class: "cols2" }, el("section", { class: "card" }, el("h2", { text: "Statistics" }), bar, t), el("section", { class: "card" }, el("h2", { text: "Snapshot" }), facts)),
    el("section", { class: "card" }, largest)));
}

// ---- comparison ----
const diffState = { sort: "size-delta", filter: "" };
async function showDiff() {
  let d;
  try { d = await api("diff?top=0&sort=" + diffState.sort); } catch (err) { return showError(view(), err); }
  const ids = d.matching === "ids";
  const filter = el("input", { type: "search", placeholder: "Class filter", value: diffState.filter, spellcheck: "false" });
  const head = el("div", { class: "toolbar" }, filter,
    el("span", { class: "count", text: `${d.old.file} → ${d.new.file} · total ${fmtB(d.old.total_size)} → ${fmtB(d.new.total_size)} (${fmtSB(d.total_size_delta)}) · ${fmtN(d.class_count)} classes changed${d.class_count > d.classes.length ? `, top ${d.classes.length} shown` : ""}` }));
  const cols = [["Constructor", "name"], ["# New", "new", ids], ["# Deleted", "deleted", ids], ["# Delta", "count-delta"], ["Alloc. Size", "alloc", ids], ["Freed Size", "freed", ids],
    ["Size Delta", "size-delta"], ["Retained", null], ["Retained Δ", "retained-delta"]].filter((c) => c[2] !== false);
  const table = el("table", { class: "grid", id: "diff-table" });
  const sign = (n, text) => el("td", { class: "num " + (n > 0 ? "delta-up" : n < 0 ? "delta-down" : ""), text });
  const render = () => {
    const want = diffState.filter.toLowerCase();
    const tr = el("tr", {}, cols.map(([t, key], k) => {
      const th = el("th", { class: (k ? "num " : "") + (key ? "sortable " : "") + (diffState.sort === key ? "sorted" : ""), text: t });
      if (k === 0) th.style.width = "34%";
      if (key) th.addEventListener("click", () => { diffState.sort = key; showDiff(); });
      return th;
    }));
    const rows = d.classes.filter((c) => !want || c.name.toLowerCase().includes(want)).map((c) => {
      const name = el("td", {}, el("a", { href: "#/summary?filter=" + encodeURIComponent(c.name), text: c.name, title: c.key }));
      const cells = [name];
      if (ids) cells.push(el("td", { class: "num", text: fmtN(c.new_count) }), el("td", { class: "num", text: fmtN(c.deleted_count) }));
      cells.push(sign(c.delta_count, fmtSN(c.delta_count)));
      if (ids) cells.push(el("td", { class: "num", text: fmtB(c.alloc_size) }), el("td", { class: "num", text: fmtB(c.freed_size) }));
      cells.push(sign(c.size_delta, fmtSB(c.size_delta)), el("td", { class: "num", text: `${fmtB(c.old_retained_size)} → ${fmtB(c.new_retained_size)}` }), sign(c.retained_size_delta, fmtSB(c.retained_size_delta)));
      return el("tr", { class: "row" }, cells);
    });
    table.replaceChildren(el("thead", {}, tr), el("tbody", {}, rows));
  };
  filter.addEventListener("input", () => { diffState.filter = filter.value; render(); });
  render();
  const parts = [head];
  if (d.note) parts.push(el("p", { class: "note", text: d.note }));
  parts.push(table);
  if (d.listeners.length) {
    const lt = el("table", { class: "grid" }, el("tr", {}, el("th", { text: "Listeners: event on emitter", class: "wide" }), el("th", { class: "num", text: "Old" }), el("th", { class: "num", text: "New" }), el("th", { class: "num", text: "Δ" })));
    for (const l of d.listeners.slice(0, 50)) lt.append(el("tr", {}, el("td", {}, `'${l.event}' on ${l.emitter} `, l.path ? el("span", { class: "name", text: l.path }) : "", " ", objLink(l.emitter_id)), el("td", { class: "num", text: fmtN(l.old_count) }), el("td", { class: "num", text: fmtN(l.new_count) }), sign(l.delta_count, fmtSN(l.delta_count))));
    parts.push(el("section", { class: "card" }, lt));
  }
  view().replaceChildren(el("div", { class: "scroll" }, parts));
}

// ---- routing and keys ----
const routes = {
  summary: (arg, params) => showSummary(params),
  object: (arg) => showObject(arg),
  tree: (arg) => showTree(arg),
  suspects: () => showSuspects(),
  stats: () => showStats(),
  diff: () => showDiff(),
};
async function route() {
  const [path, query] = (location.hash.slice(2) || "summary").split("?");
  const [name, arg] = path.split("/");
  const tab = name === "object" ? "" : name;
  for (const a of document.querySelectorAll("nav#tabs a")) a.classList.toggle("on", a.dataset.tab === tab);
  $("#tip").hidden = true;
  icicleSel = null;
  await (routes[name] || routes.summary)(arg, new URLSearchParams(query || ""));
  document.body.dataset.ready = location.hash || "#/summary";
}

document.addEventListener("keydown", (e) => {
  const typing = e.target.matches("input, textarea");
  if (e.key === "Escape") { if (typing) e.target.blur(); $("#keys").close(); return; }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  const tabs = ["summary", "tree", "suspects", "stats", "diff"];
  if (e.key >= "1" && e.key <= "5") { location.hash = "#/" + tabs[+e.key - 1]; e.preventDefault(); return; }
  if (e.key === "/") { e.preventDefault(); if (!$("#class-filter")) location.hash = "#/summary"; setTimeout(() => $("#class-filter") && $("#class-filter").focus(), 50); return; }
  if (e.key === "g") { e.preventDefault(); $("#goto-id").focus(); return; }
  if (e.key === "?") { $("#keys").showModal(); return; }
  if (icicleSel && e.key === "Backspace" && icicleSel.parent) { location.hash = "#/tree/" + icicleSel.parent; e.preventDefault(); }
});

async function start() {
  $("#goto").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = $("#goto-id").value.trim().replace(/^@/, "");
    if (/^\d+$/.test(id)) { location.hash = "#/object/" + id; $("#goto-id").blur(); }
  });
  $("#keys-close").addEventListener("click", () => $("#keys").close());
  try { meta = await api("meta"); } catch (err) { return showError(view(), err); }
  $("#file").textContent = meta.base_file ? `${meta.file}  vs  ${meta.base_file}` : meta.file;
  $("#file").title = $("#file").textContent;
  $("#facts").textContent = `${fmtB(meta.total_size)} · ${fmtN(meta.nodes)} nodes · ${fmtN(meta.classes)} classes`;
  $("#suspect-count").textContent = meta.suspects || "";
  $("#diff-tab").hidden = !meta.base_file;
  document.title = "heapsnap · " + meta.file.split(/[\\/]/).pop();
  addEventListener("hashchange", route);
  await route();
}
start();
