'use strict';
// Scanners that list, straight from a snapshot's nodes and edges, every
// structure of each leak shape: listeners, timers, collections, closures
// and promise reactions. Each scanner knows the layouts that LAYOUTS.md
// describes (Node 20/22/24/26, Chromium 156, Deno 2.9) and nothing of the
// programs; facts.js picks the programs' leaks out of these lists.
const { emitters: scenarioEmitters, eventTargets: scenarioEventTargets, groupListeners } = require('../../scenarios/lib/facts');
const { fn, targetFunction, retainersOf, tableEntries, keyPattern, tally } = require('./graph');

const listener = (s, closure) => ({ once: false, fn: fn(s, closure) });

// Listener groups with `where` kept (groupListeners keeps loc/line/column).
function groups(s, closures) {
  return groupListeners(closures.map((c) => listener(s, c))).map((g) => {
    const one = closures.find((c) => fn(s, c).loc === g.loc && s.name(c) === g.name);
    return { ...g, where: one !== undefined ? fn(s, one).where : undefined };
  });
}

// ---- listeners -------------------------------------------------------------

// Node EventEmitter (`_events`), as the scenarios read it.
function emitterListeners(s, g) { return scenarioEmitters(s, g); }

// Node EventTarget (`<symbol kEvents>` Map of type -> linked Listener objects).
function nodeEventTargets(s, g) {
  return scenarioEventTargets(s, g).map((t) => {
    const node = s.byId(t.id);
    return { ...t, node, listenerClosures: listenerClosuresOfNodeTarget(s, node) };
  });
}

function listenerClosuresOfNodeTarget(s, target) {
  const out = {};
  const map = s.edge(target, '<symbol kEvents>', 'property');
  const { entries } = tableEntries(s, map);
  for (const { key, value } of entries) {
    if (key < 0 || value < 0 || s.type(key) !== 'string') continue;
    const list = [];
    const seen = new Set();
    for (let cur = s.edge(value, 'next', 'property'); cur >= 0 && s.oddball(cur) === null && !seen.has(cur); cur = s.edge(cur, 'next', 'property')) {
      seen.add(cur);
      const f = s.edge(cur, 'listener', 'property');
      if (f >= 0 && s.oddball(f) === null) list.push({ listenerObject: cur, closure: f });
    }
    out[s.name(key)] = list;
  }
  return out;
}

// Deno's web EventTarget: a property keyed by an unnamed symbol -> Object
// with `listeners` -> Object {type: Array of {callback, options}}.
function denoEventTargets(s) {
  const out = [];
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.type(n) !== 'object') continue;
    for (const e of s.edgesOf(n)) {
      if (e.type !== 'property' || !String(e.name).startsWith('<symbol')) continue;
      const lists = s.edge(e.to, 'listeners', 'property');
      if (lists < 0 || s.type(lists) !== 'object' || s.oddball(lists) !== null) continue;
      const events = {};
      for (const t of s.edgesOf(lists)) {
        if (t.type !== 'property' || t.name === '__proto__' || s.name(t.to) !== 'Array') continue;
        const entries = s.edgesOf(t.to).filter((x) => x.type === 'element').map((x) => x.to);
        const closures = entries.map((x) => s.edge(x, 'callback', 'property')).filter((c) => c >= 0 && s.type(c) === 'closure');
        events[t.name] = { entries, closures };
      }
      out.push({ node: n, id: s.id(n), className: s.name(n), dataSymbol: e.name, data: e.to, lists, events });
      break;
    }
  }
  return out;
}

