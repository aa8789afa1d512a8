'use strict';
// Prints, as JSON, the leak-relevant facts of a V8 heap snapshot, read straight
// from the snapshot's nodes/edges (no DevTools code). Used by make.sh to write
// expected/NAME.facts.json and to check the README's numbers.
//
// usage: node lib/facts.js SNAPSHOT[.gz] [--count Name1,Name2,...] [--collection PATH ...]
//   --count       also count nodes of type object/closure with these names
//   --collection  dotted property path from the global object (e.g. cache.sessions);
//                 reports the collection's kind and entry count
//   --oracle-nodes the DevTools oracle's per-node TSV (run.mjs --out) of the same
//                 snapshot: adds `devtools: {className, selfSize, retainedSize, distance}`
//                 to every reported object
//
// Conventions of the output:
//   line0/column0  V8's 0-based values from the snapshot's `locations` section
//   line/column    the same position 1-based, as an editor shows it
//   loc            "file:line:column" with the 1-based values
//   file           the script name (closure -shared-> SharedFunctionInfo
//                  -script_or_debug_info-> Script; the Script node's name)
const { load } = require('./heapsnapshot');

function parseArgs(argv) {
  const opts = { file: null, count: [], collections: [], oracleNodes: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--count') opts.count.push(...argv[++i].split(',').filter(Boolean));
    else if (a === '--collection') opts.collections.push(argv[++i]);
    else if (a === '--oracle-nodes') opts.oracleNodes = argv[++i];
    else if (!opts.file) opts.file = a;
    else throw new Error('unexpected argument ' + a);
  }
  if (!opts.file) throw new Error('usage: node lib/facts.js SNAPSHOT [--count A,B] [--collection a.b]');
  return opts;
}

function isOddball(s, n) { return s.oddball(n) !== null; }
function oddballValue(s, n) { return s.oddball(n); }

function fnInfo(s, n) {
  const info = { name: s.name(n), id: s.id(n) };
  const loc = s.location(n);
  const file = s.scriptName(n);
  if (loc) {
    info.scriptId = loc[0];
    info.line0 = loc[1];
    info.column0 = loc[2];
    info.line = loc[1] + 1;
    info.column = loc[2] + 1;
    info.file = file;
    info.loc = `${file}:${loc[1] + 1}:${loc[2] + 1}`;
  }
  return info;
}

// A listener as stored by EventEmitter: a closure, or a once() wrapper
// (native_bind closure with a `listener` property -> the user's function).
function emitterListener(s, n) {
  const user = s.edge(n, 'listener', 'property');
  if (s.type(n) === 'closure' && user >= 0) return { once: true, fn: fnInfo(s, user) };
  return { once: false, fn: fnInfo(s, n) };
}

function groupListeners(list) {
  const groups = new Map();
  for (const l of list) {
    const key = `${l.once}|${l.fn.name}|${l.fn.loc || ''}`;
    if (!groups.has(key)) {
      const g = { count: 0, once: l.once, name: l.fn.name };
      if (l.fn.loc) Object.assign(g, { loc: l.fn.loc, file: l.fn.file, line: l.fn.line, column: l.fn.column, line0: l.fn.line0, column0: l.fn.column0 });
      groups.set(key, g);
    }
    groups.get(key).count++;
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.loc || '').localeCompare(b.loc || ''));
}

