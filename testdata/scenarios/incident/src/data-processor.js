'use strict';
// BUGGY version of the motivating incident: processOrders() registers a
// 'data' listener per order with .on() where it meant .once(), so one
// listener per processed order accumulates on the long-lived emitter.
const { EventEmitter } = require('events');
const { PassThrough } = require('stream');

class DataProcessor {
  constructor() {
    this.emitter = new EventEmitter();
    this.totals = new Map();
    this.processed = 0;
    this.emitter.on('error', (err) => { this.lastError = err; });
    this.emitter.on('end', () => { this.finished = true; });
    this.emitter.on('end', () => { this.endCount = (this.endCount || 0) + 1; });
    // One pending once() listener (never fired): stored as a bound onceWrapper.
    this.emitter.once('close', () => { this.closed = true; });
    // A stream: its _events pre-allocates keys (data, end, error, ...) as undefined.
    this.input = new PassThrough();
  }

  processOrders(orders) {
    for (const order of orders) {
      this.emitter.on('data', (chunk) => {
        if (chunk.orderId === order.id) this.record(order, chunk);
      });
      this.emitter.emit('data', { orderId: order.id, amount: order.amount });
    }
    this.emitter.emit('end');
  }

  record(order, chunk) {
    this.processed++;
    this.totals.set(order.customer, (this.totals.get(order.customer) || 0) + chunk.amount);
  }
}

module.exports = { DataProcessor };
