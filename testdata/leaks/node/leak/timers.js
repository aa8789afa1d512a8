'use strict';
// Shape 3, timers. Leaky variant:
//   - 500 pollers each start a 60 s setInterval whose callback captures the
//     poller (with a 128-element samples array); stop() forgets to clear it;
//   - 200 connections each run a 20 ms setTimeout heartbeat chain (every
//     heartbeat schedules the next); close() does not stop the chain.
// The fixed twin (../fixed/timers.js) clears the interval in stop() and ends
// the chain on the first heartbeat after close().
// Not a leak: one 60 s setTimeout (a session expiry that is still due).
const POLLERS = 500;
const CONNECTIONS = 200;

class Poller {
  constructor(id) {
    this.id = id;
    this.samples = new Array(128).fill(0);
    this.handle = null;
  }
  start() {
    const poller = this;
    this.handle = setInterval(function poll() { poller.samples[0]++; }, 60000);
  }
  stop() {
    this.samples.fill(-1);
    // BUG: the interval is never cleared.
  }
}

class Connection {
  constructor(id) {
    this.id = id;
    this.peer = null;
    this.closed = false;
    this.beats = 0;
    this.inbox = new Array(32).fill(id);
  }
  heartbeat() {
    const conn = this;
    setTimeout(function beat() {
      // BUG: no check of conn.closed.
      conn.beats++;
      conn.heartbeat();
    }, 20);
  }
  close() { this.closed = true; }
}

exports.run = function run() {
  for (let id = 0; id < POLLERS; id++) {
    const poller = new Poller(id);
    poller.start();
    poller.stop();
  }
  for (let id = 0; id < CONNECTIONS; id++) {
    const conn = new Connection(id);
    conn.heartbeat();
    conn.close();
  }
  setTimeout(function expireSession() {}, 60000);
};
