'use strict';
// Snapshot helpers shared by the leak scanners (inventory.js): the global
// object, function and script names, user-code contexts, readable paths,
// and the DevTools oracle's numbers. Built on the scenarios' reader
// (../../scenarios/lib/heapsnapshot.js); nothing here uses heapsnap.
const { fnInfo } = require('../../scenarios/lib/facts');

// Where make.sh stages the programs; script names in the snapshots start
// with it (or with file:// and it).
const STAGE = (process.env.HEAPSNAP_LEAKS_STAGE || '/tmp/heapsnap-leaks').replace(/\/$/, '') + '/';

// A script name relative to the staging directory, or null for scripts that
// are not the programs' (runtime internals).
function userFile(file) {
  if (!file) return null;
  const f = file.startsWith('file://') ? file.slice('file://'.length) : file;
  return f.startsWith(STAGE) ? f.slice(STAGE.length) : null;
}

// A function's name and 1-based location, with `where` = "relative/file.js:L:C"
// for user code (see ../README.md, "Source locations").
function fn(s, closure) {
  const info = fnInfo(s, closure);
  const rel = userFile(info.file);
  if (rel && info.line) info.where = `${rel}:${info.line}:${info.column}`;
  return info;
}

// The user's function behind a callback: bound functions are unwrapped.
function targetFunction(s, closure) {
  for (let i = 0; i < 8 && closure >= 0; i++) {
    const bound = s.edge(closure, 'bound_function', 'internal');
    if (bound < 0) return closure;
    closure = bound;
  }
  return closure;
}

function isNativeContext(s, n) { return s.name(n).startsWith('system / NativeContext'); }

// The JS global object, and how an engineer calls it. Node 20-24 point the
// root's shortcut edge at it; Node 26 points it at the NativeContext, whose
// `global_object` is it; Chromium and Deno write no shortcut edge, so the
// NativeContext's `global_object` is used.
function globalObject(s, runtime) {
  let g = -1;
  for (const e of s.edgesOf(0)) if (e.type === 'shortcut') { g = e.to; break; }
  if (g >= 0 && isNativeContext(s, g)) g = s.edge(g, 'global_object', 'internal');
  if (g < 0) {
    for (let n = 0; n < s.nodeCount && g < 0; n++) if (isNativeContext(s, n)) g = s.edge(n, 'global_object', 'internal');
  }
  const label = { node: 'global', chromium: 'window', deno: 'globalThis' }[runtime];
  return { node: g, label };
}

// Retainers of n as [{from, type, name}].
function retainersOf(s, n) {
  const r = s.retainers();
  const out = [];
  for (let i = r.first[n]; i < r.first[n + 1]; i++) {
    const e = r.edgeIdx[i];
    const type = s.eTypes[s.edges[e + s.oEType]];
    const raw = s.edges[e + s.oEName];
    out.push({ from: r.from[i], type, name: (type === 'element' || type === 'hidden') ? raw : s.strings[raw] });
  }
  return out;
}

function isContext(s, n) { return s.type(n) === 'object' && s.name(n).startsWith('system / Context'); }

// Top-level contexts of user code: for every closure of a user script, the
// outermost context below the NativeContext (a CommonJS module's function
// scope, an ES module's scope, a classic script's script scope). Returns
// Map(context node -> relative file).
function userTopContexts(s) {
  const out = new Map();
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.type(n) !== 'closure') continue;
    const file = userFile(s.scriptName(n));
    if (!file) continue;
    let c = s.edge(n, 'context', 'internal');
    let top = -1;
    for (let i = 0; i < 64 && c >= 0 && isContext(s, c); i++) {
      top = c;
      c = s.edge(c, 'previous', 'internal');
    }
    if (top >= 0 && c >= 0 && isNativeContext(s, c) && !out.has(top)) out.set(top, file);
  }
  return out;
}

// A top-level context's variable, by file and name: the node it holds, or -1.
function moduleVariable(s, contexts, file, variable) {
  for (const [c, f] of contexts) {
    if (f !== file) continue;
    const v = s.edge(c, variable, 'context');
    if (v >= 0) return v;
  }
  return -1;
}

const SKIP_PROPERTIES = new Set(['__proto__', 'constructor', 'prototype']);

