'use strict';
// Index-map fixture: tsc output of src/*.ts wrapped in a tiny module registry.
const __defined = {};
const __cache = {};
function __require(name) {
  const key = name.replace(/^\.\//, '');
  if (!(key in __defined)) return require(name);
  if (!(key in __cache)) { __cache[key] = {}; __defined[key](__cache[key], __require); }
  return __cache[key];
}
__defined["orders"] = function (exports, require) { "use strict";
// Deterministic orders for the leaky processor.
Object.defineProperty(exports, "__esModule", { value: true });
exports.ORDER_COUNT = void 0;
exports.makeOrders = makeOrders;
exports.ORDER_COUNT = 2000;
function makeOrders(n) {
    const orders = [];
    for (let i = 0; i < n; i++) {
        orders.push({ id: i + 1, customer: 'customer-' + (i % 50), amount: (i * 37) % 1000 });
    }
    return orders;
} };
__defined["data-processor"] = function (exports, require) { "use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DataProcessor = void 0;
// The incident's leak in TypeScript: processOrders() registers a 'data'
// listener per order with .on() where it meant .once(), so one listener per
// processed order stays on the long-lived emitter. The types below are erased
// by tsc, so the .ts lines and the compiled .js lines differ.
const events_1 = require("events");
class DataProcessor {
    options;
    emitter = new events_1.EventEmitter();
    totals = new Map();
    processed = 0;
    finished = false;
    lastError;
    constructor(options = {}) {
        this.options = options;
        this.emitter.on('error', (err) => { this.lastError = err; });
        this.emitter.on('end', () => { this.finished = true; });
    }
    processOrders(orders) {
        for (const order of orders) {
            // BUG: .on() where .once() was meant.
            this.emitter.on('data', (chunk) => {
                if (chunk.orderId === order.id)
                    this.record(order, chunk);
            });
            this.emitter.emit('data', { orderId: order.id, amount: order.amount });
        }
        this.emitter.emit('end');
    }
    record(order, chunk) {
        this.processed++;
        this.totals.set(order.customer, (this.totals.get(order.customer) ?? 0) + chunk.amount);
    }
}
exports.DataProcessor = DataProcessor; };
__defined["main"] = function (exports, require) { "use strict";
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
setImmediate(() => (0, v8_1.writeHeapSnapshot)(out)); };
__require('./main');
//# sourceMappingURL=main.js.map
