'use strict';
// Usage: node data-processor.js OUT.heapsnapshot
// Leaky program: 2,000 orders -> 2,000 'data' listeners stay on
// global.processor.emitter (the arrow function at src/data-processor.js:24:31).
const v8 = require('v8');
const { DataProcessor } = require('./src/data-processor');
const { makeOrders, ORDER_COUNT } = require('./orders');

const out = process.argv[2];
if (!out) throw new Error('usage: node data-processor.js OUT.heapsnapshot');

function main() {
  global.processor = new DataProcessor();
  global.processor.processOrders(makeOrders(ORDER_COUNT));
  if (global.processor.processed !== ORDER_COUNT) throw new Error('unexpected processed count');
  if (global.processor.emitter.listenerCount('data') !== ORDER_COUNT) throw new Error('leak not reproduced');
}

main();
// Snapshot from a fresh stack so that no stale interpreter register of the
// top-level code keeps the emitter on the stack roots.
setImmediate(() => v8.writeHeapSnapshot(out));
