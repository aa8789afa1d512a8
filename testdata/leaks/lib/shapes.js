'use strict';
// The leaks each program makes, per runtime: what accumulates, the anchor an
// engineer would name, the function that made it, and how many the leaky and
// the fixed variant leave behind. facts.js measures each of them in a
// snapshot; check.js compares the measurements with these numbers and with
// the program sources. `v` is 'leak' or 'fixed'. Function positions are not
// written here: check.js finds `function NAME(` in the source instead.
// `holder` is the class of the node whose retained size is quoted (a map
// {major: class, default: class} where Node versions differ); `holds` the
// class each accumulated thing keeps in a context variable.

const nodeFile = (name) => (v) => `node/${v}/${name}.js`;
const incidentFile = (v) => `incident/src/data-processor${v === 'fixed' ? '-fixed' : ''}.js`;

const node = [
  {
    id: 'emitter-data', shape: 1, kind: 'emitter-listeners', event: 'data',
    anchor: { global: ['processor', 'emitter'], file: nodeFile('emitter') },
    fn: { name: '', file: incidentFile, line: 24, column: 31 },
    holder: 'EventEmitter',
    holds: { 'hidden:0': 'Object' },
    count: { leak: 2000, fixed: 0 },
  },
  {
    id: 'event-target-progress', shape: 2, kind: 'event-target-listeners', event: 'progress',
    anchor: { module: nodeFile('event-target'), variable: 'queue' },
    fn: { name: 'onProgress', file: nodeFile('event-target') },
    holder: 'JobQueue',
    holds: { job: 'Job' },
    count: { leak: 1000, fixed: 0 },
  },
  {
    id: 'event-target-abort', shape: 2, kind: 'event-target-listeners', event: 'abort',
    anchor: { global: ['shutdown', '#signal'], file: nodeFile('event-target') },
    // Node 22 and later do not set an AbortSignal's warned marker.
    warned: { 20: true, default: false },
    fn: { name: 'onShutdown', file: nodeFile('event-target') },
    holder: { 20: 'EventTarget', default: 'AbortSignal' },
    holds: { job: 'Job' },
    count: { leak: 500, fixed: 0 },
  },
  {
    id: 'timers-interval', shape: 3, kind: 'timers', repeat: true, list: '60000',
    fn: { name: 'poll', file: nodeFile('timers') },
    holder: 'TimersList',
    holds: { poller: 'Poller' },
    count: { leak: 500, fixed: 0 },
  },
  {
    id: 'timers-timeout-chain', shape: 3, kind: 'timers', repeat: false, list: '20',
    fn: { name: 'beat', file: nodeFile('timers') },
    holder: 'TimersList',
    holds: { conn: 'Connection' },
    count: { leak: 200, fixed: 0 },
  },
  {
    id: 'collections-map', shape: 4, kind: 'collection', collection: 'Map', keys: 'req-<n>', values: 'CachedResponse',
    anchor: { module: nodeFile('collections'), variable: 'responses' },
    holder: 'Map',
    count: { leak: 2000, fixed: 50 },
  },
  {
    id: 'collections-set', shape: 4, kind: 'collection', collection: 'Set', keys: 'tok-<n>:abcdabcd', values: '(string)',
    anchor: { module: nodeFile('collections'), variable: 'seenTokens' },
    holder: 'Set',
    count: { leak: 500, fixed: 50 },
  },
  {
    id: 'collections-array', shape: 4, kind: 'collection', collection: 'Array', values: 'AuditEntry',
    anchor: { global: ['auditLog'], file: nodeFile('collections') },
    holder: 'Array',
    count: { leak: 500, fixed: 50 },
  },
  {
    id: 'collections-dictionary', shape: 4, kind: 'collection', collection: 'object', keys: 'sess-<n>', values: 'Session',
    anchor: { module: nodeFile('collections'), variable: 'sessionsById' },
    holder: 'Object',
    count: { leak: 500, fixed: 50 },
  },
  {
    id: 'collections-static', shape: 4, kind: 'collection', collection: 'Map', keys: 'user-<n>', values: 'UserRecord',
    anchor: { module: nodeFile('collections'), variable: 'UserStore', property: 'cache' },
    holder: 'Map',
    count: { leak: 300, fixed: 50 },
  },
  {
    id: 'closure-context', shape: 5, kind: 'closure-context', captured: 'payload',
    anchor: { module: nodeFile('closure'), variable: 'handlers' },
    fn: { name: 'onMessage', file: nodeFile('closure') },
    // onMessage closures exist in both variants; `count` is how many of their
    // contexts still hold a payload.
    members: { leak: 1000, fixed: 1000 },
    holder: 'Array',
    holds: { payload: 'Array' },
    count: { leak: 1000, fixed: 0 },
  },
  {
    id: 'promise-then', shape: 6, kind: 'promise-reactions', await: false,
    anchor: { module: nodeFile('promises'), variable: 'connected' },
    fn: { name: 'runQuery', file: nodeFile('promises') },
    holder: 'Promise',
    holds: { q: 'Query' },
    count: { leak: 800, fixed: 0 },
  },
  {
    id: 'promise-await', shape: 6, kind: 'promise-reactions', await: true,
    anchor: { module: nodeFile('promises'), variable: 'connected' },
    fn: { name: 'loadUser', file: nodeFile('promises'), async: true },
    holder: 'Promise',
    holds: { registers: 'UserRequest' },
    count: { leak: 200, fixed: 0 },
  },
];

