'use strict';
// Shape 2, Node EventTarget listeners (kept in the target's <symbol kEvents> Map).
// Leaky variant:
//   - every job adds a 'progress' listener to ONE module-scope JobQueue (a
//     custom EventTarget) and never removes it: 1,000 listeners;
//   - every job also adds an 'abort' listener to the signal of ONE long-lived
//     AbortController at global.shutdown and never removes it: 500 listeners.
// The fixed twin (../fixed/event-target.js) removes both when the job is done.
// Not leaks: one 'error' listener on the queue, one { once: true } 'abort'
// listener on a per-run controller at global.perRun.
const JOBS = 1000;
const CANCELLABLE = 500;

class JobQueue extends EventTarget {}

class Job {
  constructor(id) {
    this.id = id;
    this.owner = null;
    this.progress = 0;
    this.steps = new Array(24).fill(id);
  }
}

const queue = new JobQueue();

function runJob(id) {
  const job = new Job(id);
  const onProgress = function onProgress(event) { job.progress = event.detail; };
  queue.addEventListener('progress', onProgress);
  const onShutdown = function onShutdown() { job.cancelled = true; };
  if (id < CANCELLABLE) global.shutdown.signal.addEventListener('abort', onShutdown);
  job.progress = 100; // the job is done, so its listeners go:
  queue.removeEventListener('progress', onProgress); global.shutdown.signal.removeEventListener('abort', onShutdown);
  return job;
}

exports.run = function run() {
  global.shutdown = new AbortController();
  global.perRun = new AbortController();
  global.perRun.signal.addEventListener('abort', () => {}, { once: true });
  queue.addEventListener('error', function onQueueError() {});
  for (let id = 0; id < JOBS; id++) runJob(id);
};
