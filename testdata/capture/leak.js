// A service with a planted leak, for the capture tests (internal/capture,
// internal/cli) and measurements: every "request" adds a listener to a
// long-lived emitter and never removes it.
//
// Environment:
//   LEAK_LISTENERS  listeners added at start (default 3000)
//   LEAK_GROW       listeners added every 50 ms after that (default 0)
//   LEAK_BALLAST_MB megabytes of live objects to hold besides (default 0)
//   LEAK_BALLAST_KIND 'rows' for rows with a 500-character text instead of
//                     small records
//   LEAK_BUSY       '1': allocate a batch of objects every 50 ms; 'max': back
//                   to back (for the cost of allocation tracking)
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

// Ballast: records of seven small objects (about 480 bytes of heap) each, like a
// cache of parsed rows: the many-small-objects heap that costs a snapshot
// the most per byte.
const ballast = [];
globalThis.leakyBallast = ballast;
function addBallast(mb) {
  if (process.env.LEAK_BALLAST_KIND === 'rows') {
    // Or rows with a 500-character text each (about 1.2 kB of heap in four
    // objects): fewer objects for their bytes.
    for (let i = 0; i < (mb * 1e6) / 1200; i++) {
      ballast.push({ id: i, name: 'row' + i, text: (i + '.').padEnd(500, 'abcdefghij') });
    }
    return;
  }
  const records = Math.round((mb * 1e6) / 480);
  for (let i = 0; i < records; i++) {
    ballast.push({ key: 'k' + i, tags: ['a' + i, 'b' + i], payload: 'v'.repeat(100) + i });
  }
}

// Tests grow the leak between snapshots through the inspector.
globalThis.leakyGrow = addListeners;

addListeners(Number(process.env.LEAK_LISTENERS || 3000));
addBallast(Number(process.env.LEAK_BALLAST_MB || 0));
const grow = Number(process.env.LEAK_GROW || 0);
// A request's worth of short-lived objects; leakyBatches counts them.
globalThis.leakyBatches = 0;
function allocate() {
  const garbage = [];
  for (let i = 0; i < 20000; i++) garbage.push({ n: i, s: 'tmp' + i });
  globalThis.leakyBatches++;
}
setInterval(() => {
  if (grow > 0) addListeners(grow);
  if (process.env.LEAK_BUSY === '1') allocate();
}, 50);
if (process.env.LEAK_BUSY === 'max') {
  (function loop() {
    allocate();
    setImmediate(loop);
  })();
}
process.stdout.write('ready\n');
