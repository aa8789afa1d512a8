// The incident's leak in TypeScript: processOrders() registers a 'data'
// listener per order with .on() where it meant .once(), so one listener per
// processed order stays on the long-lived emitter. The types below are erased
// by tsc, so the .ts lines and the compiled .js lines differ.
import { EventEmitter } from 'events';
import type { Order } from './orders';

/** What the emitter delivers for one order. */
export interface Chunk {
  orderId: number;
  amount: number;
}

/** Totals per customer. */
export type Totals = Map<string, number>;

/** Events the processor emits. */
export interface ProcessorEvents {
  data: (chunk: Chunk) => void;
  end: () => void;
  error: (err: Error) => void;
}

/** Options the processor accepts; none are needed by the leak. */
export interface ProcessorOptions {
  readonly name?: string;
  readonly maxOrders?: number;
}

export class DataProcessor {
  readonly emitter = new EventEmitter();
  readonly totals: Totals = new Map();
  processed = 0;
  finished = false;
  lastError: Error | undefined;

  constructor(readonly options: ProcessorOptions = {}) {
    this.emitter.on('error', (err: Error) => { this.lastError = err; });
    this.emitter.on('end', () => { this.finished = true; });
  }

  processOrders(orders: readonly Order[]): void {
    for (const order of orders) {
      // BUG: .on() where .once() was meant.
      this.emitter.on('data', (chunk: Chunk) => {
        if (chunk.orderId === order.id) this.record(order, chunk);
      });
      this.emitter.emit('data', { orderId: order.id, amount: order.amount });
    }
    this.emitter.emit('end');
  }

  record(order: Order, chunk: Chunk): void {
    this.processed++;
    this.totals.set(order.customer, (this.totals.get(order.customer) ?? 0) + chunk.amount);
  }
}