const chromiumFile = (v) => `chromium/${v}/app.js`;
const chromium = [
  {
    id: 'dom-listeners-window', shape: 2, kind: 'dom-listeners', event: 'resize',
    anchor: { target: 'window' },
    fn: { name: 'onResize', file: chromiumFile },
    holder: 'Window / file://',
    holds: { state: 'WidgetState' },
    count: { leak: 400, fixed: 0 },
  },
  {
    id: 'dom-listeners-document', shape: 2, kind: 'dom-listeners', event: 'keydown',
    anchor: { target: 'document' },
    fn: { name: 'onKeydown', file: chromiumFile },
    holder: 'HTMLDocument',
    holds: { state: 'WidgetState' },
    count: { leak: 400, fixed: 0 },
  },
  {
    id: 'dom-listeners-element', shape: 2, kind: 'dom-listeners', event: 'click',
    anchor: { target: '<button id="refresh" type="button">' },
    fn: { name: 'onRefresh', file: chromiumFile },
    holder: '<button id="refresh" type="button">',
    holds: { state: 'WidgetState' },
    count: { leak: 400, fixed: 0 },
  },
  {
    id: 'dom-timers-interval', shape: 3, kind: 'dom-timers', repeat: true,
    fn: { name: 'tick', file: chromiumFile },
    holder: 'blink::(anonymous namespace)::DOMTimerCoordinator',
    holds: { state: 'WidgetState' },
    count: { leak: 400, fixed: 0 },
  },
  {
    id: 'dom-timers-timeout-chain', shape: 3, kind: 'dom-timers', repeat: false,
    fn: { name: 'beat', file: chromiumFile },
    holder: 'blink::(anonymous namespace)::DOMTimerCoordinator',
    holds: { state: 'WidgetState' },
    count: { leak: 400, fixed: 0 },
  },
  {
    id: 'detached-dom', shape: 7, kind: 'detached-dom',
    anchor: { module: chromiumFile, variable: 'closedDialogs' },
    // count = detached trees (dialogs) held; each is <div> + <ul> + 30 <li>.
    holder: 'Array',
    count: { leak: 3, fixed: 0 },
    elements: { leak: 96, fixed: 0 },
  },
];

const denoFile = (v) => `deno/${v}/app.js`;
const deno = [
  {
    id: 'event-target-progress', shape: 2, kind: 'deno-event-target-listeners', event: 'progress',
    anchor: { module: denoFile, variable: 'jobEvents' },
    fn: { name: 'onProgress', file: denoFile },
    holder: 'EventTarget',
    holds: { job: 'Job' },
    count: { leak: 800, fixed: 0 },
  },
  {
    id: 'timers-interval', shape: 3, kind: 'timers', repeat: true,
    fn: { name: 'poll', file: denoFile },
    holder: 'Map',
    holds: { poller: 'Poller' },
    count: { leak: 400, fixed: 0 },
  },
  {
    id: 'timers-timeout-chain', shape: 3, kind: 'timers', repeat: false,
    fn: { name: 'beat', file: denoFile },
    holder: 'Map',
    holds: { conn: 'Connection' },
    count: { leak: 200, fixed: 0 },
  },
  {
    id: 'collections-map', shape: 4, kind: 'collection', collection: 'Map', keys: 'req-<n>', values: 'CachedResponse',
    anchor: { module: denoFile, variable: 'responses' },
    holder: 'Map',
    count: { leak: 1500, fixed: 50 },
  },
];

// Snapshot name -> runtime and variant: node20-leak, chromium-fixed, ...
function parseName(name) {
  const m = /^(node\d+|chromium|deno)-(leak|fixed)$/.exec(name);
  if (!m) throw new Error(`unknown snapshot name ${name}`);
  const runtime = m[1].startsWith('node') ? 'node' : m[1];
  return { runtime, variant: m[2], major: runtime === 'node' ? +m[1].slice(4) : null };
}

module.exports = { shapes: { node, chromium, deno }, parseName };
