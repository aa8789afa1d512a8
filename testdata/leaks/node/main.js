'use strict';
// usage: node main.js OUT.heapsnapshot leak|fixed SHAPE...
// Runs each SHAPE's module from ./leak/ or ./fixed/ (the same files with the
// bug fixed, line for line), lets the timers and reactions that the fixed
// twins rely on run, then writes one heap snapshot and exits (the leaky
// timers would otherwise keep the process alive).
const v8 = require('v8');

const [out, variant, ...shapes] = process.argv.slice(2);
if (!out || !['leak', 'fixed'].includes(variant) || shapes.length === 0) {
  throw new Error('usage: node main.js OUT.heapsnapshot leak|fixed SHAPE...');
}
for (const shape of shapes) require(`./${variant}/${shape}`).run();

// After 300 ms every 20 ms heartbeat has fired several times, and no 60 s
// timer has fired yet. The snapshot is written from setImmediate, outside
// the timer list's processing (whose frames would hold the lists on the
// stack) and outside the top-level code.
setTimeout(function waitForHeartbeats() {
  setImmediate(function takeSnapshot() {
    v8.writeHeapSnapshot(out);
    process.exit(0);
  });
}, 300);
