'use strict';
// Writes, as JSON, the ground truth of one leak snapshot: every leak its
// program makes (shapes.js), measured in the snapshot's nodes and edges by
// the scanners in inventory.js, with the DevTools oracle's retained sizes;
// and an inventory of every listener list, timer group, big collection,
// closure group and pending promise in the heap, user code or not, which is
// what shows that a fixed twin has none of the leaks. Nothing here uses
// heapsnap.
//
// usage: node lib/facts.js NAME SNAPSHOT[.gz] [--oracle-nodes NODES.tsv[.gz]]
//   NAME  node20-leak, node26-fixed, chromium-leak, deno-fixed, ...
//   --oracle-nodes  the oracle's per-node TSV (run.mjs --out) of the same
//                   snapshot; without it the `devtools` fields are null.
const { load } = require('../../scenarios/lib/heapsnapshot');
const { dom, readOracleNodes, pretty } = require('../../scenarios/lib/facts');
const G = require('./graph');
const I = require('./inventory');
const { shapes, parseName } = require('./shapes');

// Inventory thresholds: listener lists, timer groups and pending promises
// with at least this many members, collections with at least COLLECTION_MIN
// entries, closure groups with at least CLOSURE_MIN members.
const LIST_MIN = 10;
const COLLECTION_MIN = 200;
const CLOSURE_MIN = 100;

function parseArgs(argv) {
  const opts = { name: argv[0], file: argv[1], oracleNodes: null };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--oracle-nodes') opts.oracleNodes = argv[++i];
    else throw new Error('unexpected argument ' + argv[i]);
  }
  if (!opts.name || !opts.file) throw new Error('usage: node lib/facts.js NAME SNAPSHOT [--oracle-nodes NODES.tsv]');
  return opts;
}

// Where the program declares an anchor's variable (`const responses =`,
// `static cache =`, `global.auditLog =`; for global.a.b, global.a), read
// from the program's source in
// this directory: heap snapshots do not record where a collection was made.
function declaration(anchor, variant) {
  const fs = require('fs');
  const path = require('path');
  const file = anchor.module ? anchor.module(variant) : anchor.file(variant);
  const name = anchor.property || (anchor.global ? anchor.global[0] : anchor.variable);
  const re = anchor.global ? new RegExp(`global\\.${name}\\s*=`) : new RegExp(`\\b(?:const|let|var|static)\\s+${name}\\s*=`);
  const src = path.join(__dirname, '..', file);
  if (!fs.existsSync(src)) return null;
  const lines = fs.readFileSync(src, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]);
    if (m) return `${file}:${i + 1}:${m.index + m[0].indexOf(name) + 1}`;
  }
  return null;
}

class Facts {
  constructor(s, runtime, variant, oracle) {
    this.s = s;
    this.runtime = runtime;
    this.variant = variant;
    this.oracle = oracle;
    this.global = G.globalObject(s, runtime);
    this.contexts = G.userTopContexts(s);
    this._timeouts = null;
  }

  dt(n) { return G.devtools(this.oracle, this.s, n); }

  // {id, className, selfSize, devtools} of a node.
  node(n) {
    if (n < 0) return null;
    const s = this.s;
    return { id: s.id(n), className: s.name(n).length > 80 ? s.name(n).slice(0, 80) + '…' : s.name(n), type: s.type(n), selfSize: s.selfSize(n), devtools: this.dt(n) };
  }

