"use strict";
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
exports.DataProcessor = DataProcessor;
//# sourceMappingURL=data-processor.js.map