'use strict';
// Builds a small but varied heap and writes a V8 heap snapshot of it.
//
// usage: node sample-app.js OUT.heapsnapshot [--expose-internals] [--expose-numeric-values]
//
// Used by make.sh to produce the testdata/versions/node*.heapsnapshot.gz fixtures.
// Everything here is deterministic (no Math.random, no clocks, fixed sizes), so
// that the snapshots of different Node versions differ only by what V8/Node
// themselves allocate. Keep it small: the snapshot should stay close to the size
// of a bare Node process.

const v8 = require('node:v8');
const {EventEmitter} = require('node:events');

const out = process.argv[2];
if (!out) {
  console.error('usage: node sample-app.js OUT.heapsnapshot [--expose-internals] [--expose-numeric-values]');
  process.exit(2);
}
const options = {};
if (process.argv.includes('--expose-internals')) options.exposeInternals = true;
if (process.argv.includes('--expose-numeric-values')) options.exposeNumericValues = true;

// --- user classes --------------------------------------------------------
class Shape {
  constructor(name) {
    this.name = name;
  }
  area() {
    return 0;
  }
}

class Circle extends Shape {
  constructor(r) {
    super('circle');
    this.r = r;
  }
  area() {
    return Math.PI * this.r * this.r;
  }
}

class Rect extends Shape {
  #secret;
  static count = 0;
  constructor(w, h) {
    super('rect');
    this.w = w;
    this.h = h;
    this.#secret = w * h;
    Rect.count++;
  }
  area() {
    return this.#secret;
  }
}

// Two different classes that are both called "Item", defined at different
// places (different script locations => different DevTools class keys).
const ItemA = (() => {
  class Item {
    constructor(i) {
      this.kind = 'A';
      this.i = i;
    }
  }
  return Item;
})();

const ItemB = (() => {
  class Item {
    constructor(i) {
      this.kind = 'B';
      this.i = i;
      this.extra = [i, i + 1];
    }
  }
  return Item;
})();

// A classic function constructor.
function Point(x, y) {
  this.x = x;
  this.y = y;
}

// --- closures capturing context -------------------------------------------
function makeCounter(start, label) {
  let count = start;
  const history = [];
  return {
    inc() {
      count++;
      history.push(count);
      return count;
    },
    label: () => label + ':' + count,
  };
}

function makeAdder(n) {
  const big = new Array(16).fill(n);  // captured by the closure below
  return (x) => x + n + big.length;
}

// --- the heap --------------------------------------------------------------
const shapes = [];
for (let i = 0; i < 8; i++) {
  shapes.push(i % 2 ? new Circle(i) : new Rect(i, i + 1));
}

const items = [];
for (let i = 0; i < 5; i++) {
  items.push(new ItemA(i));
  items.push(new ItemB(i));
}

const points = [new Point(1, 2), new Point(3, 4), new Point(5, 6)];

// Plain objects with repeated shapes: DevTools names these "{id, name, tags}".
const records = [];
for (let i = 0; i < 20; i++) {
  records.push({id: i, name: 'record-' + i, tags: ['t' + (i % 3), 't' + (i % 5)]});
}
const configs = [
  {host: 'localhost', port: 8080, secure: false},
  {host: 'example.invalid', port: 443, secure: true},
];

const byId = new Map();
for (const r of records) byId.set(r.id, r);
const tagSet = new Set();
for (const r of records) for (const t of r.tags) tagSet.add(t);

// WeakMap with object keys; the keys are kept alive by `weakKeys`.
const weakKeys = [];
const meta = new WeakMap();
for (let i = 0; i < 6; i++) {
  const key = {keyNo: i};
  weakKeys.push(key);
  meta.set(key, {payload: 'meta-' + i, list: [i, i * 2, i * 3]});
}
// An entry whose key is only reachable through the WeakMap value of another
// entry (an ephemeron chain).
{
  const k2 = {keyNo: 'chained'};
  meta.get(weakKeys[0]).next = k2;
  meta.set(k2, {payload: 'chained-value'});
}

// EventEmitter with several listeners for one event (closures over context).
const bus = new EventEmitter();
const received = [];
for (let i = 0; i < 4; i++) {
  bus.on('data', function onData(chunk) {
    received.push([i, chunk]);
  });
}
bus.on('data', (chunk) => received.push(['arrow', chunk]));
bus.once('end', () => received.push('end'));
bus.emit('data', 'first');

const counters = [makeCounter(0, 'a'), makeCounter(10, 'b')];
counters[0].inc();
const adders = [makeAdder(1), makeAdder(2)];

// Strings, including non-ASCII ones: é, U+2028 LINE SEPARATOR, an astral emoji
// (U+1F600), a lone surrogate, and a cons string and a sliced string.
const strings = {
  ascii: 'plain ascii string',
  latin1: 'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e',
  lineSep: 'before\u2028after',
  emoji: 'emoji-\u{1F600}-end',
  lone: 'lone-\ud800-surrogate',
  quotes: 'quote " backslash \\ tab \t newline \n',
  cons: null,
  sliced: null,
};
strings.cons = strings.ascii + ' + ' + 'x'.repeat(20) + String(records.length);
strings.sliced = ('sliced-source-' + 'y'.repeat(40)).slice(3, 30);
const unicodeKeyed = {'clé': 1, '\u{1F600}': 2};

// Binary data.
const buffer = Buffer.alloc(64, 0x61);
const typed = new Float64Array(8).fill(1.5);
const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, 16);

// Numbers (visible with exposeNumericValues), a symbol, a bigint, a regexp.
const numbers = {int: 42, double: 3.25, negative: -7, nan: NaN};
const sym = Symbol('heapsnap-symbol');
const big = 12345678901234567890n;
const re = /heap(snap)?/g;

globalThis.heapsnapApp = {
  shapes, items, points, records, configs, byId, tagSet, weakKeys, meta, bus, received,
  counters, adders, strings, unicodeKeyed, buffer, typed, bytes, numbers, sym, big, re,
  [sym]: 'symbol-keyed',
};

const written = v8.writeHeapSnapshot(out, options);
console.log(written);
