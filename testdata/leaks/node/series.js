'use strict';
// usage: node series.js OUT-PREFIX STEPS
// One process that leaks a little more at every step, and writes a heap
// snapshot after each: OUT-PREFIX-1.heapsnapshot … OUT-PREFIX-STEPS.
// Every step, as a request handler that forgets to clean up would:
//   - starts 60 setInterval pollers that are never cleared (each Timeout
//     sits at its own depth of Node's 60 s timer list);
//   - adds 60 'progress' listeners to one module-scope EventTarget (a
//     linked list of Listener objects, newest last);
//   - caches 60 responses in a module-scope Map keyed 'req-<n>'.
// `diff S1 S2 S3` must report each as one group growing by 60 a step.
const v8 = require('v8');

const PER_STEP = 60;
const queue = new EventTarget();
const responses = new Map();
let next = 0;

class Poller {
  constructor(id) {
    this.id = id;
    this.samples = new Array(32).fill(id);
  }
}

class CachedResponse {
  constructor(n) {
    this.n = n;
    this.body = 'response ' + n;
  }
}

function step() {
  for (let k = 0; k < PER_STEP; k++, next++) {
    const poller = new Poller(next);
    setInterval(function poll() { poller.samples[0]++; }, 60000);
    const job = { id: next, progress: 0 };
    queue.addEventListener('progress', function onProgress(e) { job.progress = e.detail; });
    responses.set('req-' + next, new CachedResponse(next));
  }
}

const [prefix, steps] = process.argv.slice(2);
let done = 0;
(function again() {
  step();
  // From setImmediate: outside the timer list's processing, whose frames
  // would hold the lists on the stack.
  setImmediate(() => {
    v8.writeHeapSnapshot(`${prefix}-${++done}.heapsnapshot`);
    if (done < Number(steps)) setTimeout(again, 10);
    else process.exit(0);
  });
})();
