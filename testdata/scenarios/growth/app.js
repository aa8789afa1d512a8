'use strict';
// Shared by growth.js (leaks) and stable.js (does not leak).
const { EventEmitter } = require('events');

class LeakedRecord {
  constructor(round, seq) {
    this.round = round;
    this.seq = seq;
    this.payload = 'record-' + round + '-' + seq;
  }
}

class TempBuffer {
  constructor(i) {
    this.index = i;
    this.data = [i, i + 1, i + 2, i + 3];
  }
}

function subscribe(bus, round, seq, sink) {
  bus.on('data', function onData(chunk) {
    sink.push(round * 1000 + seq + chunk.length);
  });
}

// Per-request work whose temporaries are all garbage once it returns.
function churn(count) {
  let total = 0;
  const temps = [];
  for (let i = 0; i < count; i++) temps.push(new TempBuffer(i));
  for (const t of temps) total += t.data.length;
  return total;
}

module.exports = { EventEmitter, LeakedRecord, TempBuffer, subscribe, churn };
