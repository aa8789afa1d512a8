// Deterministic orders for the leaky processor.

export interface Order {
  id: number;
  customer: string;
  amount: number;
}

export const ORDER_COUNT = 2000;

export function makeOrders(n: number): Order[] {
  const orders: Order[] = [];
  for (let i = 0; i < n; i++) {
    orders.push({ id: i + 1, customer: 'customer-' + (i % 50), amount: (i * 37) % 1000 });
  }
  return orders;
}
