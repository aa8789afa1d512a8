// A second, simpler service heap, for checking heapsnap's speed targets on
// a program other than service-heap.js: a Map of orders with nested
// customer and item objects, an array of closures, and an EventEmitter
// with scale/10 'data' listeners. At scale 2000000 it writes a 2.46 GB
// snapshot (29.4 M nodes, 87.4 M edges).
//
//   node --max-old-space-size=20000 orders.js 2000000 /tmp/orders.heapsnapshot
const v8 = require('v8');
const EventEmitter = require('events');
const scale = +process.argv[2] || 100000;
class Order { constructor(i) { this.id = i; this.customer = { name: 'c' + (i % 1000), email: `u${i}@x.io` }; this.items = [ {sku: 's'+i, qty: i%5}, {sku: 't'+i, qty: 1} ]; this.note = 'note-' + i; } }
global.sessions = new Map();
for (let i = 0; i < scale; i++) global.sessions.set('k' + i, new Order(i));
global.cache = [];
for (let i = 0; i < scale; i++) { const x = i; global.cache.push(() => x + 1); }
global.emitter = new EventEmitter(); global.emitter.setMaxListeners(0);
for (let i = 0; i < scale / 10; i++) global.emitter.on('data', (c) => c + i);
v8.writeHeapSnapshot(process.argv[3]);
