// Takes a heap snapshot of a Deno program over its V8 inspector (no npm
// packages; see cdp.mjs).
//
// usage: node deno-snapshot.mjs DENO OUT.heapsnapshot SCRIPT [ARGS...]
//   (Node 20 needs --experimental-websocket for the global WebSocket; Node >= 22 has it.)
//
// Runs `DENO run --inspect=127.0.0.1:0 --allow-read=DIR(SCRIPT) SCRIPT ARGS...`
// (the inspector binds loopback on an ephemeral port, which Deno prints on
// stderr as "Debugger listening on ws://..."), waits until
// `globalThis.fixtureReady === true`, forces a GC (HeapProfiler.collectGarbage),
// writes HeapProfiler.takeHeapSnapshot's chunks to OUT and ends the process.
// The program must keep itself alive until then (a pending timer). Prints one
// JSON line with Deno's versions.
//
// Deno's node:v8 writeHeapSnapshot() works too, but it loads the Node
// compatibility layer into the heap being written (a larger snapshot, about
// 11% more gzip'ed for a bare program); the inspector does not.
import {execFileSync, spawn} from 'node:child_process';
import path from 'node:path';
import {connect, requireWebSocket, stopChild, takeHeapSnapshot, waitUntilTrue, withTimeout} from './cdp.mjs';

const [deno, outPath, script, ...args] = process.argv.slice(2);
if (!deno || !outPath || !script) {
  console.error('usage: node deno-snapshot.mjs DENO OUT.heapsnapshot SCRIPT [ARGS...]');
  process.exit(2);
}
requireWebSocket('deno-snapshot.mjs');

async function main() {
  const versions = execFileSync(deno, ['--version'], {encoding: 'utf8'}).trim().split('\n');
  const dir = path.dirname(path.resolve(script));
  const proc = spawn(deno, ['run', '--inspect=127.0.0.1:0', `--allow-read=${dir}`, script, ...args],
                     {stdio: ['ignore', 'inherit', 'pipe'], env: {...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1'}});
  let stderr = '';
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  const wsUrl = new Promise((res, rej) => {
    proc.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-8000);
      const m = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(stderr);
      if (m) res(m[1]);
    });
    proc.on('exit', (code) => rej(new Error(`deno exited (${code}) before its inspector was up:\n${stderr}`)));
  });
  let cdp;
  try {
    cdp = await connect(await withTimeout(wsUrl, 30000, 'deno inspector'));
    await waitUntilTrue(cdp, 'globalThis.fixtureReady === true', 10000);
    const bytes = await takeHeapSnapshot(cdp, outPath);
    console.log(JSON.stringify({
      deno: versions[0].replace(/^deno /, ''),
      v8: (versions.find((l) => l.startsWith('v8 ')) || '').replace(/^v8 /, ''),
      script: path.resolve(script),
      bytes,
    }));
  } finally {
    if (cdp) cdp.close();
    await stopChild(proc, () => exited);
  }
}

main().catch((e) => {
  console.error('deno-snapshot.mjs: ' + (e.stack || e));
  process.exitCode = 1;
});
