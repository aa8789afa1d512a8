'use strict';
// Allocations in a known call chain: every Order and LineItem is allocated by
// parseOrder, called by handleRequest. Half the orders are kept (live), half
// dropped (allocated, then dead), so the Allocation view's counts and live
// counts differ.

class LineItem {
  constructor(sku, quantity) {
    this.sku = sku;
    this.quantity = quantity;
  }
}

class Order {
  constructor(id, customer) {
    this.id = id;
    this.customer = customer;
    this.items = [];
  }
}

function parseOrder(text) {
  const [id, customer, ...skus] = text.split(',');
  const order = new Order(Number(id), customer);
  for (const sku of skus) order.items.push(new LineItem(sku, 1));
  return order;
}

function handleRequest(store, text, keep) {
  const order = parseOrder(text);
  if (keep) store.push(order);
  return order.id;
}

module.exports = { handleRequest, parseOrder, Order, LineItem };
