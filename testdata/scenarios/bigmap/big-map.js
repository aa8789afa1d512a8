'use strict';
// Usage: node big-map.js OUT.heapsnapshot
// Big collections and other memory hogs, all reachable from global.cache:
//   cache.sessions   Map    10,000 entries  (string key 'sess-N' -> Session)
//   cache.active     Set     4,000 entries  (Session objects, also in the Map)
//   cache.history    Array   6,000 elements (HistoryEntry objects)
//   cache.byEmail    object used as a dictionary, 3,000 keys -> Session
//   cache.banners    Array of 5,000 distinct copies of one 200-char string
//   cache.format     closure formatSession(), whose context keeps a 1 MB array alive
const v8 = require('v8');

const out = process.argv[2];
if (!out) throw new Error('usage: node big-map.js OUT.heapsnapshot');

const SESSIONS = 10000;
const ACTIVE = 4000;
const HISTORY = 6000;
const EMAILS = 3000;
const BANNERS = 5000;

class Session {
  constructor(id) {
    this.id = id;
    this.userId = id % 1000;
    this.lastSeen = id * 3;
  }
}

class HistoryEntry {
  constructor(seq, session) {
    this.seq = seq;
    this.session = session;
  }
}

function makeBanner() {
  // Built at run time with join(), so every call returns a new flat string
  // (no interning, no cons string): 5,000 distinct objects, one value.
  const parts = [];
  for (let k = 0; k < 20; k++) parts.push('banner-', String(k % 10), '!');
  parts.push('-'.repeat(200 - 20 * 9));
  return parts.join('');
}

function makeFormatter() {
  // bigTable is only needed by warmUp(), but warmUp and formatSession share one
  // context, so formatSession keeps the whole 1 MB array alive.
  const bigTable = [];
  for (let i = 0; i < 131072; i++) bigTable.push(i & 255);
  const prefix = 'session#';
  function warmUp() { return bigTable.length; }
  warmUp();
  return function formatSession(id) { return prefix + id; };
}

function main() {
  const cache = {
    sessions: new Map(),
    active: new Set(),
    history: [],
    byEmail: Object.create(null),
    banners: [],
    format: makeFormatter(),
  };
  for (let i = 0; i < SESSIONS; i++) cache.sessions.set('sess-' + i, new Session(i));
  let i = 0;
  for (const s of cache.sessions.values()) {
    if (i++ >= ACTIVE) break;
    cache.active.add(s);
  }
  for (let j = 0; j < HISTORY; j++) cache.history.push(new HistoryEntry(j, cache.sessions.get('sess-' + (j % SESSIONS))));
  for (let j = 0; j < EMAILS; j++) cache.byEmail['u' + j + '@x.io'] = cache.sessions.get('sess-' + j);
  for (let j = 0; j < BANNERS; j++) cache.banners.push(makeBanner());
  global.cache = cache;
}

main();
setImmediate(() => v8.writeHeapSnapshot(out));