  // The accumulated things, one node each (closures, Timeouts, map values):
  // how many, and DevTools' retained sizes, summed and per item. The items
  // are chosen so that none dominates another (a listener's closure, not its
  // Listener object, which links the next one), so the sum is what they
  // retain together.
  items(what, nodes) {
    const uniq = [...new Set(nodes)];
    const out = { node: what, count: uniq.length, sampleIds: uniq.slice(0, 3).map((n) => this.s.id(n)), retainedSum: null, retainedMin: null, retainedMax: null };
    if (!this.oracle || uniq.length === 0) return out;
    const sizes = uniq.map((n) => (this.dt(n) || { retainedSize: 0 }).retainedSize);
    out.retainedSum = sizes.reduce((a, b) => a + b, 0);
    out.retainedMin = Math.min(...sizes);
    out.retainedMax = Math.max(...sizes);
    // Where DevTools' dominator tree hangs the items: the classes of their
    // immediate dominators, and how many distinct dominators there are (1:
    // one node holds them all; one each: a chain, every item under the last).
    const doms = uniq.map((n) => (this.dt(n) ? this.s.byId(this.dt(n).dominatorId) : -1));
    out.dominatedBy = Object.fromEntries(G.tally(doms.map((d) => (d >= 0 ? this.s.name(d).slice(0, 80) || `(${this.s.type(d)})` : '?'))));
    out.distinctDominators = new Set(doms).size;
    return out;
  }

  retainedSum(nodes) { return this.items('', nodes).retainedSum; }

  path(n) { return n < 0 ? null : G.readablePath(this.s, n, this.global, this.contexts); }

  // The node an anchor spec names, or -1.
  resolve(anchor) {
    const s = this.s;
    let n = -1;
    if (anchor.global) {
      n = this.global.node;
      for (const p of anchor.global) { if (n < 0) break; n = s.edge(n, p, 'property'); }
    } else if (anchor.module) {
      n = G.moduleVariable(s, this.contexts, anchor.module(this.variant), anchor.variable);
      if (n >= 0 && anchor.property) n = s.edge(n, anchor.property, 'property');
    }
    return n;
  }

  anchorText(anchor) {
    if (anchor.global) return `${this.global.label}.${anchor.global.join('.')}`;
    if (anchor.module) return `${anchor.module(this.variant)}: ${anchor.variable}${anchor.property ? '.' + anchor.property : ''}`;
    return anchor.target;
  }

  // What the closures hold in their contexts, their own and the enclosing
  // ones up to (not including) the top-level one: variable -> value classes.
  // Some contexts (Node 20's per-iteration block context of a for-of loop)
  // write their slots as hidden edges without a name: those are "hidden:N".
  holds(closures) {
    const s = this.s;
    const vars = new Map();
    for (const c of closures) {
      for (let ctx = s.edge(c, 'context', 'internal'), i = 0; ctx >= 0 && G.isContext(s, ctx) && !this.contexts.has(ctx) && i < 32; ctx = s.edge(ctx, 'previous', 'internal'), i++) {
        const up = s.edge(ctx, 'previous', 'internal');
        if (up >= 0 && G.isNativeContext(s, up)) break;
        for (const v of s.edgesOf(ctx)) {
          if ((v.type !== 'context' && v.type !== 'hidden') || s.oddball(v.to) !== null) continue;
          const name = v.type === 'hidden' ? 'hidden:' + v.name : v.name;
          if (!vars.has(name)) vars.set(name, []);
          vars.get(name).push(s.name(v.to));
        }
      }
    }
    return Object.fromEntries([...vars].map(([k, list]) => [k, Object.fromEntries(G.tally(list))]));
  }

  // The group of closures named like spec.fn in spec.fn's file: their
  // function info (from the first) and count.
  fnGroup(closures, spec) {
    const s = this.s;
    const file = spec.fn.file(this.variant);
    const mine = closures.filter((c) => s.name(c) === spec.fn.name && G.userFile(s.scriptName(c)) === file);
    return { mine, fn: mine.length ? G.fn(s, mine[0]) : null };
  }

  fnOut(info) {
    if (!info) return null;
    return { name: info.name, where: info.where, file: info.file, line: info.line, column: info.column, line0: info.line0, column0: info.column0 };
  }

  timeouts() { return this._timeouts || (this._timeouts = I.timeouts(this.s)); }

  // ---- one measurement per leak kind ----------------------------------------

