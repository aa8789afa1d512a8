#!/usr/bin/env node
// service-heap.js builds a heap shaped like a Node.js service and writes a
// real V8 heap snapshot of it, for benchmarks at realistic sizes.
//
//   node --max-old-space-size=16000 testdata/bench/service-heap.js --scale 23 --out big.heapsnapshot
//
// Options:
//   --scale N       size multiplier (may be fractional; default 1)
//   --out FILE      snapshot path (default service-heap-<scale>.heapsnapshot)
//   --seed N        PRNG seed (default 1); same seed and scale, same structure
//   --listeners N   'data' listeners on the leaking EventEmitter
//                   (default 1600 × scale)
//
// What it builds (counts per unit of scale; scale 1 is about 100 MB):
//   - 8,000 Customers with nested address objects and tag arrays
//   - global.sessions: a Map of 12,000 session objects, each with a Customer,
//     a cart Array of LineItems, a history Array of paths, a meta object and
//     sometimes a Buffer; a WeakMap keyed by sessions
//   - 16,000 Orders (class instances) with LineItems, heap-number totals,
//     duplicated status strings and concatenated/sliced note strings
//   - an LRU cache (Map + doubly linked entries) of 20,000 string entries
//   - 32,000 distinct message strings, 16,000 duplicated strings
//   - 6,000 route handlers: closures capturing per-route contexts
//   - 800 Buffers of 1–16 KB
//   - global.processor.emitter, an EventEmitter with many 'data' listeners,
//     each capturing its own pending Array and a Buffer: the incident's leak
//
// Measured on Node 20.20 (V8 11.3): see testdata/bench/README.md.
'use strict';

const v8 = require('v8');
const EventEmitter = require('events');

function parseArgs(argv) {
  const opts = {scale: 1, out: null, seed: 1, listeners: null};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--scale': opts.scale = Number(val()); break;
      case '--out': opts.out = val(); break;
      case '--seed': opts.seed = Number(val()); break;
      case '--listeners': opts.listeners = Number(val()); break;
      case '-h': case '--help':
        console.log('usage: node service-heap.js [--scale N] [--out FILE] [--seed N] [--listeners N]');
        process.exit(0);
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!(opts.scale > 0)) throw new Error('--scale must be > 0');
  if (!opts.out) opts.out = `service-heap-${opts.scale}.heapsnapshot`;
  if (opts.listeners === null) opts.listeners = Math.round(1600 * opts.scale);
  return opts;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`service-heap: ${e.message}\nusage: node service-heap.js [--scale N] [--out FILE] [--seed N] [--listeners N]`);
  process.exit(2);
}
const S = opts.scale;
const n = (perUnit) => Math.max(1, Math.round(perUnit * S));

// mulberry32: a small deterministic PRNG.
let seed = opts.seed >>> 0;
function rand() {
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo));
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const ALPHA = 'abcdefghijklmnopqrstuvwxyz0123456789';
function randStr(len) {
  let s = '';
  for (let i = 0; i < len; i++) s += ALPHA[Math.floor(rand() * ALPHA.length)];
  // Flatten the cons string V8 built, so that it is one sequential string.
  return Buffer.from(s, 'latin1').toString('latin1');
}
// A fresh (non-internalized) copy of s: duplicated strings in the heap.
const dup = (s) => Buffer.from(s, 'latin1').toString('latin1');

const FIRST = ['Alice', 'Bob', 'Carla', 'Dmitri', 'Emeka', 'Fatima', 'Gustavo', 'Hana', 'Ivan', 'Julia', 'Kenji', 'Lena'];
const LAST = ['Smith', 'Garcia', 'Muller', 'Rossi', 'Kowalski', 'Tanaka', 'Okafor', 'Silva', 'Novak', 'Chen'];
const CITIES = ['Berlin', 'São Paulo', 'Tokyo', 'Lagos', 'Toronto', 'Kraków'];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'refunded', 'cancelled'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'okhttp/4.12.0',
  'curl/8.5.0',
];
const WORDS = 'lorem ipsum dolor sit amet order invoice customer shipping total status pending paid refund item quantity price currency'.split(' ');
const words = (k) => { const w = []; for (let i = 0; i < k; i++) w.push(pick(WORDS)); return w.join(' '); };

class Customer {
  constructor(i) {
    this.id = `cus_${i}_${randStr(6)}`;
    this.name = `${pick(FIRST)} ${pick(LAST)}`;
    this.email = `${this.name.replace(' ', '.').toLowerCase()}${i}@example.com`;
    this.address = {street: `${randInt(1, 999)} ${words(2)} street`, city: dup(pick(CITIES)), zip: String(randInt(10000, 99999))};
    this.tags = rand() < 0.3 ? [dup('vip'), dup('newsletter')] : [];
  }
}

class LineItem {
  constructor() {
    this.sku = `SKU-${randStr(8)}`;
    this.qty = randInt(1, 5);
    this.price = randInt(100, 100000) / 100; // a heap number unless integral
  }
}