function isIdentifier(name) { return /^[A-Za-z_$#][\w$]*$/.test(name); }

// Steps an engineer can read, out of node n: property and element edges,
// Map/Set entries (through the `table`), and the context variables of a
// closure of user code (not of runtime functions, whose contexts lead into
// the runtime's internals).
function* readableSteps(s, n) {
  const cls = s.name(n);
  for (const e of s.edgesOf(n)) {
    if (e.type === 'property' && !SKIP_PROPERTIES.has(e.name)) {
      yield { to: e.to, label: isIdentifier(e.name) ? '.' + e.name : `[${JSON.stringify(e.name)}]` };
    } else if (e.type === 'element') {
      yield { to: e.to, label: `[${e.name}]` };
    } else if (e.type === 'internal' && e.name === 'table' && (cls === 'Map' || cls === 'Set')) {
      for (const entry of tableEntries(s, n).entries) {
        if (cls === 'Map' && entry.value >= 0) {
          const key = entry.key >= 0 && s.type(entry.key) === 'string' ? JSON.stringify(s.name(entry.key)).replace(/^"|"$/g, "'") : '…';
          yield { to: entry.value, label: `.get(${key})` };
        } else if (cls === 'Set' && entry.key >= 0) {
          yield { to: entry.key, label: '.values()[…]' };
        }
      }
    } else if (e.type === 'internal' && e.name === 'context' && s.type(n) === 'closure' && userFile(s.scriptName(n))) {
      for (const v of s.edgesOf(e.to)) if (v.type === 'context') yield { to: v.to, label: `{context}.${v.name}` };
    }
  }
}

// The shortest readable path to `target` from an anchor: a global variable
// (global.x…) or a variable of a user top-level context ("file: x…").
// Returns { anchor, text } or null.
function readablePath(s, target, globalInfo, contexts) {
  const prev = new Int32Array(s.nodeCount).fill(-2);
  const label = new Array(s.nodeCount);
  const origin = new Array(s.nodeCount);
  const queue = [];
  const visit = (n, from, text, org) => {
    if (prev[n] !== -2) return;
    prev[n] = from; label[n] = text; origin[n] = org; queue.push(n);
  };
  for (const [c, file] of contexts) {
    for (const v of s.edgesOf(c)) {
      if (v.type === 'context') visit(v.to, -1, `${file}: ${v.name}`, { kind: 'module', file, variable: v.name });
    }
  }
  if (globalInfo.node >= 0) {
    for (const e of s.edgesOf(globalInfo.node)) {
      if (e.type === 'property' && !SKIP_PROPERTIES.has(e.name)) {
        const name = isIdentifier(e.name) ? '.' + e.name : `[${JSON.stringify(e.name)}]`;
        visit(e.to, -1, globalInfo.label + name, { kind: 'global', variable: e.name });
      }
    }
  }
  for (let qi = 0; qi < queue.length && prev[target] === -2; qi++) {
    const n = queue[qi];
    for (const step of readableSteps(s, n)) visit(step.to, n, step.label, origin[n]);
  }
  if (prev[target] === -2) return null;
  const parts = [];
  for (let n = target; n >= 0; n = prev[n]) parts.push(label[n]);
  return { anchor: origin[target], text: parts.reverse().join('') };
}

// An OrderedHashMap/OrderedHashSet backing store: its bucket count, and the
// entries whose key or value is a heap object (Smis are not in snapshots;
// deleted entries hold the hole). The store's length gives the bucket count:
// 3 header slots + B buckets + 2B entries of 3 (Map) or 2 (Set) slots. Node
// writes 8-byte slots, Chromium 4-byte ones (pointer compression); the slot
// size that makes the numbers whole is used.
function tableEntries(s, collection) {
  const table = s.edge(collection, 'table', 'internal');
  const isMap = s.name(collection) === 'Map';
  const width = isMap ? 3 : 2;
  const out = { table, buckets: null, entries: [] };
  if (table < 0) return out;
  const self = s.selfSize(table);
  for (const [slot, header] of [[8, 16], [4, 8]]) {
    const len = (self - header) / slot;
    if (Number.isInteger(len) && (len - 3) % (1 + 2 * width) === 0) { out.buckets = (len - 3) / (1 + 2 * width); break; }
  }
  if (out.buckets === null) return out;
  const first = 3 + out.buckets;
  const byEntry = new Map();
  for (const e of s.edgesOf(table)) {
    if (e.type !== 'internal' || !/^\d+$/.test(e.name)) continue;
    const i = +e.name - first;
    if (i < 0 || s.oddball(e.to) !== null) continue;
    const k = Math.floor(i / width);
    if (!byEntry.has(k)) byEntry.set(k, { key: -1, value: -1 });
    if (i % width === 0) byEntry.get(k).key = e.to;
    else if (isMap && i % width === 1) byEntry.get(k).value = e.to;
  }
  out.entries = [...byEntry.keys()].sort((a, b) => a - b).map((k) => byEntry.get(k));
  return out;
}

// "req-17" -> "req-<n>": digit runs become <n>; cut after 40 characters.
function keyPattern(key) {
  const p = key.replace(/\d+/g, '<n>');
  return p.length > 40 ? p.slice(0, 40) + '…' : p;
}

// Counts of a list of strings, most frequent first: [[value, count]...].
function tally(values) {
  const m = new Map();
  for (const v of values) m.set(v, (m.get(v) || 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

// The DevTools oracle's numbers for node n (from run.mjs --out), or null.
function devtools(oracle, s, n) {
  if (!oracle || n < 0) return null;
  return oracle.get(s.id(n)) || null;
}

module.exports = {
  STAGE, userFile, fn, targetFunction, globalObject, retainersOf, isContext, isNativeContext,
  userTopContexts, moduleVariable, readablePath, tableEntries, keyPattern, tally, devtools,
};