function formatPath(path) {
  if (!path) return null;
  let out = 'global';
  for (const step of path) {
    if (step.edgeType === 'element') out += `[${step.edge}]`;
    else if (step.edgeType === 'property' && /^[A-Za-z_$#][\w$]*$/.test(step.edge)) out += '.' + step.edge;
    else out += `[${step.edgeType === 'property' ? '' : step.edgeType + ':'}${JSON.stringify(String(step.edge))}]`;
  }
  return out;
}

function ownerPath(s, g, n) {
  if (g < 0) return null;
  return formatPath(s.pathTo(n, g));
}

function emitters(s, g) {
  const out = [];
  for (let n = 0; n < s.nodeCount; n++) {
    const ev = s.edge(n, '_events', 'property');
    if (ev < 0 || isOddball(s, ev) || s.type(ev) !== 'object') continue;
    const events = {};
    const undefinedKeys = [];
    for (const e of s.edgesOf(ev)) {
      if (e.type !== 'property' || e.name === '__proto__') continue;
      const t = e.to;
      if (isOddball(s, t)) { undefinedKeys.push(e.name); continue; }
      let list = [];
      let warned = false;
      let storage;
      if (s.type(t) === 'closure') {
        storage = 'function';
        list = [emitterListener(s, t)];
      } else {
        storage = 'array';
        for (const x of s.edgesOf(t)) {
          if (x.type === 'element') list.push(emitterListener(s, x.to));
          if (x.type === 'property' && x.name === 'warned') warned = oddballValue(s, x.to) === 'true';
        }
      }
      events[e.name] = { count: list.length, storage, id: s.id(t), warned, listeners: groupListeners(list) };
    }
    if (Object.keys(events).length === 0 && undefinedKeys.length === 0) continue;
    out.push({ id: s.id(n), className: s.name(n), path: ownerPath(s, g, n), events, undefinedKeys });
  }
  return out;
}

// Node.js EventTarget (e.g. AbortSignal): <symbol kEvents> -> Map; its table
// holds type string -> root object whose `next` chain links Listener objects.
function eventTargets(s, g) {
  const out = [];
  for (let n = 0; n < s.nodeCount; n++) {
    const map = s.edge(n, '<symbol kEvents>', 'property');
    if (map < 0 || s.type(map) !== 'object') continue;
    const table = s.edge(map, 'table', 'internal');
    const slots = new Map();
    if (table >= 0) for (const e of s.edgesOf(table)) if (e.type === 'internal' && /^\d+$/.test(e.name)) slots.set(+e.name, e.to);
    const events = {};
    for (const [idx, key] of slots) {
      if (s.type(key) !== 'string' || !slots.has(idx + 1)) continue;
      let cur = s.edge(slots.get(idx + 1), 'next', 'property');
      const list = [];
      const seen = new Set();
      while (cur >= 0 && !isOddball(s, cur) && !seen.has(cur)) {
        seen.add(cur);
        const fn = s.edge(cur, 'listener', 'property');
        if (fn >= 0 && !isOddball(s, fn)) list.push({ once: false, fn: fnInfo(s, fn) });
        cur = s.edge(cur, 'next', 'property');
      }
      events[s.name(key)] = { count: list.length, listeners: groupListeners(list) };
    }
    const w = s.edge(n, '<symbol events.maxEventTargetListenersWarned>', 'property');
    out.push({
      id: s.id(n), className: s.name(n), path: ownerPath(s, g, n),
      warned: w >= 0 && oddballValue(s, w) === 'true', events,
    });
  }
  return out;
}

// Blink DOM: nodes whose `detachedness` is 2 (detached), grouped by name, and
// the JS listeners reachable from them through
// EventTargetData -> vector -> RegisteredEventListener -> EventListener -> V8EventListener -> closure.
function dom(s) {
  if (s.oDetached < 0) return null;
  const detached = {};
  let detachedCount = 0;
  let attachedCount = 0;
  const listenersOn = (n) => {
    const found = [];
    const walk = (x, depth, want) => {
      for (const e of s.edgesOf(x)) {
        if (e.type === 'weak') continue;
        const nm = s.name(e.to);
        if (want === 'closure' ? s.type(e.to) === 'closure' : nm.startsWith(want)) {
          if (want === 'closure') found.push(e.to);
          else walk(e.to, depth + 1, NEXT[want]);
        }
      }
    };
    const NEXT = {
      'blink::EventTargetData': 'blink::BasicHeapVector', 'blink::BasicHeapVector': 'blink::RegisteredEventListener',
      'blink::RegisteredEventListener': 'EventListener', 'EventListener': 'V8EventListener', 'V8EventListener': 'closure',
    };
    walk(n, 0, 'blink::EventTargetData');
    return found;
  };
  const detachedListeners = [];
  const attachedListeners = [];
  for (let n = 0; n < s.nodeCount; n++) {
    const d = s.detachedness(n);
    if (d === 2) { detachedCount++; detached[s.name(n)] = (detached[s.name(n)] || 0) + 1; }
    if (d === 1) attachedCount++;
    if (d === 0) continue;
    for (const c of listenersOn(n)) (d === 2 ? detachedListeners : attachedListeners).push({ once: false, fn: fnInfo(s, c), on: s.name(n) });
  }
  return {
    detachedNodeCount: detachedCount, attachedNodeCount: attachedCount, detachedByName: detached,
    detachedListeners: groupListeners(detachedListeners), attachedListeners: groupListeners(attachedListeners),
  };
}

function counts(s, names) {
  const want = new Set(names);
  const out = {};
  for (const nm of names) out[nm] = { object: 0, closure: 0 };
  for (let n = 0; n < s.nodeCount; n++) {
    const nm = s.name(n);
    if (!want.has(nm)) continue;
    const t = s.type(n);
    if (t === 'object' || t === 'closure') out[nm][t]++;
  }
  return out;
}

function collection(s, g, dotted) {
  let n = g;
  for (const p of dotted.split('.')) { n = s.edge(n, p, 'property'); if (n < 0) return { path: dotted, missing: true }; }
  const res = { path: 'global.' + dotted, id: s.id(n), className: s.name(n), type: s.type(n) };
  if (s.type(n) === 'closure') {
    Object.assign(res, fnInfo(s, n));
    return res;
  }
  const table = s.edge(n, 'table', 'internal');
  if ((res.className === 'Map' || res.className === 'Set') && table >= 0) {
    const idx = s.edgesOf(table).filter((e) => e.type === 'internal' && /^\d+$/.test(e.name)).map((e) => ({ i: +e.name, to: e.to }));
    res.kind = res.className;
    res.tableIndexEdges = idx.length;
    res.tableSelfSize = s.selfSize(table);
    if (res.className === 'Set') res.entries = idx.length;
    else {
      // OrderedHashMap entry = key, value, chain: count entries with a heap value
      // or a heap key (every key and value in these scenarios is a heap object).
      const entryStart = Math.min(...idx.map((x) => x.i));
      const entries = new Set(idx.map((x) => Math.floor((x.i - entryStart) / 3)));
      res.entries = entries.size;
    }
    return res;
  }
  const elements = s.edgesOf(n).filter((e) => e.type === 'element');
  const props = s.edgesOf(n).filter((e) => e.type === 'property' && e.name !== '__proto__');
  if (res.className === 'Array') {
    res.kind = 'Array';
    res.entries = elements.length;
    const el = s.edge(n, 'elements', 'internal');
    if (el >= 0) res.elementsSelfSize = s.selfSize(el);
    const names = new Map();
    for (const e of elements) names.set(s.type(e.to) + ':' + s.name(e.to).slice(0, 40), (names.get(s.type(e.to) + ':' + s.name(e.to).slice(0, 40)) || 0) + 1);
    res.elementKinds = Object.fromEntries([...names].sort((a, b) => b[1] - a[1]).slice(0, 3));
  } else {
    res.kind = 'object';
    res.entries = props.length;
    const p = s.edge(n, 'properties', 'internal');
    if (p >= 0) res.propertiesStore = { name: s.name(p), type: s.type(p), selfSize: s.selfSize(p) };
  }
  return res;
}

// Strings that occur as >= 100 distinct heap objects with the same value.
function duplicatedStrings(s) {
  const m = new Map();
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.type(n) !== 'string') continue;
    const k = s.nodes[n * s.nf + s.oName];
    const v = m.get(k) || { count: 0, size: 0 };
    v.count++; v.size += s.selfSize(n);
    m.set(k, v);
  }
  return [...m].filter(([, v]) => v.count >= 100).sort((a, b) => b[1].count - a[1].count)
    .map(([k, v]) => ({ value: s.strings[k].length > 80 ? s.strings[k].slice(0, 80) + '…' : s.strings[k], length: s.strings[k].length, count: v.count, totalSelfSize: v.size }));
}

