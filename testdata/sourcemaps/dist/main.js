"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
// Usage: node dist/main.js OUT.heapsnapshot
// Leaky program: 2,000 orders leave 2,000 'data' listeners on
// global.processor.emitter, all created by the arrow function in
// DataProcessor.processOrders (src/data-processor.ts).
const v8_1 = require("v8");
const data_processor_1 = require("./data-processor");
const orders_1 = require("./orders");
const out = process.argv[2];
if (!out)
    throw new Error('usage: node dist/main.js OUT.heapsnapshot');
function main() {
    globalThis.processor = new data_processor_1.DataProcessor({ name: 'orders' });
    globalThis.processor.processOrders((0, orders_1.makeOrders)(orders_1.ORDER_COUNT));
    if (globalThis.processor.processed !== orders_1.ORDER_COUNT)
        throw new Error('unexpected processed count');
    if (globalThis.processor.emitter.listenerCount('data') !== orders_1.ORDER_COUNT)
        throw new Error('leak not reproduced');
}
main();
// Snapshot from a fresh stack so that no stale interpreter register of the
// top-level code keeps the emitter on the stack roots.
setImmediate(() => (0, v8_1.writeHeapSnapshot)(out));
//# sourceMappingURL=main.js.map