'use strict';
// Usage: node abort-leak.js OUT.heapsnapshot
// EventTarget leak: every request adds an 'abort' listener to the signal of
// ONE long-lived AbortController (global.shutdown) and never removes it.
const v8 = require('v8');

const out = process.argv[2];
if (!out) throw new Error('usage: node abort-leak.js OUT.heapsnapshot');

const REQUESTS = 500;

class RequestContext {
  constructor(id) {
    this.id = id;
    this.url = '/api/items/' + id;
    this.done = false;
  }
}

function handleRequest(signal, id) {
  const ctx = new RequestContext(id);
  signal.addEventListener('abort', function onAbort() {
    ctx.done = true;
  });
  ctx.done = true; // the request finishes, but the listener stays registered
  return ctx;
}

function main() {
  global.shutdown = new AbortController();
  // One well-behaved listener on another, per-request signal: not a leak.
  global.perRequest = new AbortController();
  global.perRequest.signal.addEventListener('abort', () => {}, { once: true });
  for (let i = 0; i < REQUESTS; i++) handleRequest(global.shutdown.signal, i);
}

main();
setImmediate(() => v8.writeHeapSnapshot(out));
