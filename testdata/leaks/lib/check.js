'use strict';
// Checks the ground truth in snapshots/NAME.facts.json against what the
// programs are known to make (shapes.js) and against their sources, and the
// fixed twins against the absence of every leak; checks (or with
// --write-readme rewrites) the generated tables of README.md; with
// --recompute, also re-reads every snapshot and checks that facts.js still
// measures the same (all but the DevTools numbers, which need the oracle).
// Exits 1 with the list of failures.
//
// usage: node lib/check.js [--write-readme] [--recompute]
const fs = require('fs');
const path = require('path');
const { shapes, parseName } = require('./shapes');

const here = path.join(__dirname, '..');
const dir = path.join(here, 'snapshots');
const { eq, ok, fail, report } = require('../../scenarios/lib/checks');

const args = new Set(process.argv.slice(2));

// Share of DevTools' total a fixed twin's user structure may keep: the fixed
// closure twin keeps its 1,000 small handlers by design (1.4% of Node 20's heap).
const FIXED_SHARE_MAX = 0.05;
const LIST_MIN = 10;

// ---- expectations from the sources ---------------------------------------------

const sourceCache = new Map();
function source(file) {
  if (!sourceCache.has(file)) {
    const p = file.startsWith('incident/') ? path.join(here, '..', 'scenarios', file) : path.join(here, file);
    sourceCache.set(file, fs.readFileSync(p, 'utf8').split('\n'));
  }
  return sourceCache.get(file);
}

