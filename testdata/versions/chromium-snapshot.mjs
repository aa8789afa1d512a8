// Takes a heap snapshot of a page in headless Chromium over the DevTools protocol.
//
// usage: node [--experimental-websocket] chromium-snapshot.mjs PAGE.html OUT.heapsnapshot
//
// Env: CHROMIUM (default /usr/bin/chromium, Debian's `chromium` package).
// Needs a global WebSocket: Node >= 22, or Node 20 with --experimental-websocket.
// No npm packages are used.
//
// The page is served from an HTTP server on 127.0.0.1 (ephemeral port) run by
// this script. Chromium is started headless with a fresh user-data-dir and
// --remote-debugging-port=0; the port is read from DevToolsActivePort. The
// snapshot is taken with HeapProfiler.takeHeapSnapshot and the
// HeapProfiler.addHeapSnapshotChunk events are written out as they arrive.
// On success one line of JSON with the browser's versions is printed to stdout.

import {spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const [pagePath, outPath] = process.argv.slice(2);
if (!pagePath || !outPath) {
  console.error('usage: node chromium-snapshot.mjs PAGE.html OUT.heapsnapshot');
  process.exit(2);
}
if (typeof WebSocket !== 'function') {
  console.error('chromium-snapshot.mjs: no global WebSocket; use Node >= 22 or node --experimental-websocket');
  process.exit(2);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const pageHtml = fs.readFileSync(pagePath);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error('timeout: ' + what)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

// --- a tiny HTTP server for the page ------------------------------------------
const server = http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/index.html') {
    res.writeHead(200, {'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store'});
    res.end(pageHtml);
  } else {
    res.writeHead(404, {'content-type': 'text/plain'});
    res.end('not found');
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const pageUrl = `http://127.0.0.1:${server.address().port}/`;

// --- start Chromium ----------------------------------------------------------------
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapsnap-chromium-'));
const args = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-extensions', '--disable-default-apps', '--mute-audio', '--no-default-browser-check',
  `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', 'about:blank',
];
const proc = spawn(chromium, args, {stdio: ['ignore', 'ignore', 'pipe']});
let chromiumStderr = '';
proc.stderr.on('data', (d) => {
  chromiumStderr = (chromiumStderr + d).slice(-8000);
});
let exited = false;
proc.on('exit', () => {
  exited = true;
});

let ws;
async function cleanup() {
  try {
    ws?.close();
  } catch {}
  if (!exited) {
    proc.kill('SIGTERM');
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) proc.kill('SIGKILL');
  }
  server.close();
  fs.rmSync(userDataDir, {recursive: true, force: true});
}

try {
  // DevToolsActivePort: line 1 = port, line 2 = browser websocket path.
  const portFile = path.join(userDataDir, 'DevToolsActivePort');
  let lines;
  for (let i = 0; i < 300; i++) {
    if (exited) throw new Error('chromium exited early:\n' + chromiumStderr);
    if (fs.existsSync(portFile)) {
      lines = fs.readFileSync(portFile, 'utf8').trim().split('\n');
      if (lines.length >= 2) break;
    }
    await sleep(100);
  }
  if (!lines || lines.length < 2) throw new Error('no DevToolsActivePort after 30 s:\n' + chromiumStderr);
  const browserUrl = `ws://127.0.0.1:${lines[0]}${lines[1]}`;

  // --- minimal CDP client (flat sessions) -------------------------------------
  ws = new WebSocket(browserUrl);
  await withTimeout(new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = (e) => rej(new Error('websocket error ' + (e.message || '')));
  }), 30000, 'websocket open');
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  ws.onmessage = (ev) => {
    const msg = JSON.parse(typeof ev.data === 'string' ? ev.data : Buffer.from(ev.data).toString('utf8'));
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (!p) return;
      if (msg.error) p.rej(new Error(`${p.method}: ${JSON.stringify(msg.error)}`));
      else p.res(msg.result);
    } else {
      for (const l of listeners) l(msg);
    }
  };
  const send = (method, params = {}, sessionId = undefined) => new Promise((res, rej) => {
    const id = nextId++;
    pending.set(id, {res, rej, method});
    ws.send(JSON.stringify({id, method, params, ...(sessionId ? {sessionId} : {})}));
  });

  const version = await send('Browser.getVersion');
  const {targetId} = await send('Target.createTarget', {url: 'about:blank'});
  const {sessionId} = await send('Target.attachToTarget', {targetId, flatten: true});
  await send('Page.enable', {}, sessionId);
  await send('Runtime.enable', {}, sessionId);
  const loaded = new Promise((res) => listeners.push((m) => {
    if (m.sessionId === sessionId && m.method === 'Page.loadEventFired') res();
  }));
  await send('Page.navigate', {url: pageUrl}, sessionId);
  await withTimeout(loaded, 60000, 'page load');
  const ready = await send('Runtime.evaluate', {expression: 'window.fixtureReady === true', returnByValue: true}, sessionId);
  if (ready.result?.value !== true) throw new Error('page script did not finish: ' + JSON.stringify(ready));
  const jsVersion = (await send('Runtime.evaluate', {expression: 'navigator.userAgent', returnByValue: true}, sessionId))
                        .result.value;
  await send('Runtime.disable', {}, sessionId);

  await send('HeapProfiler.enable', {}, sessionId);
  await send('HeapProfiler.collectGarbage', {}, sessionId);
  const fd = fs.openSync(outPath, 'w');
  let bytes = 0;
  listeners.push((m) => {
    if (m.sessionId === sessionId && m.method === 'HeapProfiler.addHeapSnapshotChunk') {
      const b = Buffer.from(m.params.chunk, 'utf8');
      fs.writeSync(fd, b);
      bytes += b.length;
    }
  });
  await withTimeout(send('HeapProfiler.takeHeapSnapshot', {reportProgress: false}, sessionId), 300000,
                    'takeHeapSnapshot');
  fs.closeSync(fd);
  if (bytes === 0) throw new Error('empty snapshot');
  await send('HeapProfiler.disable', {}, sessionId);
  await send('Target.closeTarget', {targetId});
  console.log(JSON.stringify({
    product: version.product,
    jsVersion: version.jsVersion,
    protocolVersion: version.protocolVersion,
    userAgent: jsVersion,
    bytes,
  }));
  try {
    await withTimeout(send('Browser.close'), 5000, 'Browser.close');
  } catch {}
} catch (e) {
  console.error('chromium-snapshot.mjs: ' + (e.stack || e));
  process.exitCode = 1;
} finally {
  await cleanup();
}