class Order {
  constructor(i, customer) {
    this.id = `ord_${i}`;
    this.customer = customer;
    this.items = [];
    for (let k = randInt(1, 5); k > 0; k--) this.items.push(new LineItem());
    this.total = this.items.reduce((t, it) => t + it.qty * it.price, 0.5);
    this.status = dup(pick(STATUSES));
    this.createdAt = new Date(1.7e12 + i * 1000);
    if (rand() < 0.4) {
      const note = 'Note for ' + this.id + ': ' + words(randInt(3, 12));
      this.note = rand() < 0.5 ? note : note.slice(5); // cons or sliced string
    }
  }
}

class LRUCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.map = new Map();
    this.head = null;
    this.tail = null;
  }
  set(key, value) {
    const e = {key, value, prev: null, next: this.head};
    if (this.head) this.head.prev = e;
    this.head = e;
    if (!this.tail) this.tail = e;
    this.map.set(key, e);
    if (this.map.size > this.capacity) {
      const old = this.tail;
      this.tail = old.prev;
      this.tail.next = null;
      this.map.delete(old.key);
    }
  }
}

function build() {
  const t0 = Date.now();
  const customers = [];
  for (let i = 0; i < n(8000); i++) customers.push(new Customer(i));

  const sessions = new Map();
  const sessionMeta = new WeakMap();
  for (let i = 0; i < n(12000); i++) {
    const id = `sess_${randStr(24)}`;
    const s = {
      id,
      customer: pick(customers),
      token: randStr(32),
      createdAt: Date.now() + i + 0.25,
      cart: [],
      history: [],
      meta: {ip: `10.${randInt(0, 255)}.${randInt(0, 255)}.${randInt(0, 255)}`, ua: dup(pick(AGENTS)), lang: dup('en-US,en;q=0.9')},
    };
    for (let k = randInt(0, 4); k > 0; k--) s.cart.push(new LineItem());
    for (let k = randInt(1, 8); k > 0; k--) s.history.push(`/api/v1/orders/${randInt(1, 1e6)}/items?page=${randInt(1, 20)}`);
    if (rand() < 0.05) s.avatar = Buffer.alloc(randInt(1024, 8192), i & 255);
    sessions.set(id, s);
    sessionMeta.set(s, {lastSeen: Date.now() - i, hits: randInt(1, 1000), trace: randStr(16)});
  }

  const orders = [];
  for (let i = 0; i < n(16000); i++) orders.push(new Order(i, pick(customers)));

  const cache = new LRUCache(n(20000));
  for (let i = 0; i < n(24000); i++) {
    cache.set(`cache:user:${randInt(0, 1e7)}:profile`, rand() < 0.5 ? randStr(randInt(20, 200)) : JSON.stringify({id: i, name: pick(FIRST), status: pick(STATUSES)}));
  }

  const messages = [];
  for (let i = 0; i < n(32000); i++) messages.push(`${randStr(8)} ${words(randInt(4, 40))}`);
  const duplicated = [];
  for (let i = 0; i < n(16000); i++) duplicated.push(dup(pick(STATUSES) + ':' + pick(CITIES)));

  const routes = [];
  for (let i = 0; i < n(6000); i++) {
    const route = {path: `/api/v1/${pick(WORDS)}/${i}`, method: dup(rand() < 0.7 ? 'GET' : 'POST')};
    const ctx = {route, hits: 0, lastError: null, cacheKey: randStr(12)};
    route.handler = function handleRequest(req) {
      ctx.hits++;
      return route.path + req;
    };
    routes.push(route);
  }

  const buffers = [];
  for (let i = 0; i < n(800); i++) buffers.push(Buffer.alloc(randInt(1024, 16384), i & 255));

  // The leak: every request adds a 'data' listener and never removes it.
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const recent = [...sessions.values()].slice(0, 64);
  for (let i = 0; i < opts.listeners; i++) {
    const pending = [];
    for (let k = 0; k < 4; k++) pending.push(randStr(randInt(16, 64)));
    const chunk = Buffer.alloc(randInt(512, 4096));
    const session = pick(recent);
    emitter.on('data', function onData(data) {
      pending.push(data);
      chunk.write(String(data));
      return session.id;
    });
  }

  global.store = {customers, orders};
  global.sessions = sessions;
  global.sessionMeta = sessionMeta;
  global.cache = cache;
  global.messages = messages;
  global.duplicated = duplicated;
  global.routes = routes;
  global.buffers = buffers;
  global.processor = {emitter, started: Date.now()};
  return Date.now() - t0;
}

const buildMs = build();
const t1 = Date.now();
const file = v8.writeHeapSnapshot(opts.out);
const writeMs = Date.now() - t1;
const size = require('fs').statSync(file).size;
const mem = process.memoryUsage();
console.error(`service-heap: scale ${S}, ${opts.listeners} listeners: wrote ${file} ` +
  `(${(size / 1e6).toFixed(1)} MB) build ${(buildMs / 1000).toFixed(1)}s, snapshot ${(writeMs / 1000).toFixed(1)}s, ` +
  `heapUsed ${(mem.heapUsed / 1e6).toFixed(0)} MB, rss ${(mem.rss / 1e6).toFixed(0)} MB`);
