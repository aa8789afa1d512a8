'use strict';
// Deterministic order generator shared by the leaky and the fixed program.
function makeOrders(n) {
  const orders = [];
  for (let i = 0; i < n; i++) {
    orders.push({ id: i + 1, customer: 'customer-' + (i % 50), amount: (i * 37) % 1000 });
  }
  return orders;
}

module.exports = { makeOrders, ORDER_COUNT: 2000 };