  measure(spec) {
    const out = { id: spec.id, shape: spec.shape, kind: spec.kind };
    Object.assign(out, this[spec.kind.replace(/-(\w)/g, (_, c) => c.toUpperCase())](spec));
    if (spec.anchor && (spec.anchor.module || spec.anchor.global)) out.anchor.declaredInSource = declaration(spec.anchor, this.variant);
    const total = this.totalSize();
    const held = out.holder && out.holder.devtools ? out.holder.devtools.retainedSize : null;
    out.holderShare = total && held !== null ? Math.round((held / total) * 10000) / 10000 : null;
    return out;
  }

  // DevTools' total: the root's retained size (all reachable shallow sizes).
  totalSize() {
    const d = this.dt(0);
    return d ? d.retainedSize : null;
  }

  emitterListeners(spec) {
    const s = this.s;
    const target = this.resolve(spec.anchor);
    const events = s.edge(target, '_events', 'property');
    const list = events >= 0 ? s.edge(events, spec.event, 'property') : -1;
    let closures = [];
    let warned = false;
    if (list >= 0 && s.type(list) === 'closure') closures = [list];
    else if (list >= 0 && s.oddball(list) === null) {
      closures = s.edgesOf(list).filter((e) => e.type === 'element').map((e) => e.to);
      const w = s.edge(list, 'warned', 'property');
      warned = w >= 0 && s.oddball(w) === 'true';
    }
    const { mine, fn } = this.fnGroup(closures, spec);
    return {
      count: closures.length,
      event: spec.event, eventInSnapshot: true, warned,
      accumulates: { what: 'listener closure', fn: this.fnOut(fn), sameFunction: mine.length, holds: this.holds(closures) },
      anchor: { kind: 'global', text: this.anchorText(spec.anchor) },
      created: fn ? fn.where : null,
      holder: this.node(target),
      list: this.node(list),
      items: this.items('listener closure', closures),
    };
  }

  eventTargetListeners(spec) {
    const s = this.s;
    const target = this.resolve(spec.anchor);
    const t = I.nodeEventTargets(s, this.global.node).find((x) => x.node === target);
    const list = t && t.listenerClosures[spec.event] ? t.listenerClosures[spec.event] : [];
    const closures = list.map((x) => x.closure);
    const { mine, fn } = this.fnGroup(closures, spec);
    return {
      count: closures.length,
      event: spec.event, eventInSnapshot: true, warned: t ? t.warned : null,
      accumulates: {
        what: 'Listener object -> listener closure', listenerClass: list.length ? s.name(list[0].listenerObject) : null,
        fn: this.fnOut(fn), sameFunction: mine.length, holds: this.holds(closures),
      },
      anchor: { kind: spec.anchor.global ? 'global' : 'module', text: this.anchorText(spec.anchor) },
      created: fn ? fn.where : null,
      holder: this.node(target),
      items: this.items('listener closure', closures),
    };
  }

  denoEventTargetListeners(spec) {
    const s = this.s;
    const target = this.resolve(spec.anchor);
    const t = I.denoEventTargets(s).find((x) => x.node === target);
    const ev = t && t.events[spec.event] ? t.events[spec.event] : { entries: [], closures: [] };
    const { mine, fn } = this.fnGroup(ev.closures, spec);
    return {
      count: ev.closures.length,
      event: spec.event, eventInSnapshot: true,
      accumulates: { what: 'listener record {callback, options} -> callback closure', fn: this.fnOut(fn), sameFunction: mine.length, holds: this.holds(ev.closures) },
      anchor: { kind: 'module', text: this.anchorText(spec.anchor) },
      created: fn ? fn.where : null,
      holder: this.node(target),
      items: this.items('listener record', ev.entries),
    };
  }

