'use strict';
// Checks the numbers that README.md states against the generated files in
// DIR (default ../snapshots): NAME.facts.json (lib/facts.js), NAME.classes.tsv.gz
// and A-to-B.diff.tsv.gz (DevTools oracle). Exits 1 on the first mismatch list.
//
// usage: node lib/check.js [DIR]
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const { eq, ok, report } = require('./checks');

const dir = process.argv[2] || path.join(__dirname, '..', 'snapshots');

function facts(name) { return JSON.parse(fs.readFileSync(path.join(dir, name + '.facts.json'), 'utf8')); }
function tsv(file) {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(dir, file))).toString('utf8').trim().split('\n');
  const head = text[0].split('\t');
  return text.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [head[i], v])));
}
function classRow(name, cls) { return tsv(name + '.classes.tsv.gz').filter((r) => r.name === cls); }
function classCount(name, cls) { return classRow(name, cls).reduce((a, r) => a + +r.count, 0); }
function emitterAt(f, p) { return f.emitters.find((e) => e.path === p); }
function targetAt(f, p) { return f.eventTargets.find((e) => e.path === p); }
function collectionAt(f, p) { return f.collections.find((c) => c.path === p); }
function locs(ev) { return ev.listeners.map((l) => `${l.count}x ${l.once ? 'once ' : ''}${l.name || '(anonymous)'} ${l.loc.replace(/^.*heapsnap-scenarios\//, '')}`); }
// Largest listener count of any event of any emitter/event target other than `except`.
function maxOther(f, except) {
  let m = 0;
  for (const e of f.emitters) for (const [k, v] of Object.entries(e.events)) if (`${e.path}:${k}` !== except) m = Math.max(m, v.count);
  for (const e of f.eventTargets) for (const [k, v] of Object.entries(e.events)) if (`${e.path}:${k}` !== except) m = Math.max(m, v.count);
  return m;
}
function exists(file) { return fs.existsSync(path.join(dir, file)); }

// ---- incident-leak / incident-fixed ---------------------------------------------
for (const variant of ['leak', 'fixed']) {
  const name = 'incident-' + variant;
  if (!exists(name + '.facts.json')) continue;
  const f = facts(name);
  const src = variant === 'leak' ? 'incident/src/data-processor.js' : 'incident/src/data-processor-fixed.js';
  const em = emitterAt(f, 'global.processor.emitter');
  ok(`${name}: emitter at global.processor.emitter`, em && em.className === 'EventEmitter');
  if (em) {
    eq(`${name}: event names`, Object.keys(em.events).sort(), variant === 'leak' ? ['close', 'data', 'end', 'error'] : ['close', 'end', 'error']);
    eq(`${name}: error`, [em.events.error.count, em.events.error.storage, locs(em.events.error)], [1, 'function', [`1x (anonymous) ${src}:13:30`]]);
    eq(`${name}: end`, [em.events.end.count, em.events.end.storage, locs(em.events.end)], [2, 'array', [`1x (anonymous) ${src}:14:28`, `1x (anonymous) ${src}:15:28`]]);
    eq(`${name}: close`, [em.events.close.count, em.events.close.storage, locs(em.events.close)], [1, 'function', [`1x once (anonymous) ${src}:17:32`]]);
    if (variant === 'leak') {
      const d = em.events.data;
      eq(`${name}: data`, [d.count, d.storage, d.warned, locs(d)], [2000, 'array', true, [`2000x (anonymous) ${src}:24:31`]]);
      eq(`${name}: data line0/column0`, [d.listeners[0].line0, d.listeners[0].column0], [23, 30]);
    }
    ok(`${name}: no warned marker except data`, Object.entries(em.events).every(([k, v]) => v.warned === (variant === 'leak' && k === 'data')));
  }
  eq(`${name}: max listeners of any other event`, maxOther(f, 'global.processor.emitter:data'), 2);
  const pt = emitterAt(f, 'global.processor.input');
  ok(`${name}: PassThrough at global.processor.input`, pt && pt.className === 'PassThrough');
  if (pt) {
    eq(`${name}: PassThrough undefined keys`, pt.undefinedKeys.slice().sort(), ['close', 'data', 'drain', 'end', 'error', 'finish', 'readable']);
    eq(`${name}: PassThrough events`, Object.keys(pt.events), ['prefinish']);
  }
  eq(`${name}: DataProcessor objects`, f.counts.DataProcessor.object, 1);
  eq(`${name}: oracle DataProcessor count`, classCount(name, 'DataProcessor'), 1);
}

