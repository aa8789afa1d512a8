'use strict';
// The "test suite" of the CI example: it exercises the service, and takes a
// heap snapshot after a warm-up (the baseline) and one at the end.
//
//   node --expose-gc test.js OUTDIR     (LEAK=0 for the fixed service)
//
// writes OUTDIR/start.heapsnapshot and OUTDIR/end.heapsnapshot. Snapshots
// are taken from a fresh stack after a full GC, so that only what the
// program really keeps is in them.
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { handle } = require('./orders');

const out = process.argv[2] || '.';
fs.mkdirSync(out, { recursive: true });
const WARMUP = 200;
const REQUESTS = 2000;

function snapshot(name, then) {
  setImmediate(() => {
    if (global.gc) global.gc();
    v8.writeHeapSnapshot(path.join(out, name + '.heapsnapshot'));
    then();
  });
}

let id = 0;
for (let i = 0; i < WARMUP; i++) handle(id++);
snapshot('start', () => {
  for (let i = 0; i < REQUESTS; i++) handle(id++);
  snapshot('end', () => {});
});
