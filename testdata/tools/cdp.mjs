// A minimal Chrome DevTools Protocol client over Node's built-in WebSocket
// (no npm packages), shared by chromium-snapshot.mjs and deno-snapshot.mjs.
// Node >= 22 has a global WebSocket; Node 20 needs --experimental-websocket.
import fs from 'node:fs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error('timeout: ' + what)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

export function requireWebSocket(script) {
  if (typeof WebSocket !== 'function') {
    console.error(`${script}: no global WebSocket; use Node >= 22 or node --experimental-websocket`);
    process.exit(2);
  }
}

// Opens a CDP connection to a ws:// URL. Returns
//   send(method, params, sessionId) -> Promise of the result
//   onEvent(fn)                      fn(message) for every event
//   close()
export async function connect(url) {
  const ws = new WebSocket(url);
  await withTimeout(new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = (e) => rej(new Error('websocket error ' + (e.message || '')));
  }), 30000, 'websocket open');
  let nextId = 1;
  const pending = new Map();
  const handlers = [];
  ws.onmessage = (ev) => {
    const msg = JSON.parse(typeof ev.data === 'string' ? ev.data : Buffer.from(ev.data).toString('utf8'));
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (!p) return;
      if (msg.error) p.rej(new Error(`${p.method}: ${JSON.stringify(msg.error)}`));
      else p.res(msg.result);
    } else {
      for (const h of handlers) h(msg);
    }
  };
  const send = (method, params = {}, sessionId = undefined) => new Promise((res, rej) => {
    const id = nextId++;
    pending.set(id, {res, rej, method});
    ws.send(JSON.stringify({id, method, params, ...(sessionId ? {sessionId} : {})}));
  });
  return {
    send,
    onEvent: (fn) => handlers.push(fn),
    close: () => {
      try {
        ws.close();
      } catch {}
    },
  };
}

// Polls `expression` (Runtime.evaluate, by value) until it is true, for up to
// `ms` milliseconds.
export async function waitUntilTrue(cdp, expression, ms, sessionId = undefined) {
  let last;
  for (const end = Date.now() + ms; Date.now() < end;) {
    last = await cdp.send('Runtime.evaluate', {expression, returnByValue: true}, sessionId);
    if (last.result && last.result.value === true) return;
    await sleep(100);
  }
  throw new Error(`not true after ${ms} ms: ${expression}: ${JSON.stringify(last)}`);
}

// Forces a GC, then writes HeapProfiler.takeHeapSnapshot's chunks to outPath
// as they arrive. Returns the number of bytes written.
export async function takeHeapSnapshot(cdp, outPath, sessionId = undefined) {
  await cdp.send('HeapProfiler.enable', {}, sessionId);
  await cdp.send('HeapProfiler.collectGarbage', {}, sessionId);
  const fd = fs.openSync(outPath, 'w');
  let bytes = 0;
  cdp.onEvent((m) => {
    if (m.sessionId === sessionId && m.method === 'HeapProfiler.addHeapSnapshotChunk') {
      const b = Buffer.from(m.params.chunk, 'utf8');
      fs.writeSync(fd, b);
      bytes += b.length;
    }
  });
  try {
    await withTimeout(cdp.send('HeapProfiler.takeHeapSnapshot', {reportProgress: false}, sessionId), 300000,
                      'takeHeapSnapshot');
  } finally {
    fs.closeSync(fd);
  }
  if (bytes === 0) throw new Error('empty snapshot');
  await cdp.send('HeapProfiler.disable', {}, sessionId);
  return bytes;
}

// Ends a child process: SIGTERM, then SIGKILL after 5 s.
export async function stopChild(proc, hasExited) {
  if (hasExited()) return;
  proc.kill('SIGTERM');
  for (let i = 0; i < 50 && !hasExited(); i++) await sleep(100);
  if (!hasExited()) proc.kill('SIGKILL');
}
