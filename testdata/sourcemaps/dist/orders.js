"use strict";
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
}
//# sourceMappingURL=orders.js.map