// Takes a heap snapshot of a local HTML page in headless Chromium over the
// DevTools protocol (no npm packages; see cdp.mjs).
//
// usage: node chromium-snapshot.mjs [--http] PAGE.html OUT.heapsnapshot
//   (Node 20 needs --experimental-websocket for the global WebSocket; Node >= 22 has it.)
// Env: CHROMIUM (default /usr/bin/chromium, Debian's `chromium` package).
//
// By default the page is opened as a file:// URL, so script URLs in the
// snapshot are file paths (stable when the page is staged at a fixed path).
// With --http the page is served at / by an HTTP server on 127.0.0.1 (an
// ephemeral port, requests with another Host are refused) and opened from
// there; nothing but the page itself is served.
//
// Chromium runs headless with a fresh --user-data-dir and
// --remote-debugging-port=0 (the port is read from DevToolsActivePort). After
// the load event the script waits until `window.fixtureReady === true`,
// forces a GC (HeapProfiler.collectGarbage) and writes the snapshot. It prints
// one JSON line with the browser's versions.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {connect, requireWebSocket, sleep, stopChild, takeHeapSnapshot, waitUntilTrue, withTimeout} from './cdp.mjs';

const args = process.argv.slice(2);
const useHttp = args[0] === '--http';
if (useHttp) args.shift();
const [pagePath, outPath] = args;
if (!pagePath || !outPath || args.length !== 2) {
  console.error('usage: node chromium-snapshot.mjs [--http] PAGE.html OUT.heapsnapshot');
  process.exit(2);
}
requireWebSocket('chromium-snapshot.mjs');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';

// Serves the page at / on 127.0.0.1; returns the server and the page's URL.
async function servePage(file) {
  const html = fs.readFileSync(file);
  let host = '';
  const server = http.createServer((req, res) => {
    if (req.headers.host !== host) {
      res.writeHead(421, {'content-type': 'text/plain'});
      res.end('wrong host');
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, {'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store'});
      res.end(html);
    } else {
      res.writeHead(404, {'content-type': 'text/plain'});
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${server.address().port}`;
  return {server, url: `http://${host}/`};
}

async function main() {
  const served = useHttp ? await servePage(pagePath) : null;
  const pageUrl = served ? served.url : pathToFileURL(path.resolve(pagePath)).href;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapsnap-chromium-'));
  const flags = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-extensions', '--disable-default-apps', '--mute-audio', '--no-default-browser-check',
    ...(served ? [] : ['--allow-file-access-from-files']),
    `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', 'about:blank',
  ];
  const proc = spawn(chromium, flags, {stdio: ['ignore', 'ignore', 'pipe']});
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  let cdp;
  try {
    // DevToolsActivePort: line 1 = port, line 2 = browser websocket path.
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
    cdp = await connect(`ws://127.0.0.1:${lines[0]}${lines[1]}`);

    const version = await cdp.send('Browser.getVersion');
    const {targetId} = await cdp.send('Target.createTarget', {url: 'about:blank'});
    const {sessionId} = await cdp.send('Target.attachToTarget', {targetId, flatten: true});
    await cdp.send('Page.enable', {}, sessionId);
    const loaded = new Promise((res) => cdp.onEvent((m) => {
      if (m.sessionId === sessionId && m.method === 'Page.loadEventFired') res();
    }));
    await cdp.send('Page.navigate', {url: pageUrl}, sessionId);
    await withTimeout(loaded, 60000, 'page load');
    await waitUntilTrue(cdp, 'window.fixtureReady === true', 10000, sessionId);
    const userAgent = (await cdp.send('Runtime.evaluate', {expression: 'navigator.userAgent', returnByValue: true},
                                      sessionId)).result.value;
    const bytes = await takeHeapSnapshot(cdp, outPath, sessionId);
    await cdp.send('Target.closeTarget', {targetId});
    console.log(JSON.stringify({
      product: version.product,
      jsVersion: version.jsVersion,
      protocolVersion: version.protocolVersion,
      userAgent,
      url: pageUrl,
      bytes,
    }));
    try {
      await withTimeout(cdp.send('Browser.close'), 5000, 'Browser.close');
    } catch {}
  } finally {
    if (cdp) cdp.close();
    await stopChild(proc, () => exited);
    if (served) served.server.close();
    fs.rmSync(userDataDir, {recursive: true, force: true});
  }
}

main().catch((e) => {
  console.error('chromium-snapshot.mjs: ' + (e.stack || e));
  process.exitCode = 1;
});
