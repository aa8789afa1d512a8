'use strict';
// Usage: node data-processor-fixed.js OUT.heapsnapshot
// Fixed program: same work as data-processor.js but with .once(); every
// once-listener fires, so no 'data' listener is left on the emitter.
const v8 = require('v8');
const { DataProcessor } = require('./src/data-processor-fixed');
const { makeOrders, ORDER_COUNT } = require('./orders');

const out = process.argv[2];
if (!out) throw new Error('usage: node data-processor-fixed.js OUT.heapsnapshot');

function main() {
  global.processor = new DataProcessor();
  global.processor.processOrders(makeOrders(ORDER_COUNT));
  if (global.processor.processed !== ORDER_COUNT) throw new Error('unexpected processed count');
  if (global.processor.emitter.listenerCount('data') !== 0) throw new Error('fixed program still leaks');
}

main();
// Snapshot from a fresh stack so that no stale interpreter register of the
// top-level code keeps the emitter on the stack roots.
setImmediate(() => v8.writeHeapSnapshot(out));
