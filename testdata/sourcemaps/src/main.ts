// Usage: node dist/main.js OUT.heapsnapshot
// Leaky program: 2,000 orders leave 2,000 'data' listeners on
// global.processor.emitter, all created by the arrow function in
// DataProcessor.processOrders (src/data-processor.ts).
import { writeHeapSnapshot } from 'v8';
import { DataProcessor } from './data-processor';
import { makeOrders, ORDER_COUNT } from './orders';

declare global {
  // eslint-disable-next-line no-var
  var processor: DataProcessor;
}

const out = process.argv[2];
if (!out) throw new Error('usage: node dist/main.js OUT.heapsnapshot');

function main(): void {
  globalThis.processor = new DataProcessor({ name: 'orders' });
  globalThis.processor.processOrders(makeOrders(ORDER_COUNT));
  if (globalThis.processor.processed !== ORDER_COUNT) throw new Error('unexpected processed count');
  if (globalThis.processor.emitter.listenerCount('data') !== ORDER_COUNT) throw new Error('leak not reproduced');
}

main();
// Snapshot from a fresh stack so that no stale interpreter register of the
// top-level code keeps the emitter on the stack roots.
setImmediate(() => writeHeapSnapshot(out));