  domListeners(spec) {
    const s = this.s;
    const owners = I.blinkEventTargets(s);
    const want = spec.anchor.target;
    const matches = (o) => {
      const name = s.name(o);
      if (want === 'window') return name.startsWith('Window / ');
      if (want === 'document') return name === 'HTMLDocument';
      return name === want;
    };
    const etd = owners.find((x) => x.owner >= 0 && matches(x.owner));
    const type = etd ? etd.types.find((ty) => ty.closures.some((c) => s.name(c) === spec.fn.name)) : null;
    const closures = type ? type.closures : [];
    const { mine, fn } = this.fnGroup(closures, spec);
    return {
      count: closures.length,
      event: spec.event, eventInSnapshot: false,
      accumulates: { what: 'RegisteredEventListener -> EventListener -> V8EventListener -> closure', fn: this.fnOut(fn), sameFunction: mine.length, holds: this.holds(closures) },
      anchor: { kind: want === 'window' || want === 'document' ? want : 'element', text: want },
      created: fn ? fn.where : null,
      holder: this.node(etd ? etd.owner : -1),
      eventTargetData: this.node(etd ? etd.node : -1),
      typeLists: etd ? etd.types.length : 0,
      items: this.items('listener closure', closures),
    };
  }

  timers(spec) {
    const s = this.s;
    const { timers } = this.timeouts();
    const file = spec.fn.file(this.variant);
    const mine = timers.filter((t) => s.name(t.callback) === spec.fn.name && G.userFile(s.scriptName(t.callback)) === file);
    const fn = mine.length ? G.fn(s, mine[0].callback) : null;
    const repeat = [...new Set(mine.map((t) => t.repeat))];
    const lists = [...new Set(mine.map((t) => (t.list ? t.list.list : null)).filter(Boolean))];
    const maps = [...new Set(mine.map((t) => t.map).filter((m) => m >= 0))];
    const depths = mine.map((t) => (t.list ? t.list.depth : 0));
    const out = {
      count: mine.length,
      repeat: repeat.length === 1 ? repeat[0] : (repeat.length ? repeat : null),
      accumulates: { what: 'Timeout -> _onTimeout closure', fn: this.fnOut(fn), holds: this.holds(mine.map((t) => t.callback)) },
      anchor: { kind: 'timer', text: fn ? `${spec.repeat ? 'setInterval' : 'setTimeout'} callback ${fn.name} at ${fn.where}` : null },
      created: fn ? fn.where : null,
      items: this.items('Timeout', mine.map((t) => t.node)),
      // Node: the TimersList holding the Timeouts. Deno: the TimersList
      // holding their `_timer` entries.
      timerList: lists.length === 1 ? {
        key: lists[0].key, text: `timerListMap[${lists[0].key}]`, entries: lists[0].chain.length,
        depth: { min: Math.min(...depths), max: Math.max(...depths) }, ...this.node(lists[0].node),
      } : (lists.length ? lists.map((l) => l.key) : null),
    };
    if (this.runtime === 'node') out.holder = lists.length === 1 ? this.node(lists[0].node) : null;
    else {
      out.holder = maps.length === 1 ? this.node(maps[0]) : null;
      out.timerMap = maps.length === 1 ? { entries: I.collection(s, maps[0]).entries } : null;
    }
    return out;
  }

  domTimers(spec) {
    const s = this.s;
    const all = I.domTimers(s);
    const file = spec.fn.file(this.variant);
    const mine = all.filter((t) => t.callback >= 0 && s.name(t.callback) === spec.fn.name && G.userFile(s.scriptName(t.callback)) === file);
    const fn = mine.length ? G.fn(s, mine[0].callback) : null;
    const coordinator = all.length ? all[0].coordinator : -1;
    return {
      count: mine.length, repeat: null, repeatInSnapshot: false,
      accumulates: { what: 'DOMTimer -> ScheduledAction -> V8Function -> closure', fn: this.fnOut(fn), holds: this.holds(mine.map((t) => t.callback)) },
      anchor: { kind: 'timer', text: fn ? `${spec.repeat ? 'setInterval' : 'setTimeout'} callback ${fn.name} at ${fn.where}` : null },
      created: fn ? fn.where : null,
      holder: this.node(coordinator),
      domTimers: all.length,
      items: this.items('DOMTimer', mine.map((t) => t.node)),
    };
  }