function readOracleNodes(file) {
  const zlib = require('zlib');
  let buf = require('fs').readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const lines = buf.toString('utf8').split('\n');
  const head = lines[0].split('\t');
  const col = (n) => head.indexOf(n);
  const [cId, cClass, cSelf, cRet, cDist, cDom] = ['id', 'class_name', 'self_size', 'retained_size', 'distance', 'dominator_id'].map(col);
  const byId = new Map();
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split('\t');
    const v = { className: f[cClass], selfSize: +f[cSelf], retainedSize: +f[cRet], distance: +f[cDist] };
    // The immediate dominator, kept out of the scenarios' facts.json (not enumerable).
    if (cDom >= 0) Object.defineProperty(v, 'dominatorId', { value: +f[cDom], enumerable: false });
    byId.set(+f[cId], v);
  }
  return byId;
}

// Adds the oracle's numbers to every object in the output that has an `id`
// (listener groups are skipped: their id is not stored).
function annotate(v, byId) {
  if (Array.isArray(v)) { for (const x of v) annotate(x, byId); return; }
  if (v === null || typeof v !== 'object') return;
  if (typeof v.id === 'number' && byId.has(v.id) && !('count' in v && 'once' in v)) v.devtools = byId.get(v.id);
  for (const k of Object.keys(v)) if (k !== 'devtools') annotate(v[k], byId);
}