// Blink: every EventTargetData, its owner (Window, HTMLDocument, an element),
// and one list per event type. Blink does not write the event type's name:
// EventTargetData -> per-type BasicHeapVector<...RegisteredEventListener...>
// (directly for up to 2 types, else through a HeapVectorBacking<std::pair<
// AtomicString, ...>>) -> RegisteredEventListener (directly when the vector
// holds 1, else through a HeapVectorBacking) -> EventListener ->
// V8EventListener -> the closure (or a native listener).
function blinkEventTargets(s) {
  const out = [];
  const named = (n, prefix) => s.name(n).startsWith(prefix);
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.name(n) !== 'blink::EventTargetData') continue;
    const owners = retainersOf(s, n).filter((r) => r.type !== 'weak').map((r) => r.from);
    const typeVectors = [];
    for (const e of s.edgesOf(n)) {
      if (named(e.to, 'blink::HeapVectorBacking<std::pair<blink::AtomicString')) {
        for (const p of s.edgesOf(e.to)) if (named(p.to, 'blink::BasicHeapVector<')) typeVectors.push(p.to);
      } else if (named(e.to, 'blink::BasicHeapVector<')) typeVectors.push(e.to);
    }
    const types = typeVectors.map((v) => {
      const registered = [];
      for (const e of s.edgesOf(v)) {
        if (named(e.to, 'blink::RegisteredEventListener')) registered.push(e.to);
        else if (named(e.to, 'blink::HeapVectorBacking<')) for (const b of s.edgesOf(e.to)) if (named(b.to, 'blink::RegisteredEventListener')) registered.push(b.to);
      }
      const closures = [];
      let native = 0;
      for (const r of registered) {
        const el = s.edgesOf(r).find((x) => s.name(x.to) === 'EventListener');
        const v8 = el ? s.edgesOf(el.to).find((x) => s.name(x.to) === 'V8EventListener') : null;
        const c = v8 ? s.edgesOf(v8.to).find((x) => s.type(x.to) === 'closure') : null;
        if (c) closures.push(c.to); else native++;
      }
      return { vector: v, registered: registered.length, closures, native };
    });
    out.push({ node: n, id: s.id(n), owner: owners.length === 1 ? owners[0] : -1, owners, types });
  }
  return out;
}

// ---- timers ----------------------------------------------------------------

// Node and Deno `Timeout` objects (`_onTimeout` -> callback). Node keeps
// them in a TimersList's circular `_idleNext`/`_idlePrev` chain; the list is
// timerListMap[ms]. Deno 2.9's setTimeout/setInterval make a node:timers
// Timeout kept in an internal Map (by timer id) whose `_timer` is the entry
// of a TimersList chain (a plain Object whose `_onTimeout` is Deno's wrapper).
function timeouts(s) {
  const lists = new Map(); // TimersList node -> {key, chain: [entry...]}
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.name(n) !== 'TimersList' || s.type(n) !== 'object') continue;
    const keyEdge = retainersOf(s, n).find((r) => r.type === 'element');
    const chain = [];
    const seen = new Set([n]);
    for (let cur = s.edge(n, '_idleNext', 'property'); cur >= 0 && !seen.has(cur) && s.type(cur) === 'object' && s.oddball(cur) === null; cur = s.edge(cur, '_idleNext', 'property')) {
      seen.add(cur);
      chain.push(cur);
    }
    lists.set(n, { node: n, id: s.id(n), key: keyEdge ? keyEdge.name : null, keyHolder: keyEdge ? keyEdge.from : -1, chain });
  }
  const depth = new Map();
  const listOf = new Map();
  for (const l of lists.values()) l.chain.forEach((t, i) => { depth.set(t, i + 1); listOf.set(t, l); });
  const out = [];
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.name(n) !== 'Timeout' || s.type(n) !== 'object') continue;
    const cb = s.edge(n, '_onTimeout', 'property');
    if (cb < 0 || s.type(cb) !== 'closure') continue;
    const repeatEdge = s.edge(n, '_repeat', 'property');
    // Node: setInterval's _repeat is a Smi (no edge), setTimeout's is null.
    // Deno: true / false.
    const repeatValue = repeatEdge < 0 ? 'smi' : s.oddball(repeatEdge);
    const repeat = repeatValue === 'smi' || repeatValue === 'true';
    const entry = listOf.has(n) ? n : s.edge(n, '_timer', 'property');
    const list = entry >= 0 && listOf.has(entry) ? { list: listOf.get(entry), depth: depth.get(entry), entry } : null;
    let map = -1;
    for (const r of retainersOf(s, n)) {
      if (r.type !== 'internal') continue;
      const m = retainersOf(s, r.from).find((x) => x.type === 'internal' && x.name === 'table' && s.name(x.from) === 'Map');
      if (m) { map = m.from; break; }
    }
    out.push({ node: n, callback: targetFunction(s, cb), repeat, list, map });
  }
  return { lists: [...lists.values()], timers: out };
}

