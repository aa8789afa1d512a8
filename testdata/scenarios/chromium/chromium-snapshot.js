'use strict';
// Takes a heap snapshot of a local HTML page in headless Chromium over the
// DevTools protocol (no npm packages).
//
// usage: node --experimental-websocket chromium-snapshot.js PAGE.html OUT.heapsnapshot
//   (Node 20 needs --experimental-websocket for the global WebSocket; Node >= 22 has it.)
// Env: CHROMIUM (default /usr/bin/chromium, Debian's `chromium` package).
//
// The page is opened as a file:// URL (so script URLs in the snapshot are the
// file paths), the script waits until `window.fixtureReady === true`, forces a
// GC (HeapProfiler.collectGarbage) and writes HeapProfiler.takeHeapSnapshot's
// chunks to OUT. Prints one JSON line with the browser's versions.
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');

const [pagePath, outPath] = process.argv.slice(2);
if (!pagePath || !outPath) {
  console.error('usage: node --experimental-websocket chromium-snapshot.js PAGE.html OUT.heapsnapshot');
  process.exit(2);
}
if (typeof WebSocket !== 'function') {
  console.error('chromium-snapshot.js: no global WebSocket; use node --experimental-websocket (Node 20)');
  process.exit(2);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const pageUrl = pathToFileURL(path.resolve(pagePath)).href;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error('timeout: ' + what)), ms); }),
  ]).finally(() => clearTimeout(t));
}

async function main() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapsnap-scenario-chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-extensions', '--disable-default-apps', '--mute-audio', '--no-default-browser-check',
    '--allow-file-access-from-files',
    `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', 'about:blank',
  ];
  const proc = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
  let exited = false;
  proc.on('exit', () => { exited = true; });
  let ws;
  try {
    const portFile = path.join(userDataDir, 'DevToolsActivePort');
    let lines;
    for (let i = 0; i < 300; i++) {
      if (exited) throw new Error('chromium exited early:\n' + stderr);
      if (fs.existsSync(portFile)) {
        lines = fs.readFileSync(portFile, 'utf8').trim().split('\n');
        if (lines.length >= 2) break;
      }
      await sleep(100);
    }
    if (!lines || lines.length < 2) throw new Error('no DevToolsActivePort after 30 s:\n' + stderr);
    ws = new WebSocket(`ws://127.0.0.1:${lines[0]}${lines[1]}`);
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
    const send = (method, params = {}, sessionId) => new Promise((res, rej) => {
      const id = nextId++;
      pending.set(id, { res, rej, method });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

    const version = await send('Browser.getVersion');
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    await send('Page.enable', {}, sessionId);
    const loaded = new Promise((res) => listeners.push((m) => {
      if (m.sessionId === sessionId && m.method === 'Page.loadEventFired') res();
    }));
    await send('Page.navigate', { url: pageUrl }, sessionId);
    await withTimeout(loaded, 60000, 'page load');
    let ready;
    for (let i = 0; i < 100; i++) {
      ready = await send('Runtime.evaluate', { expression: 'window.fixtureReady === true', returnByValue: true }, sessionId);
      if (ready.result && ready.result.value === true) break;
      await sleep(100);
    }
    if (!ready.result || ready.result.value !== true) throw new Error('page script did not finish: ' + JSON.stringify(ready));
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
    await withTimeout(send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, sessionId), 300000, 'takeHeapSnapshot');
    fs.closeSync(fd);
    if (bytes === 0) throw new Error('empty snapshot');
    console.log(JSON.stringify({ product: version.product, jsVersion: version.jsVersion, url: pageUrl, bytes }));
    try { await withTimeout(send('Browser.close'), 5000, 'Browser.close'); } catch {}
  } finally {
    try { if (ws) ws.close(); } catch {}
    if (!exited) {
      proc.kill('SIGTERM');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) proc.kill('SIGKILL');
    }
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error('chromium-snapshot.js: ' + (e.stack || e));
  process.exitCode = 1;
});