// "file:line:column" (1-based) of the `(` that V8 reports as a function's
// position: for `function NAME(` or `async function NAME(` the `(` after
// NAME; for `class NAME`, the `(` of its `constructor(`.
function functionWhere(file, name, { cls = false } = {}) {
  const lines = source(file);
  const re = cls ? new RegExp(`\\bclass ${name}\\b`) : new RegExp(`\\bfunction ${name}\\(`);
  const hits = [];
  lines.forEach((l, i) => { if (re.test(l)) hits.push(i); });
  if (hits.length !== 1) return `${hits.length} matches of ${re} in ${file}`;
  let i = hits[0];
  if (cls) {
    for (; i < lines.length && !/\bconstructor\(/.test(lines[i]); i++);
    return `${file}:${i + 1}:${lines[i].indexOf('constructor(') + 'constructor'.length + 1}`;
  }
  return `${file}:${i + 1}:${lines[i].indexOf(`function ${name}(`) + `function ${name}`.length + 1}`;
}

function expectedCreated(spec, v) {
  if (spec.fn) {
    if (spec.fn.line) return `${spec.fn.file(v)}:${spec.fn.line}:${spec.fn.column}`;
    return functionWhere(spec.fn.file(v), spec.fn.name);
  }
  if (spec.kind === 'collection' && spec.values !== '(string)') {
    return functionWhere(spec.anchor.module ? spec.anchor.module(v) : spec.anchor.file(v), spec.values, { cls: true });
  }
  return null;
}

function expectedAnchor(spec, v, runtime, created) {
  const a = spec.anchor;
  if (!a) return `${spec.repeat ? 'setInterval' : 'setTimeout'} callback ${spec.fn.name} at ${created}`;
  if (a.global) return `${runtime === 'node' ? 'global' : runtime === 'chromium' ? 'window' : 'globalThis'}.${a.global.join('.')}`;
  if (a.module) return `${a.module(v)}: ${a.variable}${a.property ? '.' + a.property : ''}`;
  return a.target;
}

function holderClass(spec, major) {
  if (typeof spec.holder === 'string') return spec.holder;
  return spec.holder[major] || spec.holder.default;
}

// ---- per snapshot ---------------------------------------------------------------------

function readFacts(name) { return JSON.parse(fs.readFileSync(path.join(dir, name + '.facts.json'), 'utf8')); }

const names = fs.readdirSync(dir).filter((f) => f.endsWith('.facts.json')).map((f) => f.replace(/\.facts\.json$/, '')).sort();
const all = new Map(names.map((n) => [n, readFacts(n)]));

for (const [name, f] of all) {
  const { runtime, variant, major } = parseName(name);
  ok(`${name}: snapshot file present`, fs.existsSync(path.join(dir, name + '.heapsnapshot.gz')));
  eq(`${name}: runtime/variant`, [f.runtime, f.variant], [runtime, variant]);
  ok(`${name}: DevTools total`, f.devtoolsTotalSize > 0);
  for (const spec of shapes[runtime]) {
    const l = f.leaks.find((x) => x.id === spec.id);
    const w = `${name} ${spec.id}`;
    ok(`${w}: measured`, !!l);
    if (!l) continue;
    eq(`${w}: count`, l.count, spec.count[variant]);
    if (spec.members) eq(`${w}: closures`, l.members, spec.members[variant]);
    if (spec.elements) eq(`${w}: detached elements`, l.elements, spec.elements[variant]);
    // A fixed twin's emptied timer list is gone (or holds other timers).
    const noTimers = /timers$/.test(spec.kind) && l.count === 0;
    if (!noTimers) {
      eq(`${w}: holder class`, l.holder && l.holder.className, holderClass(spec, major));
      ok(`${w}: holder retained (DevTools)`, l.holder && l.holder.devtools && l.holder.devtools.retainedSize > 0);
    }
    if (variant !== 'leak') continue;
    const created = expectedCreated(spec, variant);
    if (created) eq(`${w}: created at`, l.created, created);
    eq(`${w}: anchor`, l.anchor.text, expectedAnchor(spec, variant, runtime, created));
    if (spec.fn) {
      const fn = l.accumulates.fn;
      eq(`${w}: function`, fn && [fn.name, fn.line0 + 1, fn.column0 + 1], [spec.fn.name, +created.split(':')[1], +created.split(':')[2]]);
    }
    for (const [v, cls] of Object.entries(spec.holds || {})) {
      const got = l.accumulates.holds[v];
      eq(`${w}: each holds ${v}: ${cls}`, got && got[cls], spec.count.leak);
    }
    if (spec.kind === 'collection') {
      eq(`${w}: collection kind`, l.collection, spec.collection);
      eq(`${w}: values`, l.values[spec.values], spec.count.leak);
      if (spec.keys) {
        const keys = Object.entries(l.keys || {});
        eq(`${w}: key pattern`, keys.length === 1 && keys[0][0].startsWith('string:' + spec.keys) && keys[0][1], spec.count.leak);
      }
    }
    if (spec.kind === 'timers') {
      eq(`${w}: repeat`, l.repeat, spec.repeat);
      if (runtime === 'node') eq(`${w}: timer list`, l.timerList && String(l.timerList.key), spec.list);
      if (runtime === 'node') ok(`${w}: every timer at its own depth`, l.timerList && l.timerList.depth.max - l.timerList.depth.min + 1 >= spec.count.leak);
    }
    if (spec.kind === 'emitter-listeners' || spec.kind === 'event-target-listeners') {
      eq(`${w}: warned`, l.warned, spec.warned ? (spec.warned[major] !== undefined ? spec.warned[major] : spec.warned.default) : true);
    }
    if (runtime === 'node' && l.items.retainedSum !== null && !spec.await && spec.kind !== 'event-target-listeners') {
      // Node's holders dominate what accumulates on them (event targets do
      // not: a job's two listeners share one context).
      ok(`${w}: holder retains the items (${l.holder.devtools.retainedSize} >= ${l.items.retainedSum})`, l.holder.devtools.retainedSize >= l.items.retainedSum);
    }
    ok(`${w}: items retain something`, l.items.retainedSum > 0);
  }
  const inv = f.inventory;
  if (variant === 'fixed') {
    const userPath = (p) => p && !p.startsWith('global[') && !p.startsWith('globalThis.Deno');
    eq(`${name}: fixed: listener lists with >= ${LIST_MIN}`, inv.listeners.filter((x) => x.count >= LIST_MIN), []);
    eq(`${name}: fixed: timer groups with >= ${LIST_MIN}`, inv.timers.filter((x) => x.count >= LIST_MIN), []);
    eq(`${name}: fixed: pending promises with >= ${LIST_MIN} reactions`, inv.promises, []);
    for (const c of inv.collections.filter((x) => userPath(x.path))) {
      ok(`${name}: fixed: ${c.path} keeps ${c.devtools.retainedSize} bytes, < ${FIXED_SHARE_MAX} of the heap`, c.devtools.retainedSize < FIXED_SHARE_MAX * f.devtoolsTotalSize);
    }
    for (const c of inv.closures) {
      ok(`${name}: fixed: ${c.fn} closures keep ${c.retained} bytes, < ${FIXED_SHARE_MAX} of the heap`, c.retained < FIXED_SHARE_MAX * f.devtoolsTotalSize);
    }
  } else {
    for (const l of f.leaks) {
      if (/listeners$/.test(l.kind)) ok(`${name} ${l.id}: in the listener inventory`, inv.listeners.some((x) => x.count === l.count && x.where === l.created));
      if (/timers$/.test(l.kind)) ok(`${name} ${l.id}: in the timer inventory`, inv.timers.some((x) => x.count === l.count && x.where === l.created));
      if (l.kind === 'promise-reactions') ok(`${name} ${l.id}: in the promise inventory`, inv.promises.some((x) => x.path === l.anchor.text && x.reactions >= l.count));
    }
  }
}

// Each leak holds more in the leaky twin than in the fixed one.
for (const [name, f] of all) {
  if (!name.endsWith('-leak')) continue;
  const fixed = all.get(name.replace(/-leak$/, '-fixed'));
  if (!fixed) continue;
  for (const l of f.leaks) {
    const g = fixed.leaks.find((x) => x.id === l.id);
    if (!g || !g.holder || !l.holder || !l.holder.devtools || !g.holder.devtools) continue;
    if (l.kind.endsWith('timers')) continue; // the fixed twin has no timer holder to compare
    ok(`${name} ${l.id}: holder retains more than in the fixed twin (${l.holder.devtools.retainedSize} > ${g.holder.devtools.retainedSize})`,
      l.holder.devtools.retainedSize > g.holder.devtools.retainedSize);
  }
}

// ---- recompute ------------------------------------------------------------------------

// facts.js's output without the DevTools numbers (they need the oracle).
function stripDevtools(v) {
  if (Array.isArray(v)) return v.map(stripDevtools);
  if (v === null || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'devtools' || k === 'devtoolsTotalSize' || k === 'holderShare' || k === 'dominatedBy' || k === 'distinctDominators' || /^retained/.test(k)) continue;
    out[k] = stripDevtools(x);
  }
  return out;
}

if (args.has('--recompute')) {
  const { execFileSync } = require('child_process');
  for (const name of names) {
    const got = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'facts.js'), name, path.join(dir, name + '.heapsnapshot.gz')], { maxBuffer: 1 << 28 }));
    eq(`${name}: facts.js still measures the committed facts`, JSON.stringify(stripDevtools(got)), JSON.stringify(stripDevtools(all.get(name))));
  }
}