// Blink DOM timers: DOMTimerCoordinator -> HeapHashTableBacking<int, DOMTimer>
// -> DOMTimer -> ScheduledAction -> V8Function -> closure. Nothing in the
// snapshot tells setInterval from setTimeout.
function domTimers(s) {
  const out = [];
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.name(n) !== 'DOMTimer') continue;
    const action = s.edgesOf(n).find((e) => s.name(e.to) === 'ScheduledAction');
    const v8fn = action ? s.edgesOf(action.to).find((e) => s.name(e.to) === 'V8Function') : null;
    const c = v8fn ? s.edgesOf(v8fn.to).find((e) => s.type(e.to) === 'closure') : null;
    const backing = retainersOf(s, n).find((r) => r.type !== 'weak');
    const coordinator = backing ? retainersOf(s, backing.from).find((r) => s.name(r.from).includes('DOMTimerCoordinator')) : null;
    out.push({ node: n, callback: c ? c.to : -1, backing: backing ? backing.from : -1, coordinator: coordinator ? coordinator.from : -1 });
  }
  return out;
}

// ---- collections -----------------------------------------------------------

// A value's class as the Summary view would group it: its name, or for
// unnamed closures and strings their type.
function valueName(s, n) {
  const t = s.type(n);
  if (t === 'string' || t === 'concatenated string' || t === 'sliced string') return '(string)';
  return s.name(n) || `(${t})`;
}

// A Map, Set, Array or plain object's entries: count, key patterns, value
// classes (most frequent first).
function collection(s, n) {
  const cls = s.name(n);
  const res = { node: n, id: s.id(n), className: cls, type: s.type(n) };
  if (cls === 'Map' || cls === 'Set') {
    const t = tableEntries(s, n);
    res.kind = cls;
    res.entries = t.entries.length;
    res.buckets = t.buckets;
    res.keys = tally(t.entries.filter((x) => x.key >= 0).map((x) => s.type(x.key) === 'string' ? 'string:' + keyPattern(s.name(x.key)) : s.type(x.key) + ':' + s.name(x.key)));
    res.values = tally(t.entries.map((x) => (cls === 'Map' ? x.value : x.key)).filter((x) => x >= 0).map((x) => valueName(s, x)));
    res.valueNodes = t.entries.map((x) => (cls === 'Map' ? x.value : x.key)).filter((x) => x >= 0);
    return res;
  }
  const es = s.edgesOf(n);
  if (cls === 'Array') {
    const el = es.filter((e) => e.type === 'element' && s.oddball(e.to) === null);
    res.kind = 'Array';
    res.entries = el.length;
    res.values = tally(el.map((e) => valueName(s, e.to)));
    res.valueNodes = el.map((e) => e.to);
    return res;
  }
  const props = es.filter((e) => e.type === 'property' && e.name !== '__proto__' && s.oddball(e.to) === null);
  res.kind = 'object';
  res.entries = props.length;
  res.keys = tally(props.map((e) => 'string:' + keyPattern(String(e.name))));
  res.values = tally(props.map((e) => valueName(s, e.to)));
  res.valueNodes = props.map((e) => e.to);
  const store = s.edge(n, 'properties', 'internal');
  if (store >= 0) res.propertiesStore = { name: s.name(store), selfSize: s.selfSize(store) };
  return res;
}

// Every Map, Set, Array and plain object with at least `min` entries.
function bigCollections(s, min) {
  const out = [];
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.type(n) !== 'object') continue;
    const cls = s.name(n);
    let quick;
    if (cls === 'Map' || cls === 'Set') {
      const t = s.edge(n, 'table', 'internal');
      quick = t < 0 ? 0 : s.edgesOf(t).length;
    } else if (cls === 'Array') quick = s.edgesOf(n).filter((e) => e.type === 'element').length;
    else if (cls === 'Object') quick = s.edgesOf(n).filter((e) => e.type === 'property').length;
    else continue;
    if (quick < min) continue;
    const c = collection(s, n);
    if (c.entries >= min) out.push(c);
  }
  return out;
}

// ---- closures --------------------------------------------------------------

