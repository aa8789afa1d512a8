'use strict';
// Usage: node --expose-gc stable.js OUT_PREFIX
// Same shape as growth.js, but nothing leaks: each round's listeners are
// removed and the round's records are dropped before the snapshot.
// Writes OUT_PREFIX-1.heapsnapshot .. OUT_PREFIX-3.heapsnapshot from ONE process.
const v8 = require('v8');
const { EventEmitter, LeakedRecord, subscribe, churn } = require('./app');

const prefix = process.argv[2];
if (!prefix) throw new Error('usage: node --expose-gc stable.js OUT_PREFIX');
if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');

const ROUNDS = 3;
const LISTENERS_PER_ROUND = 300;
const RECORDS_PER_ROUND = 200;
const TEMP_PER_ROUND = 5000;

global.app = { bus: new EventEmitter(), sink: [] };
global.app.bus.setMaxListeners(0);
global.leakedRecords = [];

function round(r) {
  for (let i = 0; i < LISTENERS_PER_ROUND; i++) subscribe(global.app.bus, r, i, global.app.sink);
  for (let i = 0; i < RECORDS_PER_ROUND; i++) global.leakedRecords.push(new LeakedRecord(r, i));
  global.app.bus.emit('data', 'chunk');
  // Clean up: this is what growth.js forgets to do.
  global.app.bus.removeAllListeners('data');
  global.leakedRecords.length = 0;
  global.app.sink.length = 0;
  churn(TEMP_PER_ROUND);
}

function step(r) {
  round(r);
  if (global.app.bus.listenerCount('data') !== 0) throw new Error('listener count');
  if (global.leakedRecords.length !== 0) throw new Error('record count');
  setImmediate(() => {
    global.gc();
    v8.writeHeapSnapshot(prefix + '-' + r + '.heapsnapshot');
    if (r < ROUNDS) step(r + 1);
  });
}

step(1);
