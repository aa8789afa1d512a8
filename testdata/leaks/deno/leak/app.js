// Deno leaks, one ES module. Leaky variant:
//   - every job adds a 'progress' listener to ONE module-scope EventTarget
//     (`jobEvents`) and never removes it: 800 listeners;
//   - 400 pollers each start a 60 s setInterval that is never cleared, and
//     200 connections each run a 20 ms setTimeout heartbeat chain that never stops;
//   - every request is cached in the module-scope Map `responses`, 1,500
//     entries 'req-<n>' -> CachedResponse, never evicted.
// The fixed twin (../fixed/app.js) removes the listener, clears the interval,
// ends the chain and keeps only the newest 50 responses.
// Not leaks: one 'error' listener on jobEvents; main.js's keepAlive timer.
const JOBS = 800;
const POLLERS = 400;
const CONNECTIONS = 200;
const REQUESTS = 1500;
const KEEP = 50;

class Job {
  constructor(id) {
    this.id = id;
    this.owner = null;
    this.steps = new Array(24).fill(id);
  }
}
class Poller {
  constructor(id) { this.id = id; this.samples = new Array(128).fill(0); }
}
class Connection {
  constructor(id) { this.id = id; this.closed = false; this.beats = 0; this.inbox = new Array(32).fill(id); }
}
class CachedResponse {
  constructor(n) { this.status = 200; this.bytes = 40 * 8; this.rows = new Array(40).fill(n); }
}

const jobEvents = new EventTarget();
const responses = new Map();

function runJob(id) {
  const job = new Job(id);
  const onProgress = function onProgress(event) { job.progress = event.detail; };
  jobEvents.addEventListener('progress', onProgress);
  job.progress = 100;
  // BUG: the listener stays registered.
}

function startPoller(id) {
  const poller = new Poller(id);
  const timer = setInterval(function poll() { poller.samples[0]++; }, 60000);
  // BUG: the interval (`timer`) is never cleared.
  return timer;
}

function connect(id) {
  const conn = new Connection(id);
  (function heartbeat() {
    setTimeout(function beat() {
      // BUG: no check of conn.closed.
      conn.beats++;
      heartbeat();
    }, 20);
  })();
  conn.closed = true;
}

function handle(n) {
  responses.set('req-' + n, new CachedResponse(n));
  // BUG: never evicted.
}

export function run() {
  jobEvents.addEventListener('error', function onJobError() {});
  for (let id = 0; id < JOBS; id++) runJob(id);
  for (let id = 0; id < POLLERS; id++) startPoller(id);
  for (let id = 0; id < CONNECTIONS; id++) connect(id);
  for (let n = 0; n < REQUESTS; n++) handle(n);
}
