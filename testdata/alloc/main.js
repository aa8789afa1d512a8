'use strict';
// Usage: node --track-heap-objects main.js OUT.heapsnapshot
// 400 requests: 200 orders are kept in global.store (live), 200 dropped.
// Every order has 3 line items, allocated in parseOrder <- handleRequest
// (src/orders.js).
const v8 = require('v8');
const { handleRequest } = require('./src/orders');
const { version } = require('./src/shipped-without-map');

const out = process.argv[2];
if (!out) throw new Error('usage: node --track-heap-objects main.js OUT.heapsnapshot');

global.store = [];
for (let i = 0; i < 400; i++) {
  handleRequest(global.store, `${i},customer-${i % 10},sku-a,sku-b,sku-c`, i % 2 === 0);
}
if (global.store.length !== 200) throw new Error('unexpected store size');
if (version() !== 1) throw new Error('src/shipped-without-map.js not loaded');
// Snapshot from a fresh stack, after a GC, so that the dropped orders are gone.
setImmediate(() => {
  if (typeof gc === 'function') gc();
  v8.writeHeapSnapshot(out);
});