// Closures grouped by function (script, position, name) with at least `min`
// members, and what their own contexts hold: variable -> value classes.
function closureGroups(s, min) {
  const byFn = new Map();
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.type(n) !== 'closure') continue;
    const loc = s.location(n);
    if (!loc) continue;
    const key = `${s.scriptName(n)}|${loc[1]}|${loc[2]}|${s.name(n)}`;
    if (!byFn.has(key)) byFn.set(key, []);
    byFn.get(key).push(n);
  }
  const out = [];
  for (const members of byFn.values()) {
    if (members.length < min) continue;
    const vars = new Map();
    const contexts = new Set();
    for (const c of members) {
      const ctx = s.edge(c, 'context', 'internal');
      if (ctx < 0) continue;
      contexts.add(ctx);
    }
    for (const ctx of contexts) {
      for (const v of s.edgesOf(ctx)) {
        if (v.type !== 'context') continue;
        if (!vars.has(v.name)) vars.set(v.name, []);
        vars.get(v.name).push(v.to);
      }
    }
    out.push({ fn: fn(s, members[0]), members, contexts: [...contexts], vars });
  }
  return out;
}

// ---- promises --------------------------------------------------------------

// A PromiseReaction's fields, found by what they point at. V8 numbers hidden
// edges by the ordinal of the slot among the object's heap-object slots: a
// Smi slot takes no number, an Oddball (undefined) takes one but is not
// written. The slots are next, reject_handler, fulfill_handler,
// promise_or_capability (V8 11, Node 20), with
// continuation_preserved_embedder_data (undefined here) in front from V8 12
// on. So the same field has different numbers from one reaction to the next
// (the last reaction's `next` is the Smi 0), and the fields are told apart by
// their targets: `next` is a PromiseReaction, promise_or_capability a
// Promise, the handlers closures (reject before fulfill; a lone closure just
// before the promise is the fulfill handler).
function parseReaction(s, r) {
  const hidden = s.edgesOf(r).filter((e) => e.type === 'hidden').sort((a, b) => a.name - b.name);
  const next = hidden.find((e) => s.name(e.to) === 'system / PromiseReaction');
  const promise = hidden.find((e) => s.type(e.to) === 'object' && (s.name(e.to) === 'Promise' || s.name(e.to).includes('PromiseCapability')));
  const closures = hidden.filter((e) => s.type(e.to) === 'closure');
  let fulfill = -1;
  let reject = -1;
  if (closures.length >= 2) { reject = closures[0].to; fulfill = closures[1].to; }
  else if (closures.length === 1) {
    if (!promise || closures[0].name === promise.name - 1) fulfill = closures[0].to; else reject = closures[0].to;
  }
  return { next: next ? next.to : -1, fulfill, reject, promise: promise ? promise.to : -1, edges: hidden.map((e) => `${e.name}:${s.type(e.to) === 'closure' ? 'closure' : s.name(e.to)}`) };
}

// What a reaction will run: the handler function, or for `await` (V8's
// builtin AsyncFunctionAwaitResolveClosure, an unnamed closure) the async
// function whose Generator object its context's `extension` holds.
function reactionTarget(s, handler) {
  if (handler < 0) return null;
  const code = s.edge(handler, 'code', 'internal');
  if (code >= 0 && s.name(code).includes('AsyncFunctionAwaitResolveClosure')) {
    const ctx = s.edge(handler, 'context', 'internal');
    const gen = ctx >= 0 ? s.edge(ctx, 'extension', 'internal') : -1;
    const f = gen >= 0 ? s.edge(gen, 'function', 'internal') : -1;
    return { await: true, generator: gen, closure: f };
  }
  return { await: false, closure: handler };
}

// Every pending promise with at least `min` reactions.
function pendingPromises(s, min) {
  const out = [];
  for (let n = 0; n < s.nodeCount; n++) {
    if (s.type(n) !== 'object' || s.name(n) !== 'Promise') continue;
    let r = s.edge(n, 'reactions_or_result', 'internal');
    if (r < 0 || s.name(r) !== 'system / PromiseReaction') continue;
    const reactions = [];
    const seen = new Set();
    for (; r >= 0 && !seen.has(r); ) {
      seen.add(r);
      const f = parseReaction(s, r);
      reactions.push({ node: r, target: reactionTarget(s, f.fulfill), derived: f.promise, edges: f.edges });
      r = f.next;
    }
    if (reactions.length >= min) out.push({ node: n, id: s.id(n), reactions });
  }
  return out;
}

module.exports = {
  groups, emitterListeners, nodeEventTargets, denoEventTargets, blinkEventTargets,
  timeouts, domTimers, collection, bigCollections, closureGroups, pendingPromises,
};