  collection(spec) {
    const s = this.s;
    const n = this.resolve(spec.anchor);
    const c = n >= 0 ? I.collection(s, n) : null;
    // The values' class constructor position: V8 writes objects' locations
    // as their constructor's.
    const first = c && c.valueNodes.length ? c.valueNodes[0] : -1;
    const loc = first >= 0 ? s.location(first) : null;
    return {
      count: c ? c.entries : 0,
      collection: c ? c.kind : null,
      keys: c && c.keys ? Object.fromEntries(c.keys.slice(0, 3)) : null,
      values: c ? Object.fromEntries(c.values.slice(0, 3)) : null,
      anchor: { kind: spec.anchor.property ? 'class-static' : (spec.anchor.global ? 'global' : 'module'), text: this.anchorText(spec.anchor) },
      created: loc ? this.constructorWhere(first) : null,
      holder: this.node(n),
      buckets: c && c.buckets !== undefined ? c.buckets : null,
      propertiesStore: c && c.propertiesStore ? c.propertiesStore : null,
      items: this.items(c && c.kind === 'Set' ? 'entry' : 'value', c ? c.valueNodes : []),
    };
  }

  // "file:line:column" of the constructor an object's location points at.
  constructorWhere(obj) {
    const s = this.s;
    const loc = s.location(obj);
    const proto = s.edge(obj, '__proto__', 'property');
    const ctor = proto >= 0 ? s.edge(proto, 'constructor', 'property') : -1;
    const file = ctor >= 0 ? G.userFile(s.scriptName(ctor)) : null;
    return file ? `${file}:${loc[1] + 1}:${loc[2] + 1}` : null;
  }

  closureContext(spec) {
    const s = this.s;
    const groups = I.closureGroups(s, 1);
    const file = spec.fn.file(this.variant);
    const g = groups.find((x) => x.fn.name === spec.fn.name && G.userFile(x.fn.file) === file);
    const members = g ? g.members : [];
    const held = g && g.vars.has(spec.captured) ? g.vars.get(spec.captured).filter((v) => s.oddball(v) === null) : [];
    const holder = this.resolve(spec.anchor);
    return {
      count: held.length,
      members: members.length,
      contexts: g ? g.contexts.length : 0,
      captured: { variable: spec.captured, className: held.length ? s.name(held[0]) : null, retained: this.retainedSum(held) },
      accumulates: { what: 'closure -> own context -> captured variable', fn: this.fnOut(g ? g.fn : null), holds: this.holds(members) },
      anchor: { kind: 'module', text: this.anchorText(spec.anchor) },
      created: g ? g.fn.where : null,
      holder: this.node(holder),
      items: this.items('closure', members),
    };
  }