// ---- abort-leak ---------------------------------------------------------------------
if (exists('abort-leak.facts.json')) {
  const f = facts('abort-leak');
  const t = targetAt(f, 'global.shutdown.#signal');
  ok('abort: event target at global.shutdown.#signal', !!t);
  if (t) {
    eq('abort: shutdown signal', [t.className, t.warned, Object.keys(t.events), t.events.abort.count, locs(t.events.abort)],
      ['EventTarget', true, ['abort'], 500, ['500x onAbort abort/abort-leak.js:22:52']]);
    eq('abort: onAbort line0/column0', [t.events.abort.listeners[0].line0, t.events.abort.listeners[0].column0], [21, 51]);
  }
  const p = targetAt(f, 'global.perRequest.#signal');
  ok('abort: event target at global.perRequest.#signal', !!p);
  if (p) eq('abort: perRequest signal', [p.warned, p.events.abort.count, locs(p.events.abort)], [false, 1, ['1x (anonymous) abort/abort-leak.js:33:54']]);
  eq('abort: event targets', f.eventTargets.length, 2);
  eq('abort: max listeners of any other event', maxOther(f, 'global.shutdown.#signal:abort'), 2);
  eq('abort: RequestContext/onAbort/Listener', [f.counts.RequestContext.object, f.counts.onAbort.closure, f.counts.Listener.object], [500, 500, 501]);
  eq('abort: oracle RequestContext', classCount('abort-leak', 'RequestContext'), 500);
  eq('abort: oracle Listener', classCount('abort-leak', 'Listener'), 501);
}

