'use strict';
// Usage: node --expose-gc growth.js OUT_PREFIX
// Writes OUT_PREFIX-1.heapsnapshot .. OUT_PREFIX-4.heapsnapshot from ONE process.
// Every round leaks 300 'data' listeners (onData, app.js line 22) on the
// long-lived global.app.bus and 200 LeakedRecord objects in global.leakedRecords,
// and allocates 5,000 TempBuffer objects that are garbage before the snapshot.
const v8 = require('v8');
const { EventEmitter, LeakedRecord, subscribe, churn } = require('./app');

const prefix = process.argv[2];
if (!prefix) throw new Error('usage: node --expose-gc growth.js OUT_PREFIX');
if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');

const ROUNDS = 4;
const LISTENERS_PER_ROUND = 300;
const RECORDS_PER_ROUND = 200;
const TEMP_PER_ROUND = 5000;

global.app = { bus: new EventEmitter(), sink: [] };
global.app.bus.setMaxListeners(0); // no warning: nothing in the snapshot says "warned"
global.leakedRecords = [];

function round(r) {
  for (let i = 0; i < LISTENERS_PER_ROUND; i++) subscribe(global.app.bus, r, i, global.app.sink);
  for (let i = 0; i < RECORDS_PER_ROUND; i++) global.leakedRecords.push(new LeakedRecord(r, i));
  global.app.sink.length = 0;
  churn(TEMP_PER_ROUND);
}

function step(r) {
  round(r);
  const want = r * LISTENERS_PER_ROUND;
  if (global.app.bus.listenerCount('data') !== want) throw new Error('listener count');
  if (global.leakedRecords.length !== r * RECORDS_PER_ROUND) throw new Error('record count');
  // Snapshot from a fresh stack (setImmediate), after an explicit full GC.
  setImmediate(() => {
    global.gc();
    v8.writeHeapSnapshot(prefix + '-' + r + '.heapsnapshot');
    if (r < ROUNDS) step(r + 1);
  });
}

step(1);