  promiseReactions(spec) {
    const s = this.s;
    const promise = this.resolve(spec.anchor);
    const p = I.pendingPromises(s, 1).find((x) => x.node === promise);
    const file = spec.fn.file(this.variant);
    const reactions = p ? p.reactions.filter((r) => r.target && r.target.await === spec.await && r.target.closure >= 0 &&
      s.name(r.target.closure) === spec.fn.name && G.userFile(s.scriptName(r.target.closure)) === file) : [];
    const fn = reactions.length ? G.fn(s, reactions[0].target.closure) : null;
    const state = s.edge(promise, 'reactions_or_result', 'internal');
    return {
      count: reactions.length,
      pendingReactions: p ? p.reactions.length : 0,
      // A promise's state is a Smi (not written); reactions_or_result is
      // written only when it is a heap object: the reaction list, or a
      // settled promise's non-primitive result.
      promiseState: p ? 'pending, with reactions' : (state >= 0 ? 'settled with an object result' : 'no reactions (settled with a primitive, or pending with none)'),
      reactionEdges: reactions.length ? G.tally(reactions.map((r) => r.edges.join(' '))).map(([k, v]) => `${k} ×${v}`) : [],
      accumulates: {
        what: spec.await ? 'PromiseReaction -> await closure -> context.extension -> Generator (the suspended async function)' : 'PromiseReaction -> fulfill handler closure',
        fn: this.fnOut(fn),
        holds: spec.await ? this.generatorHolds(reactions.map((r) => r.target.generator)) : this.holds(reactions.map((r) => r.target.closure)),
      },
      anchor: { kind: 'module', text: this.anchorText(spec.anchor) },
      created: fn ? fn.where : null,
      holder: this.node(promise),
      items: this.items(spec.await ? 'Generator' : 'fulfill handler closure', reactions.map((r) => (spec.await ? r.target.generator : r.target.closure))),
    };
  }

  // What suspended async functions hold: their register file's values.
  generatorHolds(generators) {
    const s = this.s;
    const classes = [];
    for (const g of generators) {
      const regs = s.edge(g, 'parameters_and_registers', 'internal');
      if (regs < 0) continue;
      for (const e of s.edgesOf(regs)) {
        if (e.type !== 'internal' || s.type(e.to) !== 'object' || s.oddball(e.to) !== null || e.to === g) continue;
        if (!s.name(e.to).startsWith('system / ')) classes.push(s.name(e.to));
      }
    }
    return { registers: Object.fromEntries(G.tally(classes)) };
  }

  detachedDom(spec) {
    const s = this.s;
    const holder = this.resolve(spec.anchor);
    const d = dom(s);
    const roots = holder >= 0 ? s.edgesOf(holder).filter((e) => e.type === 'element' && s.detachedness(e.to) === 2).map((e) => e.to) : [];
    return {
      count: roots.length,
      elements: d ? d.detachedNodeCount : 0,
      detachedByName: d ? d.detachedByName : {},
      roots: roots.map((r) => s.name(r)),
      anchor: { kind: 'script', text: this.anchorText(spec.anchor) },
      created: null,
      holder: this.node(holder),
      items: this.items('detached root element', roots),
    };
  }

  // ---- inventory -------------------------------------------------------------

