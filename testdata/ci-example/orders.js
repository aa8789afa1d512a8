'use strict';
// A tiny order service with the bug of the incident in testdata/scenarios:
// every request subscribes to a long-lived emitter and never unsubscribes,
// so each request's listener, and the RequestContext it closes over, stay
// alive for ever. LEAK=0 switches the fix on: the request removes its
// listener when it is done.
const { EventEmitter } = require('events');

const LEAK = process.env.LEAK !== '0';

class RequestContext {
  constructor(id, order) {
    this.id = id;
    this.order = order;
    this.configVersion = 0;
  }
}

// Configuration changes are broadcast to the requests in flight.
const config = new EventEmitter();
config.setMaxListeners(0); // Node would warn at 11; the budget in .heapsnap.yaml catches it instead

function handle(id) {
  const ctx = new RequestContext(id, { id, items: [id % 7, id % 11, id % 13], total: (id * 37) % 1000 });
  const onChange = (version) => { ctx.configVersion = version; };
  config.on('change', onChange);
  const total = ctx.order.total; // the request's work
  if (!LEAK) config.off('change', onChange);
  return total;
}

module.exports = { handle, config, RequestContext, LEAK };