// JSON with one line per object whose values are all primitives.
function pretty(v, ind) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const flat = (Array.isArray(v) ? v : Object.values(v)).every((x) => x === null || typeof x !== 'object');
  if (flat) return JSON.stringify(v);
  const ind2 = ind + ' ';
  if (Array.isArray(v)) return v.length ? '[\n' + v.map((x) => ind2 + pretty(x, ind2)).join(',\n') + '\n' + ind + ']' : '[]';
  const keys = Object.keys(v);
  return '{\n' + keys.map((k) => ind2 + JSON.stringify(k) + ': ' + pretty(v[k], ind2)).join(',\n') + '\n' + ind + '}';
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const s = load(opts.file);
  let g = s.globalObject();
  if (g < 0) { // Chromium: no shortcut edges from the root; use the JS global object.
    for (let n = 0; n < s.nodeCount; n++) if (s.type(n) === 'object' && s.name(n).startsWith('Window [JSGlobalObject]')) { g = n; break; }
  }
  const out = {
    nodeCount: s.nodeCount,
    edgeCount: s.edges.length / s.ef,
    globalObject: g >= 0 ? { id: s.id(g), name: s.name(g) } : null,
    emitters: emitters(s, g),
    eventTargets: eventTargets(s, g),
    dom: dom(s),
    duplicatedStrings: duplicatedStrings(s),
  };
  if (opts.count.length) out.counts = counts(s, opts.count);
  if (opts.collections.length) out.collections = opts.collections.map((c) => collection(s, g, c));
  if (opts.oracleNodes) annotate(out, readOracleNodes(opts.oracleNodes));
  process.stdout.write(pretty(out, '') + '\n');
}

module.exports = { fnInfo, emitterListener, groupListeners, formatPath, emitters, eventTargets, dom, duplicatedStrings, readOracleNodes, annotate, pretty };
if (require.main === module) main();
