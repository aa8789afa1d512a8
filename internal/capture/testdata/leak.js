// A service with a planted leak, for internal/capture's tests: every
// "request" adds a listener to a long-lived emitter and never removes it.
//
// Environment:
//   LEAK_LISTENERS  listeners added at start (default 3000)
//   LEAK_GROW       listeners added every 50 ms after that (default 0)
//   LEAK_BALLAST_MB megabytes of live objects to hold besides (default 0)
//   LEAK_BUSY       allocate continuously (for allocation tracking)
// It prints "ready" on stdout once set up, then idles until killed.
'use strict';
const { EventEmitter } = require('node:events');

const bus = new EventEmitter();
bus.setMaxListeners(0);
globalThis.leakyBus = bus;

function addListeners(n) {
  for (let i = 0; i < n; i++) {
    const request = { id: bus.listenerCount('data'), path: '/orders/' + i };
    bus.on('data', function onLeakyData(chunk) {
      return request.id + chunk.length;
    });
  }
}

// Ballast: 1 kB records of a few objects and strings each, like a cache.
const ballast = [];
globalThis.leakyBallast = ballast;
function addBallast(mb) {
  for (let i = 0; i < mb * 1024; i++) {
    ballast.push({ key: 'k' + i, tags: ['a' + i, 'b' + i], payload: 'v'.repeat(900) + i });
  }
}

addListeners(Number(process.env.LEAK_LISTENERS || 3000));
addBallast(Number(process.env.LEAK_BALLAST_MB || 0));
const grow = Number(process.env.LEAK_GROW || 0);
setInterval(() => {
  if (grow > 0) addListeners(grow);
  if (process.env.LEAK_BUSY) {
    const garbage = [];
    for (let i = 0; i < 20000; i++) garbage.push({ n: i, s: 'tmp' + i });
  }
}, 50);
process.stdout.write('ready\n');
