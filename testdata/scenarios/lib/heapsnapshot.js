'use strict';
// Minimal V8 .heapsnapshot reader used to verify the scenario expectations.
// No dependencies; reads plain or gzip'ed snapshots.
const fs = require('fs');
const zlib = require('zlib');

function load(file) {
  let buf = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const json = JSON.parse(buf.toString('utf8'));
  return new Snapshot(json);
}

const ODDBALLS = new Set(['undefined', 'null', 'true', 'false', 'hole', 'uninitialized', 'the_hole']);

class Snapshot {
  constructor(json) {
    const meta = json.snapshot.meta;
    this.json = json;
    this.meta = meta;
    this.nodes = json.nodes;
    this.edges = json.edges;
    this.strings = json.strings;
    this.nf = meta.node_fields.length;
    this.ef = meta.edge_fields.length;
    this.nTypes = meta.node_types[0];
    this.eTypes = meta.edge_types[0];
    const nf = meta.node_fields;
    this.oType = nf.indexOf('type');
    this.oName = nf.indexOf('name');
    this.oId = nf.indexOf('id');
    this.oSelf = nf.indexOf('self_size');
    this.oEdgeCount = nf.indexOf('edge_count');
    this.oDetached = nf.indexOf('detachedness');
    const ef = meta.edge_fields;
    this.oEType = ef.indexOf('type');
    this.oEName = ef.indexOf('name_or_index');
    this.oETo = ef.indexOf('to_node');
    this.nodeCount = this.nodes.length / this.nf;
    this.firstEdge = new Uint32Array(this.nodeCount + 1);
    for (let i = 0, e = 0; i < this.nodeCount; i++) {
      this.firstEdge[i] = e;
      e += this.nodes[i * this.nf + this.oEdgeCount] * this.ef;
    }
    this.firstEdge[this.nodeCount] = this.edges.length;
    this._locations = null;
    this._retainers = null;
  }
  type(n) { return this.nTypes[this.nodes[n * this.nf + this.oType]]; }
  name(n) { return this.strings[this.nodes[n * this.nf + this.oName]]; }
  id(n) { return this.nodes[n * this.nf + this.oId]; }
  selfSize(n) { return this.nodes[n * this.nf + this.oSelf]; }
  detachedness(n) { return this.oDetached < 0 ? 0 : this.nodes[n * this.nf + this.oDetached]; }
  // Edges of node n as {type, name, to} (name is a string or an index number).
  edgesOf(n) {
    const out = [];
    for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.ef) {
      const type = this.eTypes[this.edges[e + this.oEType]];
      const raw = this.edges[e + this.oEName];
      const name = (type === 'element' || type === 'hidden') ? raw : this.strings[raw];
      out.push({ type, name, to: this.edges[e + this.oETo] / this.nf });
    }
    return out;
  }
  // The value of an Oddball node ('undefined', 'null', 'true', 'false', ...), or
  // null if n is not one. V8 11/12 (Node 20/22) write 'system / Oddball' with a
  // hidden edge to the value's string; V8 13/14 (Node 24/26) a hidden node
  // named by the value; V8 15 (Chromium 156, Deno 2.9) a native node named by it.
  oddball(n) {
    const name = this.name(n);
    if (name === 'system / Oddball') {
      for (const e of this.edgesOf(n)) if (e.type === 'hidden' && this.type(e.to) === 'string') return this.name(e.to);
      return '';
    }
    const t = this.type(n);
    if ((t === 'hidden' || t === 'native') && this.selfSize(n) === 0 && ODDBALLS.has(name)) return name;
    return null;
  }
  edge(n, name, type) {
    for (const e of this.edgesOf(n)) if (e.name === name && (!type || e.type === type)) return e.to;
    return -1;
  }
  byId(id) {
    if (!this._byId) { this._byId = new Map(); for (let i = 0; i < this.nodeCount; i++) this._byId.set(this.id(i), i); }
    return this._byId.has(id) ? this._byId.get(id) : -1;
  }
  // Map node ordinal -> [script_id, line, column] (0-based line and column, as V8 writes them).
  location(n) {
    if (!this._locations) {
      this._locations = new Map();
      const lf = this.meta.location_fields || [];
      const loc = this.json.locations || [];
      const oi = lf.indexOf('object_index'), os = lf.indexOf('script_id'), ol = lf.indexOf('line'), oc = lf.indexOf('column');
      for (let i = 0; i < loc.length; i += lf.length) {
        this._locations.set(loc[i + oi] / this.nf, [loc[i + os], loc[i + ol], loc[i + oc]]);
      }
    }
    return this._locations.get(n) || null;
  }
  // Script name of a closure, through closure -shared-> SharedFunctionInfo -script-> Script -name-> string.
  scriptName(n) {
    const shared = this.edge(n, 'shared');
    if (shared < 0) return null;
    let script = this.edge(shared, 'script_or_debug_info');
    if (script < 0) script = this.edge(shared, 'script');
    if (script < 0) return null;
    if (this.name(script) === 'system / DebugInfo') script = this.edge(script, 'script');
    if (script < 0) return null;
    const name = this.edge(script, 'name');
    return name < 0 ? null : this.name(name);
  }
  retainers() {
    if (this._retainers) return this._retainers;
    const count = new Uint32Array(this.nodeCount + 1);
    for (let e = 0; e < this.edges.length; e += this.ef) count[this.edges[e + this.oETo] / this.nf]++;
    const first = new Uint32Array(this.nodeCount + 1);
    for (let i = 0; i < this.nodeCount; i++) first[i + 1] = first[i] + count[i];
    const fill = first.slice();
    const from = new Uint32Array(this.edges.length / this.ef);
    const edgeIdx = new Uint32Array(this.edges.length / this.ef);
    for (let n = 0; n < this.nodeCount; n++) {
      for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.ef) {
        const to = this.edges[e + this.oETo] / this.nf;
        from[fill[to]] = n; edgeIdx[fill[to]] = e; fill[to]++;
      }
    }
    this._retainers = { first, from, edgeIdx };
    return this._retainers;
  }
  // Node ordinal of the first global object the synthetic root points to with a
  // shortcut edge ('global' in Node.js, 'Window' in Chromium), or -1.
  globalObject() {
    for (const e of this.edgesOf(0)) if (e.type === 'shortcut') return e.to;
    return -1;
  }
  // Shortest path from node `start` to node `target` (a node ordinal, or a
  // function of one that accepts the goal), following edges other than weak
  // and shortcut ones; returns [{edgeType, edge, node}] (start excluded).
  // opts.skipEdgeTypes: the edge types not followed; opts.skip(type, name,
  // from, to): true for an edge not to follow.
  pathTo(target, start = 0, opts = {}) {
    const skip = new Set(opts.skipEdgeTypes || ['weak', 'shortcut']);
    const skipEdge = opts.skip || null;
    const isGoal = typeof target === 'function' ? target : (n) => n === target;
    const prev = new Int32Array(this.nodeCount).fill(-1);
    const prevEdge = new Int32Array(this.nodeCount).fill(-1);
    const seen = new Uint8Array(this.nodeCount);
    const queue = [start]; seen[start] = 1;
    let goal = -1;
    for (let qi = 0; qi < queue.length; qi++) {
      const n = queue[qi];
      if (isGoal(n) && (n !== start || typeof target !== 'function')) { goal = n; break; }
      for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.ef) {
        const t = this.eTypes[this.edges[e + this.oEType]];
        if (skip.has(t)) continue;
        const to = this.edges[e + this.oETo] / this.nf;
        if (seen[to]) continue;
        if (skipEdge) {
          const raw = this.edges[e + this.oEName];
          if (skipEdge(t, (t === 'element' || t === 'hidden') ? raw : this.strings[raw], n, to)) continue;
        }
        seen[to] = 1; prev[to] = n; prevEdge[to] = e; queue.push(to);
      }
    }
    if (goal < 0) return null;
    const path = [];
    for (let n = goal; n !== start; n = prev[n]) {
      const e = prevEdge[n];
      const t = this.eTypes[this.edges[e + this.oEType]];
      const raw = this.edges[e + this.oEName];
      path.push({ edgeType: t, edge: (t === 'element' || t === 'hidden') ? raw : this.strings[raw], node: n });
    }
    return path.reverse();
  }
}

module.exports = { load, Snapshot };