// ---- README tables ----------------------------------------------------------------------

const fmt = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));

function leakTable(runtime) {
  const snaps = names.filter((n) => parseName(n).runtime === runtime);
  const leaks = snaps.filter((n) => n.endsWith('-leak'));
  const fixeds = snaps.filter((n) => n.endsWith('-fixed'));
  const head = ['leak', 'count (leak / fixed)', 'anchor', 'created at', 'each holds', 'holder',
    ...leaks.map((n) => `retained ${n}`), ...fixeds.map((n) => `retained ${n}`)];
  const rows = [head, head.map(() => '---')];
  const first = all.get(leaks[0]);
  for (const spec of shapes[runtime]) {
    const l = first.leaks.find((x) => x.id === spec.id);
    const holds = l.accumulates ? Object.entries(l.accumulates.holds).map(([k, v]) => `${k}: ${Object.keys(v).join('/')}`).join(', ') : '';
    const each = l.items && l.items.retainedMin !== null ? ` (${fmt(l.items.retainedMin)}${l.items.retainedMax !== l.items.retainedMin ? '–' + fmt(l.items.retainedMax) : ''} B per ${l.items.node})` : '';
    rows.push([
      `\`${spec.id}\``,
      `${fmt(spec.count.leak)} / ${fmt(spec.count.fixed)}`,
      `\`${l.anchor.text}\``,
      l.created ? `\`${l.created}\`` : '—',
      (holds || (l.values ? Object.keys(l.values).join(', ') : '')) + each,
      `\`${l.holder.className}\``,
      ...leaks.map((n) => { const x = all.get(n).leaks.find((y) => y.id === spec.id); return fmt(x.holder && x.holder.devtools && x.holder.devtools.retainedSize); }),
      ...fixeds.map((n) => { const x = all.get(n).leaks.find((y) => y.id === spec.id); return fmt(x.holder && x.holder.devtools && x.holder.devtools.retainedSize); }),
    ]);
  }
  return rows.map((r) => '| ' + r.join(' | ') + ' |').join('\n');
}

function snapshotTable() {
  const producers = fs.readFileSync(path.join(dir, 'producers.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const rows = [['snapshot', 'producer', 'V8', 'nodes', 'edges', 'DevTools total', 'gzip bytes'], Array(7).fill('---')];
  for (const name of names) {
    const f = all.get(name);
    const p = producers.find((x) => x[0] === name) || [name, '?', '?'];
    rows.push([`\`${name}\``, p[1], p[2], fmt(f.nodeCount), fmt(f.edgeCount), fmt(f.devtoolsTotalSize), fmt(fs.statSync(path.join(dir, name + '.heapsnapshot.gz')).size)]);
  }
  return rows.map((r) => '| ' + r.join(' | ') + ' |').join('\n');
}

const tables = { snapshots: snapshotTable() };
for (const runtime of ['node', 'chromium', 'deno']) if (names.some((n) => parseName(n).runtime === runtime && n.endsWith('-leak'))) tables[runtime] = leakTable(runtime);

const readmePath = path.join(here, 'README.md');
let readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : '';
for (const [key, table] of Object.entries(tables)) {
  const re = new RegExp(`(<!-- table ${key}: generated by lib/check.js --write-readme -->\\n)[\\s\\S]*?(<!-- end of table ${key} -->)`);
  if (!re.test(readme)) { fail(`README.md: no generated table ${key}`); continue; }
  const want = readme.replace(re, (_, begin, end) => `${begin}${table}\n${end}`);
  if (args.has('--write-readme')) readme = want;
  else eq(`README.md table ${key} is up to date (node lib/check.js --write-readme)`, readme === want, true);
}
if (args.has('--write-readme') && readme) fs.writeFileSync(readmePath, readme);

report();