// ---- big-map ------------------------------------------------------------------------
if (exists('big-map.facts.json')) {
  const f = facts('big-map');
  const want = {
    'global.cache.sessions': ['Map', 10000], 'global.cache.active': ['Set', 4000], 'global.cache.history': ['Array', 6000],
    'global.cache.byEmail': ['object', 3000], 'global.cache.banners': ['Array', 5000],
  };
  for (const [p, [kind, n]] of Object.entries(want)) {
    const c = collectionAt(f, p);
    eq(`big-map: ${p}`, c && [c.kind, c.entries], [kind, n]);
  }
  eq('big-map: Map table edges', collectionAt(f, 'global.cache.sessions').tableIndexEdges, 20000);
  const fmt = collectionAt(f, 'global.cache.format');
  eq('big-map: formatSession', [fmt.type, fmt.name, fmt.loc.replace(/^.*heapsnap-scenarios\//, '')], ['closure', 'formatSession', 'bigmap/big-map.js:53:32']);
  ok('big-map: formatSession retains > 1 MiB (DevTools)', fmt.devtools.retainedSize > 1048576);
  const top = f.duplicatedStrings[0];
  eq('big-map: top duplicated string', [top.length, top.count, top.totalSelfSize, top.value.slice(0, 18)], [200, 5000, 1080000, 'banner-0!banner-1!']);
  ok('big-map: next duplicated string has < 1000 copies', !f.duplicatedStrings[1] || f.duplicatedStrings[1].count < 1000);
  eq('big-map: Session/HistoryEntry objects', [f.counts.Session.object, f.counts.HistoryEntry.object], [10000, 6000]);
  eq('big-map: oracle Session/HistoryEntry', [classCount('big-map', 'Session'), classCount('big-map', 'HistoryEntry')], [10000, 6000]);
  eq('big-map: no emitter event with > 2 listeners', maxOther(f, ''), 2);
}

// ---- growth / stable ------------------------------------------------------------------
for (let r = 1; r <= 4; r++) {
  const name = 'growth-' + r;
  if (!exists(name + '.facts.json')) continue;
  const f = facts(name);
  const bus = emitterAt(f, 'global.app.bus');
  ok(`${name}: emitter at global.app.bus`, !!bus);
  if (bus) {
    eq(`${name}: bus events`, Object.keys(bus.events), ['data']);
    eq(`${name}: data`, [bus.events.data.count, bus.events.data.warned, locs(bus.events.data)], [300 * r, false, [`${300 * r}x onData growth/app.js:21:33`]]);
  }
  eq(`${name}: LeakedRecord/TempBuffer/onData`, [f.counts.LeakedRecord.object, f.counts.TempBuffer.object, f.counts.onData.closure], [200 * r, 0, 300 * r]);
  eq(`${name}: global.leakedRecords length`, collectionAt(f, 'global.leakedRecords').entries, 200 * r);
  eq(`${name}: oracle LeakedRecord`, classCount(name, 'LeakedRecord'), 200 * r);
  eq(`${name}: oracle TempBuffer`, classCount(name, 'TempBuffer'), 0);
}
for (let r = 1; r <= 3; r++) {
  const name = 'stable-' + r;
  if (!exists(name + '.facts.json')) continue;
  const f = facts(name);
  ok(`${name}: no listeners on global.app.bus`, !emitterAt(f, 'global.app.bus'));
  eq(`${name}: LeakedRecord/TempBuffer/onData`, [f.counts.LeakedRecord.object, f.counts.TempBuffer.object, f.counts.onData.closure], [0, 0, 0]);
  eq(`${name}: global.leakedRecords length`, collectionAt(f, 'global.leakedRecords').entries, 0);
  eq(`${name}: max listeners of any event`, maxOther(f, ''), 2);
}
function diffRow(file, cls) { return tsv(file).find((r) => r.name === cls); }
for (const file of ['growth-1-to-2.diff.tsv.gz', 'growth-3-to-4.diff.tsv.gz']) {
  if (!exists(file)) continue;
  const lr = diffRow(file, 'LeakedRecord');
  eq(`${file}: LeakedRecord new/deleted/delta/alloc`, lr && [+lr.new_count, +lr.deleted_count, +lr.delta_count, +lr.alloc_size], [200, 0, 200, 9600]);
  const fn = diffRow(file, 'Function');
  eq(`${file}: Function new/deleted/delta`, fn && [+fn.new_count, +fn.deleted_count, +fn.delta_count], [301, 1, 300]);
  const ctx = diffRow(file, 'system / Context');
  eq(`${file}: Context delta`, ctx && +ctx.delta_count, 300);
  eq(`${file}: no TempBuffer row`, diffRow(file, 'TempBuffer'), undefined);
}
if (exists('stable-1-to-2.diff.tsv.gz')) {
  const file = 'stable-1-to-2.diff.tsv.gz';
  eq(`${file}: no LeakedRecord/TempBuffer row`, [diffRow(file, 'LeakedRecord'), diffRow(file, 'TempBuffer')], [undefined, undefined]);
  const fn = diffRow(file, 'Function');
  eq(`${file}: Function delta`, fn ? +fn.delta_count : 0, 0);
}

// ---- detached-dom (Chromium) -------------------------------------------------------
if (exists('detached-dom.facts.json')) {
  const f = facts('detached-dom');
  eq('dom: detached (detachedness=2) nodes', f.dom.detachedNodeCount, 153);
  eq('dom: detached by name', f.dom.detachedByName, {
    '<div class="panel" id="panel-0">': 1, '<div class="panel" id="panel-1">': 1, '<div class="panel" id="panel-2">': 1,
    '<h2>': 3, '<ul>': 3, '<li>': 135, '<button>': 9,
  });
  eq('dom: listeners on detached nodes', f.dom.detachedListeners.map((l) => `${l.count}x ${l.name} ${l.loc.replace(/^.*heapsnap-scenarios\//, '')}`), ['9x onPanelClick chromium/detached-dom.js:14:22']);
  eq('dom: listeners on attached nodes', f.dom.attachedListeners.map((l) => `${l.count}x ${l.name} ${l.loc.replace(/^.*heapsnap-scenarios\//, '')}`), ['1x onOpenClick chromium/detached-dom.js:50:85']);
  const lp = collectionAt(f, 'global.leakedPanels');
  eq('dom: window.leakedPanels', [lp.kind, lp.entries], ['Array', 3]);
  const want = { 'Detached <div>': 3, 'Detached <h2>': 3, 'Detached <ul>': 3, 'Detached <li>': 135, 'Detached <button>': 9, 'Detached Text': 147, 'Detached V8EventListener': 9, 'Detached EventListener': 9 };
  for (const [cls, n] of Object.entries(want)) eq(`dom: oracle ${cls}`, classCount('detached-dom', cls), n);
}

report();