  inventory() {
    const s = this.s;
    const inv = { listeners: [], timers: [], collections: [], closures: [], promises: [] };
    const pathText = (n) => { const p = this.path(n); return p ? p.text : null; };
    const fnWhere = (c) => { const f = G.fn(s, c); return f.where || f.loc || null; };
    const pushGroups = (target, event, closures) => {
      for (const [key, count] of G.tally(closures.map((c) => `${s.name(c)}|${fnWhere(c)}`))) {
        if (count < LIST_MIN) continue;
        const [name, where] = key.split('|');
        inv.listeners.push({ target, event, count, fn: name, where: where === 'null' ? null : where });
      }
    };
    if (this.runtime === 'node') {
      for (const e of I.emitterListeners(s, this.global.node)) {
        const target = pathText(s.byId(e.id)) || `${e.className}@${e.id}`;
        for (const [ev, v] of Object.entries(e.events)) {
          if (v.count < LIST_MIN) continue;
          for (const l of v.listeners) inv.listeners.push({ target, event: ev, count: l.count, fn: l.name, where: G.userFile(l.file) ? `${G.userFile(l.file)}:${l.line}:${l.column}` : l.loc || null });
        }
      }
      for (const t of I.nodeEventTargets(s, this.global.node)) {
        const target = pathText(t.node) || `${t.className}@${t.id}`;
        for (const [ev, list] of Object.entries(t.listenerClosures)) pushGroups(target, ev, list.map((x) => x.closure));
      }
    } else if (this.runtime === 'deno') {
      for (const t of I.denoEventTargets(s)) {
        const target = pathText(t.node) || `${t.className}@${t.id}`;
        for (const [ev, v] of Object.entries(t.events)) pushGroups(target, ev, v.closures);
      }
    } else {
      for (const t of I.blinkEventTargets(s)) {
        const target = t.owner >= 0 ? s.name(t.owner) : `EventTargetData@${t.id}`;
        t.types.forEach((ty, i) => pushGroups(target, `(type list ${i + 1})`, ty.closures));
      }
    }
    const timerCallbacks = this.runtime === 'chromium'
      ? I.domTimers(s).filter((t) => t.callback >= 0).map((t) => ({ callback: t.callback, repeat: null }))
      : this.timeouts().timers.map((t) => ({ callback: t.callback, repeat: t.repeat }));
    for (const [key, count] of G.tally(timerCallbacks.map((t) => `${s.name(t.callback)}|${fnWhere(t.callback)}|${t.repeat}`))) {
      const [name, where, repeat] = key.split('|');
      inv.timers.push({ fn: name, where: where === 'null' ? null : where, repeat: repeat === 'null' ? null : repeat === 'true', count });
    }
    for (const c of I.bigCollections(s, COLLECTION_MIN)) {
      const p = this.path(c.node);
      inv.collections.push({
        kind: c.kind, entries: c.entries, path: p ? p.text : null, anchor: p ? p.anchor.kind : null,
        keys: c.keys ? c.keys.slice(0, 2).map(([k, v]) => `${k} ×${v}`) : null,
        values: c.values.slice(0, 2).map(([k, v]) => `${k} ×${v}`),
        devtools: this.dt(c.node),
      });
    }
    for (const g of I.closureGroups(s, CLOSURE_MIN)) {
      if (!G.userFile(g.fn.file)) continue;
      inv.closures.push({
        fn: g.fn.name, where: g.fn.where, count: g.members.length, contexts: g.contexts.length,
        vars: Object.fromEntries([...g.vars].map(([k, vs]) => [k, Object.fromEntries(G.tally(vs.map((v) => s.oddball(v) !== null ? `(${s.oddball(v)})` : s.name(v))))])),
        retained: this.retainedSum(g.members),
      });
    }
    for (const p of I.pendingPromises(s, LIST_MIN)) {
      const handlers = G.tally(p.reactions.map((r) => {
        if (!r.target || r.target.closure < 0) return '(none)';
        return `${r.target.await ? 'await in ' : ''}${s.name(r.target.closure) || '(anonymous)'} ${fnWhere(r.target.closure)}`;
      }));
      inv.promises.push({ path: pathText(p.node), reactions: p.reactions.length, handlers: handlers.map(([k, v]) => `${k} ×${v}`), devtools: this.dt(p.node) });
    }
    inv.collections.sort((a, b) => b.entries - a.entries || String(a.path).localeCompare(String(b.path)));
    inv.listeners.sort((a, b) => b.count - a.count || a.target.localeCompare(b.target));
    inv.timers.sort((a, b) => b.count - a.count || String(a.where).localeCompare(String(b.where)));
    return inv;
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { runtime, variant } = parseName(opts.name);
  const s = load(opts.file);
  const oracle = opts.oracleNodes ? readOracleNodes(opts.oracleNodes) : null;
  const f = new Facts(s, runtime, variant, oracle);
  const out = {
    snapshot: opts.name + '.heapsnapshot.gz',
    runtime, variant,
    nodeCount: s.nodeCount,
    edgeCount: s.edges.length / s.ef,
    globalObject: f.node(f.global.node),
    devtoolsTotalSize: f.totalSize(),
    leaks: shapes[runtime].map((spec) => f.measure(spec)),
    inventory: f.inventory(),
  };
  process.stdout.write(pretty(out, '') + '\n');
}

if (require.main === module) main();
module.exports = { Facts };
